/**
 * Splits a Kubernetes audit payload into its events, as the k8saudit plugin does: an
 * `EventList` gives its `items`, an `Event` gives itself, a JSON array gives the events of
 * each element. Which `apiVersion` (`audit.k8s.io/v1`, `v1beta1`, none) does not matter;
 * `kind` does.
 */
import type { RawRecord, RecordOrigin } from './json-text.js';

export type AuditSplit = { ok: true; records: RawRecord[] } | { ok: false; reason: string };

/** The reason Falco's k8saudit plugin gives for a payload it cannot read. */
export const unrecognizedPayload = 'data not recognized as a k8s audit event';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The events in `payload`, each with `origin` plus its index in the payload. A payload that
 * is no audit `Event`, `EventList` or array of those fails as a whole, as in the plugin; an
 * array stops at its first unreadable element but keeps the events before it.
 */
export function splitAuditPayload(payload: unknown, origin: RecordOrigin): AuditSplit {
  const records: RawRecord[] = [];
  const reason = collect(payload, origin, records);
  if (reason !== undefined && records.length === 0) return { ok: false, reason };
  return { ok: true, records };
}

function collect(value: unknown, origin: RecordOrigin, into: RawRecord[]): string | undefined {
  if (Array.isArray(value)) {
    for (const element of value) {
      const reason = collect(element, origin, into);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  const kind = isObject(value) ? value.kind : undefined;
  if (kind === 'Event') {
    into.push({ value, origin: { ...origin, index: into.length } });
    return undefined;
  }
  if (kind === 'EventList' && isObject(value) && Array.isArray(value.items)) {
    for (const item of value.items)
      into.push({ value: item, origin: { ...origin, index: into.length } });
    return undefined;
  }
  return unrecognizedPayload;
}
