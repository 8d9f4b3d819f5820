/**
 * Runs the probe loader (`probe/build/harrier-probe`) as a child process and reads its frames
 * as batches of frames (one per stdout chunk, and one per frame split across chunks) or as an async iterable of records. Reading is
 * paced by the consumer: when too many events wait unread, stdout is paused, the loader blocks
 * on its writes, and the kernel's ring buffer fills and counts drops instead of Node buffering
 * without bound.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import {
  batchRecords,
  FRAME_KIND,
  frameEndAt,
  frameKindAt,
  FrameReader,
  type FrameBatch,
  type ProbeReadyRecord,
  type ProbeRecord,
  type ProbeStatsRecord,
} from './frame-reader.js';

/** Where `scripts/build-probe.sh` puts the loader, relative to this module in `dist/`. */
const BUILT_PROBE = fileURLToPath(new URL('../../../probe/build/harrier-probe', import.meta.url));

export interface ProbeOptions {
  /** Filter slots to enable (see `selectFilterSlots`). */
  slots: readonly number[];
  /** Those of `slots` whose calls are reported only when they succeed (result >= 0). */
  succeededOnly?: readonly number[];
  /** Loader binary; default `$HARRIER_PROBE_PATH` or `probe/build/harrier-probe`. */
  binaryPath?: string;
  /** How often the loader writes a STATS frame; default 1000 ms. */
  statsIntervalMs?: number;
  /** Kernel ring buffer size in MiB, a power of two; default 16. */
  ringBufferMb?: number;
  /** Unread events that pause stdout; default 16384. */
  highWaterMark?: number;
  /**
   * A process whose syscalls the kernel drops, usually Harrier itself: its reads of the event
   * pipe would otherwise come back as events. Default: none.
   */
  ignoreProcess?: number;
  /**
   * Watch the handled syscalls that have no `syscalls:sys_exit_*` tracepoint on this kernel
   * (init_module without CONFIG_MODULES) through the raw sys_exit tracepoint, which runs a
   * program for every syscall of every process. Default false: their calls are not seen.
   */
  watchUnimplemented?: boolean;
  /**
   * Attach the handlers of `slots` to their tracepoints but build no event (every slot stays
   * off): what the tracepoints alone cost the host, the floor any syscall probe pays. For
   * measuring; default false.
   */
  attachOnly?: boolean;
  /** Called with each line the loader writes to stderr (warnings), as it comes. */
  onMessage?: (line: string) => void;
}

/** How the loader ended. */
export interface ProbeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last STATS frame: the loader writes one as it stops. */
  finalStats: ProbeStatsRecord | undefined;
}

/** The loader binary is not there: it has not been built. */
export class ProbeBinaryMissingError extends Error {
  readonly path: string;

  constructor(path: string) {
    super(`eBPF probe loader not found at ${path}; build it with scripts/build-probe.sh`);
    this.name = 'ProbeBinaryMissingError';
    this.path = path;
  }
}

/** The loader stopped with an error: not root, no BTF, program refused, or it crashed. */
export class ProbeFailedError extends Error {
  /** The loader's own one-line reason, or a description of how it ended. */
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(`eBPF probe failed: ${reason}`, options);
    this.name = 'ProbeFailedError';
    this.reason = reason;
  }
}

/** The default loader path: `$HARRIER_PROBE_PATH`, else the build script's output. */
export function defaultProbeBinaryPath(): string {
  return process.env.HARRIER_PROBE_PATH || BUILT_PROBE;
}

type ProbeChild = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * A running probe. Iterate it for records (events, and STATS frames in stream order), or
 * `batches()` for the same frames in place, which is what a fast consumer reads; the iteration
 * ends after `stop()` once the loader has exited, or throws `ProbeFailedError` if the loader
 * dies.
 *
 * @example
 * const probe = await ProbeProcess.start({ slots: selectFilterSlots(['openat']).slots });
 * for await (const record of probe) if (record.kind === 'event') handle(record);
 */
export class ProbeProcess implements AsyncIterable<ProbeRecord> {
  /** The READY frame: the probe was attached when `start` resolved. */
  readonly ready: ProbeReadyRecord;
  private readonly queue: FrameBatch[] = [];
  /** Events in `queue`. */
  private queuedEvents = 0;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private exit: ProbeExit | undefined;
  private lastStats: ProbeStatsRecord | undefined;
  private stopping = false;

