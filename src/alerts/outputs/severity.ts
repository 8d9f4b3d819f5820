/**
 * Falco priorities translated into the severity scales and colours of chat and paging
 * destinations.
 */
import { priorityRank, type Priority } from '../../detect/index.js';

/** PagerDuty Events API v2 `payload.severity`. */
export function pagerDutySeverity(priority: Priority): 'critical' | 'error' | 'warning' | 'info' {
  const rank = priorityRank(priority);
  if (rank <= 2) return 'critical';
  if (rank === 3) return 'error';
  if (rank === 4) return 'warning';
  return 'info';
}

/** Opsgenie `priority`: P1 (Emergency, Alert) to P5 (Notice and below). */
export function opsgeniePriority(priority: Priority): 'P1' | 'P2' | 'P3' | 'P4' | 'P5' {
  const rank = priorityRank(priority);
  if (rank <= 1) return 'P1';
  if (rank === 2) return 'P2';
  if (rank === 3) return 'P3';
  if (rank === 4) return 'P4';
  return 'P5';
}

/** Adaptive Card TextBlock colour names. */
export function adaptiveCardColor(
  priority: Priority,
): 'Attention' | 'Warning' | 'Accent' | 'Default' {
  const rank = priorityRank(priority);
  if (rank <= 3) return 'Attention';
  if (rank === 4) return 'Warning';
  if (rank <= 6) return 'Accent';
  return 'Default';
}
