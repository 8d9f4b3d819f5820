/**
 * The delivery loop of one output: takes the oldest queued alerts, sends them with a timeout,
 * removes them once accepted, and otherwise waits with backoff and tries again, for as long
 * as it takes. A queue overflow is reported as an alert once the queue has room again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Alert } from './alert.js';
import { retryDelay, type RetryPolicy } from './backoff.js';
import type { OverflowCount, OutputQueue, QueuedDelivery } from './queue.js';
import { DeliveryError, type Destination } from './outputs/types.js';

/** Counters of one output since the router started. */
export interface OutputStats {
  /** Alerts that passed the filters and were queued. */
  queued: number;
  /** Alerts the destination accepted. */
  delivered: number;
  /** Accepted alerts that had been sent before: the far end may hold them twice. */
  possibleDuplicates: number;
  /** Failed send attempts (each retried). */
  failures: number;
  /** Alerts the destination refused for their content, set aside on disk. */
  rejected: number;
  /** Alerts dropped because the queue was full (each counted in an overflow alert). */
  dropped: number;
  /** Alerts waiting now. */
  depth: number;
}

export interface OutputWorkerOptions {
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Hostname for the overflow alert. */
  readonly hostname: string;
  /** Called with each overflow alert once it is queued (the router records it in the store). */
  readonly onOverflow?: (id: string, alert: Alert) => void;
}

/** Drives one destination from one queue. */
export class OutputWorker {
  readonly stats: OutputStats;
  private wake: (() => void) | undefined;
  private closing = false;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly queue: OutputQueue,
    private readonly destination: Destination,
    private readonly options: OutputWorkerOptions,
    private readonly logger: Logger,
  ) {
    this.stats = {
      queued: 0,
      delivered: 0,
      possibleDuplicates: 0,
      failures: 0,
      rejected: 0,
      dropped: 0,
      depth: 0,
    };
    this.done = this.run();
  }

  /** Queues one alert (already encoded) and wakes the loop. */
  enqueue(id: string, encoded: string): void {
    if (this.queue.pushEncoded(id, encoded)) this.stats.queued++;
    else this.stats.dropped++;
    this.wake?.();
  }

  /** Resolves once the queue is empty (never, while the destination stays down). */
  idle(): Promise<void> {
    if (this.queue.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the loop; a send in flight is aborted and its alerts stay queued. */
  async close(): Promise<void> {
    this.closing = true;
    this.abort.abort(new Error(`output ${this.name} closing`));
    this.wake?.();
    await this.done;
    await this.destination.close();
  }

  get depth(): number {
    return this.queue.depth;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      this.reportOverflow();
      const batch = this.queue.peek(this.destination.batchSize);
      if (batch.length === 0) {
        this.notifyIdle();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const ok = await this.attempt(batch);
      if (ok) failures = 0;
      else if (!this.closing) await this.pause(retryDelay(this.options.retry, ++failures));
    }
  }

  /** One send of `batch`; true when the loop may go on at once. */
  private async attempt(batch: QueuedDelivery[]): Promise<boolean> {
    this.queue.markAttempt(batch);
    const signal = AbortSignal.any([
      this.abort.signal,
      AbortSignal.timeout(this.options.timeoutMs),
    ]);
    try {
      await raceAbort(this.destination.send(batch, signal), signal);
      this.accept(batch);
      return true;
    } catch (error) {
      if (this.closing) return false;
      return this.fail(batch, error);
    }
  }

  private accept(batch: readonly QueuedDelivery[]): void {
    this.queue.acknowledge(batch);
    this.stats.delivered += batch.length;
    this.stats.possibleDuplicates += batch.filter((item) => item.attempts > 0).length;
  }

  private fail(batch: QueuedDelivery[], error: unknown): boolean {
    this.stats.failures++;
    const failure = error instanceof DeliveryError ? error : undefined;
    const accepted = new Set(failure?.acceptedIds ?? []);
    if (accepted.size > 0) this.accept(batch.filter((item) => accepted.has(item.id)));
    const rest = batch.filter((item) => !accepted.has(item.id));
    if (failure !== undefined && !failure.retryable) {
      this.queue.setAside(rest);
      this.stats.rejected += rest.length;
      this.logger.error(
        { output: this.name, count: rest.length, err: error },
        'destination refused alerts; set aside on disk, not retried',
      );
      return true;
    }
    this.logger.warn(
      { output: this.name, count: rest.length, err: error },
      'delivery failed; retrying after backoff',
    );
    return false;
  }

  private reportOverflow(): void {
    if (this.queue.depth >= this.queue.maxSize) return;
    const id = randomUUID();
    let alert: Alert | undefined;
    const count = this.queue.reportOverflow(
      id,
      (overflow) => (alert = this.overflowAlert(overflow)),
    );
    if (count === undefined || alert === undefined) return;
    this.options.onOverflow?.(id, alert);
    this.logger.error(
      { output: this.name, count: count.dropped },
      'queue was full; dropped alerts reported as an overflow alert',
    );
  }

  private overflowAlert(count: OverflowCount): Alert {
    const first = new Date(count.firstMs).toISOString();
    const last = new Date(count.lastMs).toISOString();
    return {
      time: BigInt(count.lastMs) * 1_000_000n,
      rule: 'Harrier output queue overflow',
      priority: 'Critical',
      source: 'internal',
      hostname: this.options.hostname,
      output:
        `${new Date(count.lastMs).toISOString()}: Critical output ${this.name} dropped ${count.dropped} ` +
        `alerts because its queue was full (first ${first}, last ${last})`,
      outputFields: new Map<string, string | bigint>([
        ['harrier.output', this.name],
        ['harrier.dropped', BigInt(count.dropped)],
        ['harrier.first_dropped', first],
        ['harrier.last_dropped', last],
      ]),
      tags: ['harrier'],
    };
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.abort.signal.addEventListener('abort', finish);
    });
  }
}

/** `work`, or a rejection as soon as `signal` aborts, whichever comes first. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