  private constructor(
    private readonly child: ProbeChild,
    private readonly highWaterMark: number,
    ready: ProbeReadyRecord,
  ) {
    this.ready = ready;
  }

  /**
   * Spawns the loader and resolves once its programs are attached. Throws
   * `ProbeBinaryMissingError` when the binary is missing and `ProbeFailedError` with the
   * loader's reason when it cannot start (for example "must run as root").
   */
  static async start(options: ProbeOptions): Promise<ProbeProcess> {
    const binary = options.binaryPath ?? defaultProbeBinaryPath();
    if (!existsSync(binary)) throw new ProbeBinaryMissingError(binary);
    const args = ['--syscalls', slotList(options.slots, options.succeededOnly)];
    if (options.statsIntervalMs !== undefined)
      args.push('--stats-ms', `${options.statsIntervalMs}`);
    if (options.ringBufferMb !== undefined) args.push('--ringbuf-mb', `${options.ringBufferMb}`);
    if (options.ignoreProcess !== undefined) args.push('--ignore-tgid', `${options.ignoreProcess}`);
    if (options.watchUnimplemented) args.push('--watch-unimplemented');
    if (options.attachOnly) args.push('--attach-only');
    // Its own process group: Ctrl-C on a terminal goes to Harrier alone, which stops the
    // loader itself; the loader seeing SIGINT first would read as capture lost.
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    // A control line written after the loader died fails with EPIPE; 'close' reports the death.
    child.stdin.on('error', () => undefined);

    return new Promise((resolve, reject) => {
      const stderr = collectStderr(child, options.onMessage);
      const reader = new FrameReader();
      let probe: ProbeProcess | undefined;
      const failEarly = (error: Error): void => {
        if (!probe) reject(error);
        else probe.fail(error);
      };

      child.on('error', (error) =>
        failEarly(new ProbeFailedError(error.message, { cause: error })),
      );
      child.stdout.on('data', (chunk: Buffer) => {
        let batches: FrameBatch[];
        try {
          batches = reader.pushBatches(chunk);
        } catch (error) {
          child.kill('SIGKILL');
          failEarly(error as Error);
          return;
        }
        for (let batch of batches) {
          if (!probe) {
            const ready = afterReady(batch);
            if (ready === undefined) continue;
            probe = new ProbeProcess(child, options.highWaterMark ?? 16384, ready.record);
            resolve(probe);
            batch = ready.rest;
          }
          if (batch.end > batch.start) probe.enqueue(batch);
        }
      });
      child.on('close', (code, signal) => {
        const stoppedBy = stderr.stopSignal();
        const reason = stderr.errorLine() ?? describeExit(code, signal, stoppedBy);
        if (!probe) reject(new ProbeFailedError(reason));
        else probe.finish({ code, signal, finalStats: probe.lastStats }, reason, stoppedBy);
      });
    });
  }

  /** The most recent STATS frame seen, if any. */
  get latestStats(): ProbeStatsRecord | undefined {
    return this.lastStats;
  }

  /** Replaces the enabled filter slots while the probe runs (e.g. after a rule reload). */
  setSlots(slots: readonly number[], succeededOnly: readonly number[] = []): void {
    this.child.stdin.write(`syscalls ${slotList(slots, succeededOnly)}\n`);
  }

  /** Asks the loader for a STATS frame now, in addition to the periodic ones. */
  requestStats(): void {
    this.child.stdin.write('stats\n');
  }

  /**
   * Asks for a barrier: the loader reads its ring dry, then sends a STATS frame with `token`
   * (a positive integer). Every event captured before the request comes before that frame.
   */
  requestSync(token: number): void {
    this.child.stdin.write(`sync ${token}\n`);
  }

