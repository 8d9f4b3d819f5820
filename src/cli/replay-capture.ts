/**
 * The capture side of `harrier replay`: each capture (plain or gzip) becomes a stream of
 * syscall events with state applied (its own decoder and state engine), which the replay
 * merges by time with the other sources and runs through the syscall rules.
 */
import { syscallEventBatches } from '../decode/pipeline.js';
import { StateEngine } from '../decode/state/engine.js';
import type { SyscallEvent } from '../decode/event.js';
import type { RuleSet } from '../detect/index.js';
import type { Alert } from '../alerts/alert.js';
import type { TimeFormat } from '../alerts/alert-factory.js';
import type { AlertContext } from '../alerts/index.js';
import { SourceMetrics, type HarrierMetrics } from '../api/metrics.js';
import {
  CaptureFileChunks,
  ScapFormatError,
  type UnknownBlockRecord,
} from '../sources/scap/index.js';
import type { ByteSource } from '../sources/files/index.js';
import { SyscallAlertContext } from './syscall-context.js';
import { SyscallDetection } from './syscall-detection.js';
import { UnknownEvents } from './unknown-events.js';
import { RecordedDrops } from './recorded-drops.js';
import { RecordedContainers } from './recorded-containers.js';

/** A capture could not be read to its end; the events before the fault were replayed. */
export class CaptureReadError extends Error {
  readonly path: string;
  /** What is wrong, without the path. */
  readonly reason: string;
  /** Byte offset of the bad block in the uncompressed stream, when the format broke. */
  readonly offset: number | undefined;

  constructor(path: string, cause: Error) {
    super(`${path}: ${cause.message}`, { cause });
    this.name = 'CaptureReadError';
    this.path = path;
    this.reason = cause.message;
    this.offset = cause instanceof ScapFormatError ? cause.offset : undefined;
  }
}

/** One capture event, with its capture's replay (the detection that judges it and the rest). */
export interface CaptureEvent {
  event: SyscallEvent;
  capture: CaptureSide;
}

export interface CaptureReplayOptions {
  ruleSet: RuleSet;
  /** Receives each alert, with its lineage and recent events when `context` is set. */
  onAlert: (alert: Alert, context?: AlertContext) => void;
  timeFormat?: TimeFormat;
  hostname?: string;
  extraFields?: readonly string[];
  /** Follow each capture's events to give alerts their context (for the store). */
  context?: boolean;
  metrics?: HarrierMetrics;
}

/** Blocks of unknown type a capture held among its metadata, skipped as libscap skips them. */
interface SkippedBlocks {
  count: number;
  /** The first `MAX_SKIPPED_BLOCKS` of them: offset in the (uncompressed) stream and type. */
  first: { offset: number; blockType: number }[];
  /** Whether offsets count bytes of a gzip file's uncompressed stream. */
  uncompressed: boolean;
}

/** Skipped blocks remembered per capture; the rest are counted. */
const MAX_SKIPPED_BLOCKS = 10;

/** Counters of one capture file. */
export interface CaptureStats {
  path: string;
  events: number;
  alerts: number;
  /** Why the capture could not be read to its end; its events before the fault were run. */
  failure?: CaptureReadError;
  skippedBlocks: SkippedBlocks;
  /** Events of a type newer than Harrier's event table, skipped as libscap skips them. */
  unknownEvents: UnknownEvents;
  /** What the live capture lost while this recording was made. */
  recordedDrops: RecordedDrops;
  /** The containers its container events described. */
  recordedContainers: RecordedContainers;
  /** What the state's bounded tables refused while replaying it. */
  stateRefused: StateRefusals;
}

/** New threads, descriptors and fork children's fd copies a state's full tables refused. */
interface StateRefusals {
  threads: number;
  fds: number;
  pendingClones: number;
}

/** One capture's replay: its own state and detection, and what it skipped, lost or broke on. */
class CaptureSide {
  readonly engine = new StateEngine();
  readonly detection: SyscallDetection;
  readonly drops: RecordedDrops;
  readonly containers = new RecordedContainers();
  readonly skipped: SkippedBlocks = { count: 0, first: [], uncompressed: false };
  readonly unknownEvents = new UnknownEvents();
  failure: CaptureReadError | undefined;

