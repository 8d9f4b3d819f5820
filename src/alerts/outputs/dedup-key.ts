/**
 * Stable incident keys for paging destinations: alerts of one rule on one host (and, when
 * configured, equal key fields) share a key, so the destination folds them into one incident.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../alert.js';

/** `harrier-` and 40 hex digits of SHA-256 over rule, hostname and the `keyFields` values. */
export function dedupKey(alert: Alert, keyFields: readonly string[] = []): string {
  const values = keyFields.map((field) => String(alert.outputFields.get(field) ?? ''));
  const hash = createHash('sha256').update(JSON.stringify([alert.rule, alert.hostname, ...values]));
  return `harrier-${hash.digest('hex').slice(0, 40)}`;
}