  /**
   * Stops the loader: closes its stdin, then sends SIGTERM and finally SIGKILL if it has not
   * exited within `timeoutMs`. Records already read stay available to the iterator.
   */
  async stop(timeoutMs = 5000): Promise<ProbeExit> {
    this.stopping = true;
    this.child.stdout.resume(); // the loader must be able to write its last frames
    this.child.stdin.end();
    const ended = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    if (!this.exit && !(await settlesWithin(ended, timeoutMs))) {
      this.child.kill('SIGTERM');
      if (!(await settlesWithin(ended, timeoutMs))) this.child.kill('SIGKILL');
      await ended;
    }
    return this.exit ?? { code: null, signal: null, finalStats: this.lastStats };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProbeRecord> {
    for await (const batch of this.batches()) yield* batchRecords(batch);
  }

  /**
   * The frames as they arrive, in batches (see `FrameReader.pushBatches`). Read a batch's events before asking
   * for the next one: unread batches are what pauses the loader.
   */
  async *batches(): AsyncGenerator<FrameBatch> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        this.queuedEvents -= batch.eventCount;
        if (this.queuedEvents < this.highWaterMark / 2) this.child.stdout.resume();
        yield batch;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.exit) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private enqueue(batch: FrameBatch): void {
    for (const record of batch.records) if (record.kind === 'stats') this.lastStats = record;
    this.queue.push(batch);
    this.queuedEvents += batch.eventCount;
    if (!this.stopping && this.queuedEvents >= this.highWaterMark) this.child.stdout.pause();
    this.wake();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  /** `stoppedBy`: the signal the loader says stopped it, which Harrier sent only when stopping. */
  private finish(exit: ProbeExit, reason: string, stoppedBy: string | undefined): void {
    this.exit = exit;
    const clean = this.stopping
      ? exit.code === 0 || exit.signal !== null
      : exit.code === 0 && stoppedBy === undefined;
    if (!clean) this.fail(new ProbeFailedError(reason));
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** The loader's slot list: `257` reports every call, `257s` only the calls that succeeded. */
function slotList(slots: readonly number[], succeededOnly: readonly number[] = []): string {
  const onlySucceeded = new Set(succeededOnly);
  return slots.map((slot) => (onlySucceeded.has(slot) ? `${slot}s` : `${slot}`)).join(',');
}

/** The READY record of a batch and the frames after it; undefined when it holds none. */
function afterReady(batch: FrameBatch): { record: ProbeReadyRecord; rest: FrameBatch } | undefined {
  const { view, records } = batch;
  let next = 0;
  for (let at = batch.start; at < batch.end; at = frameEndAt(view, at)) {
    if (frameKindAt(view, at) === FRAME_KIND.EVENT) continue;
    const record = records[next++];
    if (record?.kind !== 'ready') continue;
    const start = frameEndAt(view, at);
    let eventCount = 0;
    for (let rest = start; rest < batch.end; rest = frameEndAt(view, rest))
      if (frameKindAt(view, rest) === FRAME_KIND.EVENT) eventCount++;
    return { record, rest: { ...batch, start, records: records.slice(next), eventCount } };
  }
  return undefined;
}

const ERROR_PREFIX = 'harrier-probe: error: ';

/**
 * Reads the loader's stderr lines, each handed to `onLine` as it comes; keeps only its first
 * error line and its last line (which may name the signal that stopped it).
 */
function collectStderr(child: ProbeChild, onLine?: (line: string) => void) {
  let partial = '';
  let error: string | undefined;
  let last: string | undefined;
  const take = (line: string): void => {
    if (!line) return;
    if (error === undefined && line.startsWith(ERROR_PREFIX)) error = line;
    last = line;
    onLine?.(line);
  };

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    parts.forEach(take);
  });
  return {
    errorLine(): string | undefined {
      const line = error ?? (partial.startsWith(ERROR_PREFIX) ? partial : undefined);
      return line?.slice(ERROR_PREFIX.length);
    },
    /** The signal named by the loader's last line, `harrier-probe: stopped by SIGTERM`. */
    stopSignal(): string | undefined {
      return /^harrier-probe: stopped by (SIG\w+)$/.exec(partial || last || '')?.[1];
    },
  };
}

function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stoppedBy: string | undefined,
): string {
  if (signal) return `loader killed by ${signal}`;
  if (code === 0 && stoppedBy !== undefined)
    return `loader stopped by ${stoppedBy}, which Harrier did not send`;
  return `loader exited with status ${code}`;
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
