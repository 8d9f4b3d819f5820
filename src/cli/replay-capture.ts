/**
 * The capture side of `harrier replay`: each capture (plain or gzip) becomes a stream of
 * syscall events with state applied (its own decoder and state engine), which the replay
 * merges by time with the other sources and runs through the syscall rules.
 */
import { syscallEventBatches } from '../decode/pipeline.js';
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

/**
 * One capture event, with the detection that judges it, its drop notes and its containers (its
 * capture's own).
 */
export interface CaptureEvent {
  event: SyscallEvent;
  detection: SyscallDetection;
  drops: RecordedDrops;
  containers: RecordedContainers;
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
export interface SkippedBlocks {
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
  file: CaptureFileChunks,
  detection: SyscallDetection,
  drops: RecordedDrops,
  containers: RecordedContainers,
  onFailure: (failure: CaptureReadError) => void,
  skipped: SkippedBlocks,
  unknownEvents: UnknownEvents,
): AsyncGenerator<Iterable<TimedCaptureEvent>> {
  const path = file.path;
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
      for (const event of batch)
        yield { ts: event.ts, kind: 'capture', event: { event, detection, drops, containers } };
    } catch (error) {
      fault.error = error as Error;
    }
  }
  try {
    for await (const batch of syscallEventBatches(file, { onSkippedBlock, onUnknownEvent })) {
      yield timed(batch);
      if (fault.error !== undefined) break;
    }
  } catch (error) {
    fault.error = error as Error;
  }
  if (fault.error !== undefined) onFailure(new CaptureReadError(path, fault.error));
}

/** A detection per capture (a file, or bytes in memory from a zip archive), and their streams. */
export function captureReplay(captures: readonly ByteSource[], options: CaptureReplayOptions) {
  const paths = captures.map((capture) => capture.name);
  const metrics = options.metrics && new SourceMetrics(options.metrics, 'syscall');
  const detections = paths.map(
    () =>
      new SyscallDetection({
        ruleSet: options.ruleSet,
        onAlert: options.onAlert,
        timeFormat: options.timeFormat,
        hostname: options.hostname,
        extraFields: options.extraFields,
        context: options.context ? new SyscallAlertContext() : undefined,
        metrics,
      }),
  );
  const failures: (CaptureReadError | undefined)[] = paths.map(() => undefined);
  const files = captures.map((capture) => new CaptureFileChunks(capture.name, capture.bytes));
  const skipped = paths.map((): SkippedBlocks => ({ count: 0, first: [], uncompressed: false }));
  const unknownEvents = paths.map(() => new UnknownEvents());
  const drops = paths.map(
    () =>
      new RecordedDrops({
        onAlert: options.onAlert,
        hostname: options.hostname,
        timeFormat: options.timeFormat,
      }),
  );
  const containers = paths.map(() => new RecordedContainers());
  return {
    streams: files.map((file, index) =>
      captureEventBatches(
        file,
        detections[index],
        drops[index],
        containers[index],
        (failure) => (failures[index] = failure),
        skipped[index],
        unknownEvents[index],
      ),
    ),
    /** File bytes read so far over every capture, for the progress line. */
    bytesRead: (): number => files.reduce((sum, file) => sum + file.fileBytesRead, 0),
    /** Events read so far over every capture. */
    events: (): number => detections.reduce((sum, detection) => sum + detection.events, 0),
    stats: (): CaptureStats[] =>
      paths.map((path, index) => ({
        path,
        events: detections[index].events,
        alerts: detections[index].alerts + drops[index].alerts,
        failure: failures[index],
        skippedBlocks: skipped[index],
        unknownEvents: unknownEvents[index],
        recordedDrops: drops[index],
        recordedContainers: containers[index],
      })),
  };
}

/**
 * Runs the rules on one merged capture event; a drop note raises what it raised live, a
 * container event describes its container to the events after it.
 */
export function detectCaptureEvent(item: CaptureEvent): void {
  if (item.drops.take(item.event) || item.containers.take(item.event)) return;
  item.detection.detect(item.event);
}
