/**
 * Live monitoring of this host: the probe's records go through the event decoder and the
 * state engine (started from a `/proc` snapshot) to the syscall rules, the same path capture
 * replay takes, so a live event and its recorded copy give the same answers. The probe
 * captures only what the rules can match plus what the state engine needs; a rule reload
 * swaps the rules between two events and pushes the new event set into the probe.
 *
 * Drops are counted where they happen: in the kernel (STATS frames, reported by
 * `DropMonitor`) and here (events that cannot be decoded). The queue between the loader and
 * this pipeline does not drop: when it is full the loader blocks, the ring buffer fills and
 * the kernel counts what it cannot keep. A thread whose exit event was dropped is removed
 * from the state once `/proc` shows it gone (see `live-gone-threads.ts`), checked every minute.
 *
 * @example
 * const live = await LivePipeline.start({ ruleSet, onAlert: (alert) => print(alert), logger });
 * process.once('SIGINT', () => void live.stop());
 * await live.done;
 */
import type { Logger } from 'pino';
import type { SyscallEvent } from '../decode/event.js';
import { EventDecoder } from '../decode/event-decoder.js';
import { StateEngine } from '../decode/state/engine.js';
import type { ThreadInfo } from '../decode/state/types.js';
import type { RuleSet } from '../detect/index.js';
import type { Alert } from '../alerts/alert.js';
import type { TimeFormat } from '../alerts/alert-factory.js';
import type { AlertContext } from '../alerts/index.js';
import { SourceMetrics, type HarrierMetrics } from '../api/metrics.js';
import {
  FRAME_HEADER_SIZE,
  FRAME_KIND,
  frameEndAt,
  frameKindAt,
  type FrameBatch,
  type ProbeStatsRecord,
} from '../sources/ebpf/frame-reader.js';
import { ProbeProcess, type ProbeOptions } from '../sources/ebpf/probe-process.js';
import { HANDLED_EVENT_NAMES, selectFilterSlots } from '../sources/ebpf/syscall-selection.js';
import {
  readProcSnapshot,
  snapshotRecords,
  type ProcSnapshot,
  type ProcSnapshotOptions,
} from '../sources/procfs/index.js';
import { ScapWriter, type ScapLayout } from '../sources/scap/scap-writer.js';
import { CaptureFlusher } from './capture-flush.js';
import type { ContainerInfo } from '../sources/container-runtime/index.js';
import { containerJsonEvent } from './container-events.js';
import { DropMonitor, type DropTotals } from './live-drops.js';
import { dropNoteEvent, type DropNote } from './drop-notes.js';
import { GoneThreadScan } from './live-gone-threads.js';
import { syscallSetFor, unwatchedEvents, type SyscallSet } from './live-syscalls.js';
import type { SyscallAlertContext } from './syscall-context.js';
import { SyscallDetection } from './syscall-detection.js';

/**
 * Container metadata from the runtime (name, image, labels), see `live-containers.ts`: called
 * before the rules run on an event; a returned promise is awaited, and the hook itself bounds
 * how long.
 */
export interface ContainerMetadataHook {
  prepare(event: SyscallEvent): Promise<void> | undefined;
  /**
   * Describes the containers of the threads running at start (from the `/proc` snapshot),
   * before the first event, so that the recording names them at its start.
   */
  describeRunning?(threads: Iterable<ThreadInfo>): Promise<void>;
}

export interface LivePipelineOptions {
  /** Rules to run; without one, nothing is detected (recording only). */
  ruleSet?: RuleSet;
  /** Receives each alert, with its lineage and recent events when `context` is given. */
  onAlert?: (alert: Alert, context?: AlertContext) => void;
  logger: Logger;
  timeFormat?: TimeFormat;
  hostname?: string;
  /** Fields added to every alert's `output_fields` (`--container-fields`). */
  extraFields?: readonly string[];
  /** Events to capture when there is no ruleset; default every event the probe handles. */
  eventNames?: Iterable<string>;
  /** Loader settings (binary, stats interval, ring buffer size). */
  probe?: Omit<ProbeOptions, 'slots'>;
  snapshot?: ProcSnapshotOptions;
  /** Write the snapshot and every event to this `.scap` (`.scap.gz`) file. */
  record?: { path: string; layout?: ScapLayout };
  containers?: ContainerMetadataHook;
  /** Follows events for each alert's context (the store); kept across rule reloads. */
  context?: SyscallAlertContext;
  /** Counts events by type and rule evaluation time. */
  metrics?: HarrierMetrics;
}

