/**
 * Rule priorities, most severe first, as Falco orders and spells them.
 */

/** Priority names in Falco's canonical spelling; the index is the severity (0 = worst). */
export const priorityNames = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
] as const;

export type Priority = (typeof priorityNames)[number];

/**
 * Parses a priority name in any letter case; `info` is accepted for `Informational`.
 * Returns undefined for anything else.
 */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.toLowerCase();
  if (lower === 'info') return 'Informational';
  return priorityNames.find((name) => name.toLowerCase() === lower);
}

/** 0 for Emergency up to 7 for Debug. */
export function priorityRank(priority: Priority): number {
  return priorityNames.indexOf(priority);
}

/** True when `priority` is at least as severe as `minimum` (Falco's minimum-priority test). */
export function isAtLeast(priority: Priority, minimum: Priority): boolean {
  return priorityRank(priority) <= priorityRank(minimum);
}