  constructor(
    readonly file: CaptureFileChunks,
    options: CaptureReplayOptions,
    metrics: SourceMetrics | undefined,
  ) {
    const { onAlert, timeFormat, hostname, extraFields, ruleSet } = options;
    this.detection = new SyscallDetection({
      ruleSet, onAlert, timeFormat, hostname, extraFields, metrics,
      context: options.context ? new SyscallAlertContext() : undefined,
    }); // prettier-ignore
    this.drops = new RecordedDrops({ onAlert, hostname, timeFormat });
  }

  stats(): CaptureStats {
    const { counters, pendingClones } = this.engine.table;
    return {
      path: this.file.path,
      events: this.detection.events,
      alerts: this.detection.alerts + this.drops.alerts,
      failure: this.failure,
      skippedBlocks: this.skipped,
      unknownEvents: this.unknownEvents,
      recordedDrops: this.drops,
      recordedContainers: this.containers,
      stateRefused: {
        threads: counters.threadsDroppedTableFull,
        fds: counters.fdsDroppedTableFull,
        pendingClones: pendingClones.dropped,
      },
    };
  }
}

/** A capture event as the time merge orders it. */
type TimedCaptureEvent = { ts: bigint; kind: 'capture'; event: CaptureEvent };

/**
 * The time-stamped events of `path`, each with its detection, in batches (one per chunk read).
 * An event's state is current until the next one is requested, which the time merge respects
 * (it holds one event per stream). A capture that cannot be read on ends after its last
 * readable event, its fault given to `onFailure`, so that the other inputs are still replayed.
 */
async function* captureEventBatches(
  capture: CaptureSide,
): AsyncGenerator<Iterable<TimedCaptureEvent>> {
  const { file, skipped, unknownEvents, engine } = capture;
  const onSkippedBlock = ({ offset, blockType }: UnknownBlockRecord) => {
    skipped.count++;
    skipped.uncompressed = file.compressed;
    if (skipped.first.length < MAX_SKIPPED_BLOCKS) skipped.first.push({ offset, blockType });
  };
  unknownEvents.uncompressed = file.compressed;
  const onUnknownEvent = unknownEvents.add.bind(unknownEvents);
  // A fault met while a batch is iterated (a corrupt event) ends the batch and the capture.
  const fault: { error?: Error } = {};
  function* timed(batch: Iterable<SyscallEvent>): Generator<TimedCaptureEvent> {
    try {
      for (const event of batch) yield { ts: event.ts, kind: 'capture', event: { event, capture } };
    } catch (error) {
      fault.error = error as Error;
    }
  }
  try {
    const options = { onSkippedBlock, onUnknownEvent, engine };
    for await (const batch of syscallEventBatches(file, options)) {
      yield timed(batch);
      if (fault.error !== undefined) break;
    }
  } catch (error) {
    fault.error = error as Error;
  }
  if (fault.error !== undefined) capture.failure = new CaptureReadError(file.path, fault.error);
}

/** A detection per capture (a file, or bytes in memory from a zip archive), and their streams. */
export function captureReplay(captures: readonly ByteSource[], options: CaptureReplayOptions) {
  const metrics = options.metrics && new SourceMetrics(options.metrics, 'syscall');
  const sides = captures.map(
    (capture) =>
      new CaptureSide(new CaptureFileChunks(capture.name, capture.bytes), options, metrics),
  );
  return {
    streams: sides.map((side) => captureEventBatches(side)),
    /** File bytes read so far over every capture, for the progress line. */
    bytesRead: (): number => sides.reduce((sum, side) => sum + side.file.fileBytesRead, 0),
    /** Events read so far over every capture. */
    events: (): number => sides.reduce((sum, side) => sum + side.detection.events, 0),
    stats: (): CaptureStats[] => sides.map((side) => side.stats()),
  };
}

/**
 * Runs the rules on one merged capture event; a drop note raises what it raised live, a
 * container event describes its container to the events after it.
 */
export function detectCaptureEvent({ event, capture }: CaptureEvent): void {
  if (capture.drops.take(event) || capture.containers.take(event)) return;
  capture.detection.detect(event);
}