/** What a live session did, for the summary printed at exit. */
export interface LiveCounters {
  /** Events decoded and run through the state engine. */
  events: number;
  alerts: number;
  /** Drop alerts raised. */
  dropAlerts: number;
  drops: DropTotals;
  /** Events the kernel saw and sent, from the last STATS frame. */
  kernelEventsSeen: number;
  kernelEventsSent: number;
  /** Selected syscalls that the probe has no handler for. */
  noHandler: number;
  /**
   * Failed calls the kernel skipped because no rule can match them and the state ignores them
   * (filtered, like unselected syscalls: not drops).
   */
  kernelSkippedFailed?: number;
  /** Events written to the record file. */
  recorded: number;
  /** Container events written to the record file (counted in `recorded`). */
  recordedContainers?: number;
  /** Threads and descriptors read from /proc at start. */
  snapshotThreads: number;
  snapshotFds: number;
  reloads: number;
  /** Threads in the state table now. */
  threads: number;
  /** Threads removed because `/proc` showed them gone though their exit event never came. */
  threadsReapedGone: number;
  /** New threads the state refused because its table was full. */
  threadsDroppedTableFull: number;
  /** New descriptors the state refused because their process's table was full. */
  fdsDroppedTableFull: number;
  /** Fork parents' descriptor copies dropped because too many children were still awaited. */
  pendingClonesDropped: number;
}

/** How often the state's threads are checked against `/proc`. */
const GONE_THREAD_CHECK_MS = 60_000;

export class LivePipeline {
  /** Settles when capture ends: after `stop()`, or with the probe's error. */
  readonly done: Promise<void>;
  readonly engine = new StateEngine();
  private readonly decoder = new EventDecoder();
  private detection: SyscallDetection | undefined;
  private syscalls: SyscallSet | undefined;
  private readonly drops: DropMonitor;
  private alertsBefore = 0;
  private eventsSeen = 0;
  private lastStats: ProbeStatsRecord | undefined;
  private reloads = 0;
  /** Rule reloads waiting for their sync barrier, by token. */
  private readonly syncWaiters = new Map<number, () => void>();
  private syncTokens = 0;
  private readonly metrics: SourceMetrics | undefined;
  private readonly goneThreads: GoneThreadScan;
  private readonly goneThreadTimer: NodeJS.Timeout;
  /** The check of gone threads under way, if one is. */
  private goneThreadCheck: Promise<number> | undefined;
  private captureEnded = false;
  /**
   * Container records already in the recording. The metadata cache hands out one record per
   * container, so a weak set forgets what the cache forgot; a container fetched again is
   * written again, which a replay takes as the newer record.
   */
  private readonly recordedContainers = new WeakSet<ContainerInfo>();
  private containerEventsWritten = 0;
  /** Writes the recording out every second, so that a killed recorder loses at most that. */
  private readonly captureFlusher: CaptureFlusher | undefined;

