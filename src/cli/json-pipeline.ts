/**
 * The path of a JSON record from a source to alerts: decode it (Kubernetes audit event or
 * CloudTrail record), number it, run the rules of its source and build an alert for each
 * match. Records that cannot be decoded are counted and logged with their origin, at a
 * limited rate, and the rest go on.
 */
import type { Logger } from 'pino';
import {
  decodeCloudTrailRecord,
  decodeK8sAuditEvent,
  type DecodeResult,
} from '../decode/json-event-decoder.js';
import type { JsonSourceEvent } from '../decode/json-events.js';
import { type FieldTable, fieldTableFor } from '../engine/index.js';
import type { RuleSet } from '../detect/index.js';
import { AlertFactory, type TimeFormat } from '../alerts/alert-factory.js';
import type { Alert } from '../alerts/alert.js';
import { describeOrigin, type RawRecord, type RecordError } from '../sources/k8s-audit/index.js';
import { SourceMetrics, type HarrierMetrics } from '../api/metrics.js';

/** The JSON-based event sources. */
export type JsonSource = 'k8s_audit' | 'aws_cloudtrail';

/** Counters of one source. `received` = `processed` + `rejected`. */
export interface JsonSourceStats {
  received: number;
  processed: number;
  rejected: number;
  alerts: number;
}

export interface JsonDetectionOptions {
  ruleSet: RuleSet;
  onAlert: (alert: Alert) => void;
  timeFormat?: TimeFormat;
  hostname?: string;
  logger?: Logger;
  /** Counts events by type (audit verb, CloudTrail event name), evaluation time and rejects. */
  metrics?: HarrierMetrics;
}

const decoders: Record<JsonSource, (value: unknown, num: bigint) => DecodeResult<JsonSourceEvent>> =
  {
    k8s_audit: decodeK8sAuditEvent,
    aws_cloudtrail: decodeCloudTrailRecord,
  };

/** Logs at most `limit` rejections per minute, then one summary of those left out. */
class RejectionLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger | undefined,
    private readonly limit = 20,
  ) {}

  note(source: JsonSource, error: RecordError): void {
    if (this.logger === undefined || !this.logger.isLevelEnabled('warn')) return;
    const now = Date.now();
    if (now - this.windowStart > 60_000) {
      if (this.suppressed > 0) {
        this.logger.warn(
          { count: this.suppressed },
          'more malformed records were skipped and not logged',
        );
      }
      Object.assign(this, { windowStart: now, inWindow: 0, suppressed: 0 });
    }
    if (++this.inWindow > this.limit) {
      this.suppressed++;
      return;
    }
    const where = { ...error.origin, at: describeOrigin(error.origin) };
    this.logger.warn(
      { source, ...where, reason: error.reason },
      'malformed record skipped; reading goes on',
    );
  }
}

/**
 * @example
 * const detection = new JsonDetection({ ruleSet, onAlert: (alert) => print(alert) });
 * detection.take('k8s_audit', records);
 */
export class JsonDetection {
  readonly stats: Record<JsonSource, JsonSourceStats> = {
    k8s_audit: { received: 0, processed: 0, rejected: 0, alerts: 0 },
    aws_cloudtrail: { received: 0, processed: 0, rejected: 0, alerts: 0 },
  };
  private readonly factories = new Map<JsonSource, AlertFactory<JsonSourceEvent>>();
  /** Events decoded per source: `evt.num` counts only records that became events. */
  private readonly decoded: Record<JsonSource, bigint> = { k8s_audit: 0n, aws_cloudtrail: 0n };
  private readonly rejections: RejectionLog;
  private readonly metrics: Record<JsonSource, SourceMetrics> | undefined;
  private ruleSet: RuleSet;

  constructor(private readonly options: JsonDetectionOptions) {
    this.ruleSet = options.ruleSet;
    this.rejections = new RejectionLog(options.logger);
    const { metrics } = options;
    this.metrics = metrics && {
      k8s_audit: new SourceMetrics(metrics, 'k8s_audit'),
      aws_cloudtrail: new SourceMetrics(metrics, 'aws_cloudtrail'),
    };
  }

  /**
   * Runs the next records through `ruleSet` (a reload); records are taken a batch at a time,
   * so no batch meets both rule sets.
   */
  replaceRules(ruleSet: RuleSet): void {
    this.ruleSet = ruleSet;
  }

  /** Decodes and runs `records` of `source`; returns how many were processed and rejected. */
  take(source: JsonSource, records: readonly RawRecord[]): { processed: number; rejected: number } {
    let processed = 0;
    for (const record of records) {
      const event = this.decode(source, record);
      if (event === undefined) continue;
      this.detect(event);
      processed++;
    }
    return { processed, rejected: records.length - processed };
  }

  /** The event of one record, numbered; undefined (counted and logged) when it has none. */
  decode(source: JsonSource, record: RawRecord): JsonSourceEvent | undefined {
    const stats = this.stats[source];
    stats.received++;
    const decoded = decoders[source](record.value, this.decoded[source] + 1n);
    if (decoded.ok) {
      this.decoded[source]++;
      return decoded.event;
    }
    this.reject(source, [{ origin: record.origin, reason: decoded.reason }], false);
    return undefined;
  }

  /**
   * Counts and logs parts of the input that held no readable record (a line that is not
   * JSON, a broken file). With `received`, they also count as received.
   */
  reject(source: JsonSource, errors: readonly RecordError[], received = true): void {
    const stats = this.stats[source];
    for (const error of errors) {
      if (received) stats.received++;
      stats.rejected++;
      this.rejections.note(source, error);
    }
    this.metrics?.[source].drop('malformed', errors.length);
  }

  /** Runs the rules on a decoded event and emits its alerts; returns them. */
  detect(event: JsonSourceEvent): Alert[] {
    const stats = this.stats[event.source];
    stats.processed++;
    const metrics = this.metrics?.[event.source];
    const started = metrics === undefined ? 0 : performance.now();
    const rules = this.ruleSet.match(event.source, undefined, event);
    metrics?.event(jsonEventType(event), (performance.now() - started) / 1000);
    if (rules.length === 0) return [];
    const factory = this.factory(event.source);
    const alerts = rules.map((rule) => factory.build(rule, event));
    stats.alerts += alerts.length;
    // LIMIT: audit and CloudTrail alerts go without context; the store keeps no related events
    // (earlier requests of the same user or resource) for them.
    for (const alert of alerts) this.options.onAlert(alert);
    return alerts;
  }

  private factory(source: JsonSource): AlertFactory<JsonSourceEvent> {
    let factory = this.factories.get(source);
    if (factory === undefined) {
      const table = fieldTableFor(source) as FieldTable<JsonSourceEvent>;
      const options = { timeFormat: this.options.timeFormat, hostname: this.options.hostname };
      factory = new AlertFactory(source, table, options);
      this.factories.set(source, factory);
    }
    return factory;
  }
}

/** What metrics count a JSON event under: the audit verb, or the CloudTrail event name. */
function jsonEventType(event: JsonSourceEvent): string {
  const raw = event.raw;
  if (typeof raw !== 'object' || raw === null) return 'unknown';
  const value = (raw as Record<string, unknown>)[
    event.source === 'k8s_audit' ? 'verb' : 'eventName'
  ];
  return typeof value === 'string' ? value : 'unknown';
}
