/**
 * The path of a syscall event, with its state attached, to alerts: the rules indexed for its
 * event type run on it, and each match becomes an alert. Shared by capture replay and live
 * monitoring, so both give the same answers for the same events.
 */
import type { SyscallEvent } from '../decode/event.js';
import { eventTypeName } from '../decode/param-format.js';
import { type FieldTable, fieldTableFor } from '../engine/index.js';
import type { RuleSet } from '../detect/index.js';
import { AlertFactory, type TimeFormat } from '../alerts/alert-factory.js';
import type { Alert } from '../alerts/alert.js';
import type { AlertContext } from '../alerts/index.js';
import type { SourceMetrics } from '../api/metrics.js';
import type { SyscallAlertContext } from './syscall-context.js';

export interface SyscallDetectionOptions {
  ruleSet: RuleSet;
  /** Receives each alert, with its context when `context` is given. */
  onAlert: (alert: Alert, context?: AlertContext) => void;
  timeFormat?: TimeFormat;
  hostname?: string;
  /** Fields added to every alert's `output_fields` (see `AlertFactoryOptions`). */
  extraFields?: readonly string[];
  /** Follows every event to give each alert its lineage and recent events (the store). */
  context?: SyscallAlertContext;
  /** Counts every event by type with its rule evaluation time. */
  metrics?: SourceMetrics;
}

/**
 * @example
 * const detection = new SyscallDetection({ ruleSet, onAlert: (alert) => print(alert) });
 * for await (const event of syscallEvents('trace.scap')) detection.detect(event);
 */
export class SyscallDetection {
  events = 0;
  alerts = 0;
  private readonly factory: AlertFactory<SyscallEvent>;
  private readonly ruleSet: RuleSet<SyscallEvent>;

  constructor(private readonly options: SyscallDetectionOptions) {
    const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;
    const { timeFormat, hostname, extraFields } = options;
    this.factory = new AlertFactory('syscall', table, { timeFormat, hostname, extraFields });
    this.ruleSet = options.ruleSet as RuleSet<SyscallEvent>;
  }

  /** Runs the syscall rules on `event` and emits an alert per matching rule. */
  detect(event: SyscallEvent): void {
    this.events++;
    const { metrics, context } = this.options;
    const type = eventTypeName(event);
    const started = metrics === undefined ? 0 : performance.now();
    const rules = this.ruleSet.match('syscall', type, event);
    if (metrics !== undefined) metrics.event(type, (performance.now() - started) / 1000);
    for (let i = 0; i < rules.length; i++) {
      this.alerts++;
      this.options.onAlert(this.factory.build(rules[i], event), context?.contextFor(event));
    }
    context?.note(event);
  }
}