  private constructor(
    private readonly probe: ProbeProcess,
    private readonly options: LivePipelineOptions,
    private readonly snapshot: ProcSnapshot,
    private readonly writer: ScapWriter | undefined,
  ) {
    this.metrics = options.metrics && new SourceMetrics(options.metrics, 'syscall');
    this.drops = new DropMonitor({
      logger: options.logger,
      hostname: this.hostname,
      timeFormat: options.timeFormat,
      onAlert: (alert) => options.onAlert?.(alert),
      activity: options.ruleSet === undefined ? 'recording' : 'detection',
      onNote: (note) => this.noteDrops(note),
    });
    if (options.ruleSet !== undefined) this.useRules(options.ruleSet);
    else this.warnUnwatched([...(options.eventNames ?? HANDLED_EVENT_NAMES)]);
    this.goneThreads = new GoneThreadScan(this.engine.table, {
      bootTimeNs: snapshot.machine.bootTimestamp,
    });
    this.goneThreadTimer = setInterval(
      () => void this.removeGoneThreads(),
      GONE_THREAD_CHECK_MS,
    ).unref();
    this.captureFlusher = writer && new CaptureFlusher(writer);
    this.applySnapshot();
    this.done = this.pump();
  }

  /**
   * Starts the probe with the event set of the rules, reads the `/proc` snapshot into the
   * state engine (after the probe is attached, so no process slips between the two), opens
   * the record file, and starts processing. Throws the probe's `ProbeBinaryMissingError` or
   * `ProbeFailedError`, or the record file's creation error.
   */
  static async start(options: LivePipelineOptions): Promise<LivePipeline> {
    const set = options.ruleSet !== undefined ? syscallSetFor(options.ruleSet) : undefined;
    const slots = set?.slots ?? selectFilterSlots(options.eventNames ?? HANDLED_EVENT_NAMES).slots;
    const succeededOnly = succeededOnlySlots(set, options);
    // The kernel drops Harrier's own syscalls: its reads of the probe's pipe would otherwise
    // come back as events, thousands a second.
    const probe = await ProbeProcess.start({
      ignoreProcess: process.pid,
      onMessage: (line) => logProbeMessage(options.logger, line),
      ...options.probe,
      slots,
      succeededOnly,
    });
    try {
      const snapshot = readProcSnapshot(options.snapshot);
      const writer =
        options.record === undefined ? undefined : await openRecord(options.record, snapshot);
      const pipeline = new LivePipeline(probe, options, snapshot, writer);
      options.logger.info(
        {
          threads: snapshot.threads.length,
          fds: snapshot.fds.length,
          kernelThreadsOrGone: snapshot.skipped,
          slots: slots.length,
        },
        'live capture started',
      );
      if (options.containers === undefined) {
        options.logger.info(
          'container metadata is not fetched: container.id comes from cgroups, container.name and image read as their defaults',
        );
      }
      return pipeline;
    } catch (error) {
      await probe.stop();
      throw error;
    }
  }

  /** The host name alerts carry: the option's, else this machine's. */
  get hostname(): string {
    return this.options.hostname ?? this.snapshot.machine.hostname;
  }

  /** The event names the probe captures now. */
  get capturedEvents(): readonly string[] {
    return this.syscalls?.names ?? [];
  }

  /**
   * Pushes `ruleSet`'s event set into the probe, then runs `ruleSet` once every event captured
   * before the call has been judged by the old rules (a sync barrier through the loader).
   * Capture does not stop. Resolves when the new rules are in place, or when capture ended.
   */
  async replaceRules(ruleSet: RuleSet): Promise<void> {
    const syscalls = syscallSetFor(ruleSet);
    this.probe.setSlots(syscalls.slots, succeededOnlySlots(syscalls, this.options));
    const token = ++this.syncTokens;
    const reached = new Promise<void>((resolve) => this.syncWaiters.set(token, resolve));
    this.probe.requestSync(token);
    await reached;
    this.useRules(ruleSet, syscalls);
    this.reloads++;
  }

  /**
   * Checks a slice of the state's threads against `/proc` and removes those gone (their exit
   * event lost) once every event captured before the check has been processed, so that an
   * event still queued for such a thread finds it. Resolves with how many threads left the
   * table; a call while a check is under way shares it. Runs every minute by itself.
   *
   * LIMIT: the loader's sync drains at most 64 × 65536 events; behind a larger backlog (a ring
   * buffer of hundreds of MiB, full) a removed thread's last events can come after it is gone,
   * and show `<NA>` for its process fields.
   */
  removeGoneThreads(): Promise<number> {
    this.goneThreadCheck ??= this.checkGoneThreads().finally(() => {
      this.goneThreadCheck = undefined;
    });
    return this.goneThreadCheck;
  }

