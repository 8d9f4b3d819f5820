/**
 * The alert router: the one entry point detection runners hand alerts to. Each alert is
 * recorded (the forensic store), grouped, filtered per output and written to each chosen
 * output's on-disk queue before `deliver` returns; one worker per output sends from its queue.
 */
import { randomUUID } from 'node:crypto';
import { hostname as systemHostname } from 'node:os';
import { silentLogger, type Logger } from '../log.js';
import { isAtLeast, type Priority } from '../detect/index.js';
import type { Alert } from './alert.js';
import { encodeAlert } from './alert-codec.js';
import { defaultRetryPolicy, type RetryPolicy } from './backoff.js';
import type { AlertContext, AlertRecorder } from './context.js';
import { passesFilter, type OutputFilter } from './filter.js';
import { AlertGrouper, type GroupingRule } from './grouping.js';
import { OutputWorker, type OutputStats } from './output-worker.js';
import { outputKinds, type OutputType } from './outputs/catalog.js';
import type { Destination } from './outputs/types.js';
import { QueueStore } from './queue.js';
import { compileTemplate } from './template.js';

/** One configured output. */
export interface OutputSpec extends OutputFilter {
  /** Unique; names the queue on disk, so renaming an output orphans its queued alerts. */
  readonly name: string;
  readonly type: OutputType;
  /** Options of the type, by property name (see `outputKinds`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Message template (see `compileTemplate`); default the alert's output line. */
  readonly template?: string;
  /** Most alerts waiting in the queue; default 100000. */
  readonly queueSize?: number;
  /** Time one send may take; default 10 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** A destination to use instead of building one from `type` (embedding, tests). */
  readonly destination?: Destination;
}

export interface AlertRouterConfig {
  readonly outputs: readonly OutputSpec[];
  /** Directory of the queue database; in memory (lost on exit) when unset. */
  readonly stateDir?: string;
  readonly grouping?: readonly GroupingRule[];
  /** Alerts less severe than this are dropped before anything else (Falco's `priority`). */
  readonly minPriority?: Priority;
  /** Receives every alert (the SQLite store). */
  readonly recorder?: AlertRecorder;
  readonly logger?: Logger;
  /** Hostname for alerts the router makes itself; default the system's. */
  readonly hostname?: string;
}

/** Counters since start. */
export interface RouterStats {
  /** Alerts handed to `deliver`. */
  received: number;
  /** Below the minimum priority. */
  belowPriority: number;
  /** Counted into a group instead of sent alone. */
  grouped: number;
  /** Group summaries sent. */
  summaries: number;
  /** Alerts received by rule and priority. */
  byRule: Map<string, { rule: string; priority: Priority; count: number }>;
  outputs: Record<string, OutputStats>;
}

/**
 * Delivers alerts to the configured outputs, at least once.
 *
 * @example
 * const router = new AlertRouter({ stateDir: '/var/lib/harrier', outputs: [
 *   { name: 'hook', type: 'webhook', options: { url: 'http://127.0.0.1:2801/' } }] });
 * router.deliver(alert);
 * await router.flush(5000);
 * await router.close();
 */
export class AlertRouter {
  private readonly queues: QueueStore;
  private readonly workers: { spec: OutputSpec; worker: OutputWorker }[] = [];
  private readonly grouper: AlertGrouper;
  private readonly counters: Omit<RouterStats, 'outputs'>;
  private readonly logger: Logger;
  private closed = false;

  /** Opens the queues (resuming what a previous run left) and starts one worker per output. */
  constructor(private readonly config: AlertRouterConfig) {
    this.logger = config.logger ?? silentLogger();
    this.queues = new QueueStore(config.stateDir, this.logger);
    this.counters = { received: 0, belowPriority: 0, grouped: 0, summaries: 0, byRule: new Map() };
    this.grouper = new AlertGrouper(config.grouping ?? [], (summary) => {
      this.counters.summaries++;
      this.route(randomUUID(), summary);
    });
    const names = new Set<string>();
    for (const spec of config.outputs) {
      if (names.has(spec.name)) throw new RangeError(`output name '${spec.name}' is used twice`);
      names.add(spec.name);
      this.workers.push({ spec, worker: this.startWorker(spec) });
    }
    this.warnOrphans(names);
  }

