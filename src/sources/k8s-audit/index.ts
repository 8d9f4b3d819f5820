/**
 * Source `k8s_audit`: Kubernetes API audit events from the audit webhook and from audit log
 * files. Records leave here as parsed JSON with their origin; decoding is the next stage's.
 */
export { AuditWebhook, type WebhookCounters } from './webhook-server.js';
export { splitAuditPayload } from './audit-payload.js';
export { followAuditLog, type LinesRead } from './audit-log.js';
export { LineFollower } from './line-follower.js';
export {
  describeOrigin,
  lineAndColumn,
  parseJsonText,
  type JsonParse,
  type RawRecord,
  type RecordError,
  type RecordOrigin,
} from './json-text.js';
export { showText } from './json-fault.js';