  private async checkGoneThreads(): Promise<number> {
    if (this.captureEnded) return 0;
    const { logger } = this.options;
    const { gone, checked, unreadable } = this.goneThreads.findGone();
    if (unreadable > 0)
      logger.warn(
        { threads: unreadable },
        'thread entries in /proc could not be read; those threads are checked again next time',
      );
    if (gone.length === 0) return 0;
    // The removal runs in the pump, at the barrier: between two events, none of them waiting.
    const token = ++this.syncTokens;
    const removed = new Promise<number>((resolve) =>
      this.syncWaiters.set(token, () => resolve(this.engine.removeGone(gone))),
    );
    this.probe.requestSync(token);
    const count = await removed;
    if (count > 0)
      logger.info(
        { threads: count, checked },
        'threads gone from /proc whose exit was not seen were removed from the state',
      );
    return count;
  }

  /** Stops the probe, processes what it had sent, closes the record file; returns the counters. */
  async stop(): Promise<LiveCounters> {
    await this.probe.stop();
    await this.done.catch(() => undefined);
    await this.captureFlusher?.stop();
    await this.writer?.close();
    return this.counters;
  }

  get counters(): LiveCounters {
    const stats = this.lastStats?.counters;
    return {
      events: this.eventsSeen,
      alerts: this.alertsBefore + (this.detection?.alerts ?? 0),
      dropAlerts: this.drops.alerts,
      drops: this.drops.totals,
      kernelEventsSeen: stats?.eventsSeen ?? 0,
      kernelEventsSent: stats?.eventsSent ?? 0,
      noHandler: stats?.noHandler ?? 0,
      kernelSkippedFailed: stats?.skippedFailed ?? 0,
      recorded: this.writer?.eventCount ?? 0,
      recordedContainers: this.containerEventsWritten,
      snapshotThreads: this.snapshot.threads.length,
      snapshotFds: this.snapshot.fds.length,
      reloads: this.reloads,
      threads: this.engine.table.size,
      threadsReapedGone: this.engine.table.counters.threadsReapedGone,
      threadsDroppedTableFull: this.engine.table.counters.threadsDroppedTableFull,
      fdsDroppedTableFull: this.engine.table.counters.fdsDroppedTableFull,
      pendingClonesDropped: this.engine.table.pendingClones.dropped,
    };
  }

  /** Says which of the captured `names` this kernel cannot show (see `unwatchedEvents`). */
  private warnUnwatched(names: readonly string[]): void {
    const { rawPath, untracedSyscalls } = this.probe.ready;
    if (rawPath && untracedSyscalls.length > 0) {
      this.options.logger.info(
        { syscalls: untracedSyscalls.length },
        'syscalls without a tracepoint are watched through the raw sys_exit tracepoint, which runs on every syscall',
      );
    }
    const unwatched = unwatchedEvents(names, this.probe.ready);
    if (unwatched.length === 0) return;
    // Information, not a warning: a call the kernel does not implement fails and changes
    // nothing, and no setting on this host can make it succeed.
    this.options.logger.info(
      { events: unwatched },
      'this kernel does not implement these syscalls (they have no tracepoint): their calls fail and are not seen; --watch-unimplemented-syscalls watches them at a cost to every syscall',
    );
  }