  /**
   * Takes one alert. Before returning it has been recorded and queued on disk for every
   * output whose filters it passes (or counted in an open group). Throws a RangeError after
   * `close`, and rethrows a failure to write the queue database (disk full): that alert is
   * then not queued.
   */
  deliver(alert: Alert, context?: AlertContext): void {
    if (this.closed) throw new RangeError('alert router is closed');
    this.counters.received++;
    if (
      this.config.minPriority !== undefined &&
      !isAtLeast(alert.priority, this.config.minPriority)
    ) {
      this.counters.belowPriority++;
      return;
    }
    this.countRule(alert);
    const id = randomUUID();
    this.record(id, alert, context);
    if (this.grouper.add(alert)) this.route(id, alert);
    else this.counters.grouped++;
  }

  /**
   * Closes open groups (sending their summaries) and waits until every queue is empty.
   * Resolves true when they emptied, false when `timeoutMs` passed first.
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.grouper.flush();
    const drained = Promise.all(this.workers.map(({ worker }) => worker.idle())).then(() => true);
    if (!Number.isFinite(timeoutMs)) return drained;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)),
    );
    const result = await Promise.race([drained, late]);
    clearTimeout(timer);
    return result;
  }

  /** Sends open group summaries to the queues, stops the workers and closes the queues. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.grouper.flush();
    this.closed = true;
    await Promise.all(this.workers.map(({ worker }) => worker.close()));
    this.queues.close();
  }

  /** Counters since start, with each output's queue depth now. */
  stats(): RouterStats {
    const outputs: Record<string, OutputStats> = {};
    for (const { spec, worker } of this.workers)
      outputs[spec.name] = { ...worker.stats, depth: worker.depth };
    return { ...this.counters, byRule: new Map(this.counters.byRule), outputs };
  }

  private route(id: string, alert: Alert): void {
    let encoded: string | undefined;
    for (const { spec, worker } of this.workers) {
      if (!passesFilter(spec, alert)) continue;
      encoded ??= encodeAlert(alert);
      worker.enqueue(id, encoded);
    }
  }

  private record(id: string, alert: Alert, context?: AlertContext): void {
    try {
      this.config.recorder?.record(id, alert, context);
    } catch (error) {
      this.logger.error(
        { err: error, ruleName: alert.rule },
        'alert not recorded in the store; delivery goes on',
      );
    }
  }

  private countRule(alert: Alert): void {
    const key = `${alert.priority}\u0000${alert.rule}`;
    const entry = this.counters.byRule.get(key);
    if (entry !== undefined) entry.count++;
    else this.counters.byRule.set(key, { rule: alert.rule, priority: alert.priority, count: 1 });
  }

  private startWorker(spec: OutputSpec): OutputWorker {
    const logger = this.logger.child({ output: spec.name });
    const template = compileTemplate(spec.template);
    const destination =
      spec.destination ??
      outputKinds[spec.type].create({ ...spec.options }, { name: spec.name, template, logger });
    const queue = this.queues.queue(spec.name, spec.queueSize ?? 100_000);
    const options = {
      timeoutMs: spec.timeoutMs ?? 10_000,
      retry: spec.retry ?? defaultRetryPolicy,
      hostname: this.config.hostname ?? systemHostname(),
      onOverflow: (id: string, alert: Alert) => this.record(id, alert),
    };
    return new OutputWorker(spec.name, queue, destination, options, logger);
  }

  private warnOrphans(configured: Set<string>): void {
    for (const name of this.queues.outputsWithPending()) {
      if (configured.has(name)) continue;
      this.logger.warn(
        { output: name },
        'queued alerts for an output no longer configured; kept on disk, not sent',
      );
    }
  }
}
