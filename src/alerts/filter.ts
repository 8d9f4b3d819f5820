/**
 * Per-output filters: a minimum priority, rule name patterns, tags and sources. An alert
 * passes when it meets every filter that is set.
 */
import { isAtLeast, matchesWildcard, type Priority } from '../detect/index.js';
import type { Alert } from './alert.js';

export interface OutputFilter {
  /** Alerts less severe than this are not sent. Default: every priority. */
  readonly minPriority?: Priority;
  /** Rule name patterns (`*` wildcards); the alert's rule must match one. */
  readonly rules?: readonly string[];
  /** The alert must carry at least one of these tags. */
  readonly tags?: readonly string[];
  /** The alert's source must be one of these (`syscall`, `k8s_audit`, `aws_cloudtrail`). */
  readonly sources?: readonly string[];
}

/** True when `alert` passes every filter set in `filter`. */
export function passesFilter(filter: OutputFilter, alert: Alert): boolean {
  if (filter.minPriority !== undefined && !isAtLeast(alert.priority, filter.minPriority))
    return false;
  if (
    filter.rules !== undefined &&
    !filter.rules.some((pattern) => matchesWildcard(pattern, alert.rule))
  )
    return false;
  if (filter.tags !== undefined && !filter.tags.some((tag) => alert.tags.includes(tag)))
    return false;
  if (filter.sources !== undefined && !filter.sources.includes(alert.source)) return false;
  return true;
}