  private useRules(ruleSet: RuleSet, syscalls = syscallSetFor(ruleSet)): void {
    const { options } = this;
    this.alertsBefore += this.detection?.alerts ?? 0;
    this.syscalls = syscalls;
    this.detection = new SyscallDetection({
      ruleSet,
      onAlert: (alert, context) => options.onAlert?.(alert, context),
      timeFormat: options.timeFormat,
      hostname: this.hostname,
      extraFields: options.extraFields,
      context: options.context,
      metrics: this.metrics,
    });
    this.warnUnwatched(this.syscalls.names);
    if (this.syscalls.uncaptured.length > 0) {
      options.logger.warn(
        { events: this.syscalls.uncaptured },
        'rules name events the probe does not capture; those conditions never match live',
      );
    }
    options.logger.info(
      {
        count: this.syscalls.names.length,
        events: this.syscalls.names,
        succeededOnly: succeededOnlySlots(this.syscalls, options).length
          ? this.syscalls.succeededOnly
          : [],
      },
      'syscall set pushed into the probe',
    );
  }

  /** The snapshot into the state engine, in capture-header order, with thread start times. */
  private applySnapshot(): void {
    for (const record of snapshotRecords(this.snapshot)) this.engine.applyRecord(record);
    this.engine.finishBootstrap();
    for (const thread of this.snapshot.threads) {
      const state = this.engine.table.findThread(thread.tid);
      if (state !== undefined && thread.startTs !== 0n) state.cloneTs = thread.startTs;
    }
  }

  /**
   * Batches of frames, each read in one synchronous pass: an await per event would cost a
   * promise and a turn of the microtask queue each, more than most events cost to judge.
   */
  private async pump(): Promise<void> {
    try {
      await this.describeRunningContainers();
      for await (const batch of this.probe.batches()) {
        const { view } = batch;
        let nextRecord = 0;
        for (let at = batch.start; at < batch.end;) {
          const frame = at;
          at = frameEndAt(view, frame);
          if (frameKindAt(view, frame) === FRAME_KIND.EVENT) {
            const pending = this.handleEvent(batch, frame + FRAME_HEADER_SIZE, at);
            if (pending !== undefined) await pending;
            continue;
          }
          const record = batch.records[nextRecord++]!;
          if (record.kind === 'stats') {
            this.lastStats = record;
            this.drops.take(record);
            this.syncWaiters.get(record.token)?.();
            this.syncWaiters.delete(record.token);
          }
        }
      }
    } finally {
      this.captureEnded = true;
      clearInterval(this.goneThreadTimer);
      // Capture ended: a reload waiting for its barrier goes ahead (no event is left to judge).
      for (const resolve of this.syncWaiters.values()) resolve();
      this.syncWaiters.clear();
    }
  }

  /**
   * The event at `batch.bytes[start, end)` through decoder, state and rules; a promise only
   * when something must be awaited.
   */
  private handleEvent(batch: FrameBatch, start: number, end: number): Promise<void> | undefined {
    let event: SyscallEvent | undefined;
    try {
      event = this.decoder.decodeAt(batch.bytes, batch.view, start, end, 0, 0, true);
    } catch (error) {
      this.noteUndecodable(batch.view.getUint16(start + 20, true), error as Error);
      return undefined;
    }
    if (event === undefined) {
      this.drops.countUserspace();
      return undefined;
    }
    this.engine.processEvent(event);
    const hook = this.options.containers?.prepare(event);
    const rawBytes = batch.bytes.subarray(start, end);
    if (hook === undefined) return this.recordAndDetect(event, rawBytes, this.detection);
    const detection = this.detection;
    return hook.then(() => this.recordAndDetect(event, rawBytes, detection));
  }

  /**
   * Writes `event` (after its container's record, the first time the container's metadata
   * judges an event) and runs the rules on it; a promise when the record file must drain.
   */
  private recordAndDetect(
    event: SyscallEvent,
    rawBytes: Uint8Array,
    detection: SyscallDetection | undefined,
  ): Promise<void> | undefined {
    this.recordContainer(event.thread?.container, event.ts);
    // Numbered among the events kept, so that evt.num matches a replay of the recording.
    event.num = ++this.eventsSeen;
    this.writer?.writeEvent({ rawBytes });
    detection?.detect(event);
    return this.writer?.isBackedUp === true ? this.writer.drain() : undefined;
  }

