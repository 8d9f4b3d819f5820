/**
 * The names `evt.type` can be compared with: every event table name and every syscall name,
 * as libsinsp accepts them. Anything else is a typo (or a list that was never expanded) and
 * fails the rule at load time instead of silently never matching.
 */
import { EVENT_TABLE } from '../../../decode/event-table.js';
import { SYSCALL_NAMES } from '../../../decode/flag-names.js';

let known: ReadonlySet<string> | undefined;

/** libsinsp's message for a name it does not know; undefined for a known one. */
export function unknownEventTypeProblem(name: string): string | undefined {
  known ??= new Set([...EVENT_TABLE.map((info) => info.name), ...SYSCALL_NAMES.filter(Boolean)]);
  return known.has(name) ? undefined : `unknown event type ${name}`;
}
