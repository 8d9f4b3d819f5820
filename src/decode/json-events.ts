/**
 * Events of the JSON-based sources: one Kubernetes audit event or one CloudTrail record,
 * already parsed. Field extractors read `raw` the way Falco's k8saudit, cloudtrail and json
 * plugins read the event payload.
 */

/** One Kubernetes audit event (an `audit.k8s.io` `Event` object). */
export interface K8sAuditEvent {
  source: 'k8s_audit';
  /** Event time in nanoseconds since the epoch. */
  ts: bigint;
  /** Sequence number in its source, from 1 (`evt.num`); absent reads as 0. */
  num?: bigint;
  /** The parsed JSON object of the audit event. */
  raw: unknown;
}

/** One AWS CloudTrail record. */
export interface CloudTrailEvent {
  source: 'aws_cloudtrail';
  /** Event time in nanoseconds since the epoch. */
  ts: bigint;
  /** Sequence number in its source, from 1 (`evt.num`); absent reads as 0. */
  num?: bigint;
  /** The parsed JSON object of the record. */
  raw: unknown;
}

/** Either JSON-based event. */
export type JsonSourceEvent = K8sAuditEvent | CloudTrailEvent;