  /** The containers of the threads running at start, described and written first. */
  private async describeRunningContainers(): Promise<void> {
    const hook = this.options.containers;
    if (hook?.describeRunning === undefined) return;
    const threads = this.snapshot.threads
      .map((thread) => this.engine.table.findThread(thread.tid))
      .filter((thread) => thread !== undefined);
    await hook.describeRunning(threads);
    const ts = BigInt(Date.now()) * 1_000_000n;
    for (const thread of threads) this.recordContainer(thread.container, ts);
    await this.writer?.drain();
  }

  /**
   * Writes a container event for `info` (its pod sandbox's first) unless the recording has
   * one. Counted as an event, as a replay counts it; a backed-up file is the caller's to drain.
   */
  private recordContainer(info: ContainerInfo | undefined, ts: bigint): void {
    const writer = this.writer;
    if (writer === undefined || info === undefined || this.recordedContainers.has(info)) return;
    this.recordedContainers.add(info);
    this.recordContainer(info.sandbox, ts);
    this.eventsSeen++;
    this.containerEventsWritten++;
    writer.writeEvent({ rawBytes: containerJsonEvent(ts, info) });
  }

  /**
   * Keeps new drops in the recording (see drop-notes.ts). The note takes an event number, with
   * or without a recording, so that evt.num matches a replay of it.
   * LIMIT: a legacy-layout recording keeps no notes (sysdig 0.29's event table ends before
   * async events): its replay raises no drop alert and does not know it has gaps.
   */
  private noteDrops(note: DropNote): void {
    if (this.options.record?.layout === 'legacy') return;
    this.eventsSeen++;
    if (this.writer === undefined) return;
    // A full stream buffers the note; the next event's write waits for the drain.
    this.writer.writeEvent({ rawBytes: dropNoteEvent(note) });
  }

  private noteUndecodable(code: number, error: Error): void {
    this.drops.countUserspace();
    const { logger } = this.options;
    if (logger.isLevelEnabled('debug'))
      logger.debug({ code, err: error }, 'undecodable probe event skipped');
  }
}

/**
 * Logs a line of the loader's stderr: its warnings as warnings. Its closing lines are left out
 * (Harrier prints its own counters, and the signal that stopped it is in the probe's failure),
 * and its error line reaches the user as the start failure.
 */
function logProbeMessage(logger: Logger, line: string): void {
  const warning = /^harrier-probe: warning: (.*)$/.exec(line);
  if (warning) logger.warn({ source: 'probe' }, warning[1]!);
  else if (!line.startsWith('harrier-probe: stopped') && !line.startsWith('harrier-probe: error:'))
    logger.info({ source: 'probe' }, line);
}

/**
 * Slots whose failed calls the probe skips: those of `set` (no rule matches their failures),
 * unless alert context is kept, which lists a process's recent events, failed ones included.
 */
function succeededOnlySlots(set: SyscallSet | undefined, options: LivePipelineOptions): number[] {
  return options.context === undefined ? (set?.succeededOnlySlots ?? []) : [];
}

/** Help of `--legacy-layout` (run and record). */
export const LEGACY_LAYOUT_HELP =
  'write the capture in the layout sysdig 0.29 (libs before 0.10) opens: no pidns start time, ' +
  'tty, exe inode facts or pgid, newer fd types (bpf, memfd, ...) as unsupported; sysdig 0.29 ' +
  'still needs enter events for some calls and sockets, which Harrier does not write';

/** The capture layout `--legacy-layout` asks for. */
export function captureLayout(options: { legacyLayout?: boolean }): ScapLayout {
  return options.legacyLayout ? 'legacy' : 'current';
}

async function openRecord(
  record: { path: string; layout?: ScapLayout },
  snapshot: ProcSnapshot,
): Promise<ScapWriter> {
  const { machine, interfaces, users, groups, threads, fds } = snapshot;
  return ScapWriter.create(
    record.path,
    { machine, interfaces, users, groups, threads, fds },
    { layout: record.layout ?? 'current' },
  );
}
