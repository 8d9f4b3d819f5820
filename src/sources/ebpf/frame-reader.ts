/**
 * Splits the probe loader's stdout into frames. The loader writes frames:
 *
 *   u32 payload length | u32 kind | payload            (little-endian)
 *
 * kind 1 EVENT: one event in libscap's layout (ts u64, tid u64, len u32, type u16,
 * nparams u32, then nparams u16 lengths, then the parameters), exactly as a `.scap` event.
 * kind 2 STATS: u32 count, u32 token (0, or the N of the `sync N` command it answers), then
 *   count u64 counters in `STATS_COUNTER_NAMES` order.
 * kind 3 READY: u64 boot-to-epoch offset (ns), u32 possible CPUs, u32 ring buffer bytes,
 *   u32 flags (bit 0: the raw sys_exit path is loaded), then a 64-byte bitmap of the handled
 *   syscalls this kernel has no `syscalls:sys_exit_*` tracepoint for (bit N%8 of byte N/8).
 */

/** Frame kinds written by `probe/loader.c`. */
export const FRAME_KIND = { EVENT: 1, STATS: 2, READY: 3 } as const;

/** Size of libscap's event header: ts, tid, len, type, nparams. */
const EVENT_HEADER_SIZE = 26;

/** Larger than any frame the loader writes (events stop at 64 KiB). */
const MAX_FRAME_SIZE = 1 << 20;

/** Counters of a STATS frame, in the order the loader writes them after the timestamp. */
export const STATS_COUNTER_NAMES = [
  'eventsSeen',
  'eventsSent',
  'dropsFullProcess',
  'dropsFullFile',
  'dropsFullNetwork',
  'dropsFullClose',
  'dropsFullOther',
  'dropsTooLarge',
  'dropsNoScratch',
  'noHandler',
  'skippedFailed',
  'framesWritten',
] as const;

/**
 * Totals since the probe started. Kernel counters are summed over CPUs; `framesWritten` is the
 * loader's count of frames (ready, events, stats) it wrote to stdout before this one.
 */
export type ProbeCounters = Record<(typeof STATS_COUNTER_NAMES)[number], number>;

/** One syscall or tracepoint event, still raw; `decode/` turns it into a `SyscallEvent`. */
export interface ProbeEventRecord {
  kind: 'event';
  /** libscap event code (`PPME_*`). */
  code: number;
  /** Nanoseconds since the epoch. */
  ts: bigint;
  tid: number;
  /** The whole event: header, parameter lengths, parameters. */
  rawBytes: Uint8Array;
}

export interface ProbeStatsRecord {
  kind: 'stats';
  /** When the loader read the counters, nanoseconds since the epoch. */
  ts: bigint;
  /** 0 for periodic frames; N for the frame answering `sync N`, after every earlier event. */
  token: number;
  counters: ProbeCounters;
}

export interface ProbeReadyRecord {
  kind: 'ready';
  /** Add to a boot-clock time to get nanoseconds since the epoch. */
  bootToEpochNs: bigint;
  possibleCpus: number;
  ringBufferBytes: number;
  /**
   * Whether the raw sys_exit path is loaded: syscalls without a tracepoint of their own are
   * watched through it, at a cost to every syscall.
   */
  rawPath: boolean;
  /** Handled syscalls (numbers) that have no tracepoint on this kernel, ascending. */
  untracedSyscalls: number[];
}

const READY_SIZE = 20 + 64;

export type ProbeRecord = ProbeEventRecord | ProbeStatsRecord | ProbeReadyRecord;

/** The loader's output broke the frame format; the stream cannot be read on. */
export class ProbeProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeProtocolError';
  }
}

/** Events dropped in the kernel for any reason, from one STATS frame. */
export function countKernelDrops(counters: ProbeCounters): number {
  return (
    counters.dropsFullProcess +
    counters.dropsFullFile +
    counters.dropsFullNetwork +
    counters.dropsFullClose +
    counters.dropsFullOther +
    counters.dropsTooLarge +
    counters.dropsNoScratch
  );
}

/**
 * Frames completed by one stdout chunk, left in place: events are read where they lie, so
 * reading a batch allocates nothing per event. Frames sit back to back in
 * `bytes[start, end)`; walk them with `frameKindAt` and `frameEndAt`. STATS and READY frames
 * are also parsed into `records`, in stream order.
 */
export interface FrameBatch {
  /**
   * The chunk, or a copy of the one frame that spanned chunks, as a plain Uint8Array:
   * parameters are sliced from it, and Buffer's subarray costs several times more.
   */
  bytes: Uint8Array;
  /** A view over exactly `bytes`. */
  view: DataView;
  /** Where the first frame starts (at its header) and where the last one ends. */
  start: number;
  end: number;
  /** Parsed STATS and READY frames, in stream order. */
  records: Array<ProbeStatsRecord | ProbeReadyRecord>;
  /** Event frames in the batch. */
  eventCount: number;
}

/** Size of the frame header (payload length, kind) before each payload. */
export const FRAME_HEADER_SIZE = 8;

/** The kind of the frame whose header is at `at`. */
export function frameKindAt(view: DataView, at: number): number {
  return view.getUint32(at + 4, true);
}

/** Where the frame whose header is at `at` ends: the next frame's header, or the batch end. */
export function frameEndAt(view: DataView, at: number): number {
  return at + FRAME_HEADER_SIZE + view.getUint32(at, true);
}

/**
 * Splits stdout chunks into frames. Complete frames are read in the chunk itself; a frame
 * split across chunks is copied (it alone) into a buffer of its own, which becomes a batch.
 */
export class FrameReader {
  /** The start of a frame the chunks so far did not complete: a copy, so no chunk is kept. */
  private pending: Buffer | null = null;

  /** Bytes of an incomplete frame held back for the next chunk. */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }

  /** The records completed by `chunk`. Throws `ProbeProtocolError` on a bad frame. */
  push(chunk: Buffer): ProbeRecord[] {
    return this.pushBatches(chunk).flatMap(batchRecords);
  }

  /**
   * The frames completed by `chunk`, in place: a batch for a frame the previous chunks had
   * begun, then one for the frames within `chunk`; none when nothing completed. Throws
   * `ProbeProtocolError` on a bad frame.
   */
  pushBatches(chunk: Buffer): FrameBatch[] {
    const batches: FrameBatch[] = [];
    let offset = 0;
    if (this.pending !== null) {
      offset = this.extendPending(chunk);
      if (this.pending === null || !isWholeFrame(this.pending)) return batches;
      const joined = this.pending;
      this.pending = null;
      batches.push(scanFrames(joined, 0).batch);
    }
    const { batch, scanned } = scanFrames(chunk, offset);
    if (batch.end > batch.start) batches.push(batch);
    // Copied: a view would keep the whole chunk alive for a few bytes.
    if (scanned < chunk.length) this.pending = Buffer.from(chunk.subarray(scanned));
    return batches;
  }

  /**
   * Appends to the pending frame the bytes of `chunk` it still lacks (its header first, then
   * its payload); returns how many bytes of `chunk` were taken.
   */
  private extendPending(chunk: Buffer): number {
    let pending = this.pending!;
    let taken = 0;
    if (pending.length < FRAME_HEADER_SIZE) {
      taken = Math.min(FRAME_HEADER_SIZE - pending.length, chunk.length);
      pending = Buffer.concat([pending, chunk.subarray(0, taken)]);
      this.pending = pending;
      if (pending.length < FRAME_HEADER_SIZE) return taken;
    }
    const size = pending.readUInt32LE(0);
    checkFrameSize(size);
    const wanted = Math.min(FRAME_HEADER_SIZE + size - pending.length, chunk.length - taken);
    if (wanted > 0) this.pending = Buffer.concat([pending, chunk.subarray(taken, taken + wanted)]);
    return taken + wanted;
  }
}

function isWholeFrame(buffer: Buffer): boolean {
  return (
    buffer.length >= FRAME_HEADER_SIZE &&
    buffer.length === FRAME_HEADER_SIZE + buffer.readUInt32LE(0)
  );
}

function checkFrameSize(size: number): void {
  if (size > MAX_FRAME_SIZE) {
    throw new ProbeProtocolError(`frame of ${size} bytes exceeds ${MAX_FRAME_SIZE}`);
  }
}

/** The whole frames of `buffer` from `offset` on, checked; `scanned`: where the rest begins. */
function scanFrames(buffer: Buffer, offset: number): { batch: FrameBatch; scanned: number } {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const batch: FrameBatch = { bytes, view, start: offset, end: offset, records: [], eventCount: 0 };
  const length = bytes.length;
  while (length - offset >= FRAME_HEADER_SIZE) {
    const size = view.getUint32(offset, true);
    const kind = view.getUint32(offset + 4, true);
    checkFrameSize(size);
    const start = offset + FRAME_HEADER_SIZE;
    if (length - start < size) break;
    if (kind === FRAME_KIND.EVENT) {
      checkEvent(view, start, size);
      batch.eventCount++;
    } else {
      batch.records.push(parseOtherFrame(kind, buffer.subarray(start, start + size)));
    }
    offset = start + size;
  }
  batch.end = offset;
  return { batch, scanned: offset };
}

/** The records of a batch, events as `ProbeEventRecord`s. */
export function batchRecords(batch: FrameBatch): ProbeRecord[] {
  const { bytes, view } = batch;
  const records: ProbeRecord[] = [];
  let next = 0;
  for (let at = batch.start; at < batch.end; at = frameEndAt(view, at)) {
    if (frameKindAt(view, at) !== FRAME_KIND.EVENT) {
      records.push(batch.records[next++]!);
      continue;
    }
    const start = at + FRAME_HEADER_SIZE;
    records.push({
      kind: 'event',
      code: view.getUint16(start + 20, true),
      ts: view.getBigUint64(start, true),
      tid: Number(view.getBigUint64(start + 8, true)),
      rawBytes: bytes.subarray(start, frameEndAt(view, at)),
    });
  }
  return records;
}

function checkEvent(view: DataView, start: number, size: number): void {
  if (size < EVENT_HEADER_SIZE || view.getUint32(start + 16, true) !== size) {
    throw new ProbeProtocolError(`event frame of ${size} bytes has a bad header`);
  }
}

function parseOtherFrame(kind: number, payload: Buffer): ProbeStatsRecord | ProbeReadyRecord {
  switch (kind) {
    case FRAME_KIND.STATS:
      return parseStats(payload);
    case FRAME_KIND.READY:
      if (payload.length < READY_SIZE) {
        throw new ProbeProtocolError(
          `short ready frame: ${payload.length} bytes, expected ${READY_SIZE}`,
        );
      }
      return {
        kind: 'ready',
        bootToEpochNs: payload.readBigUInt64LE(0),
        possibleCpus: payload.readUInt32LE(8),
        ringBufferBytes: payload.readUInt32LE(12),
        rawPath: (payload.readUInt32LE(16) & 1) === 1,
        untracedSyscalls: setBits(payload.subarray(20, READY_SIZE)),
      };
    default:
      throw new ProbeProtocolError(`unknown frame kind ${kind}`);
  }
}

/** The numbers of the bits set in `bitmap`, bit N%8 of byte N/8 being N. */
function setBits(bitmap: Buffer): number[] {
  const numbers: number[] = [];
  for (let bit = 0; bit < bitmap.length * 8; bit++) {
    if (bitmap[bit >> 3]! & (1 << (bit & 7))) numbers.push(bit);
  }
  return numbers;
}

function parseStats(payload: Buffer): ProbeStatsRecord {
  const count = payload.length >= 8 ? payload.readUInt32LE(0) : 0;
  if (count < STATS_COUNTER_NAMES.length + 1 || payload.length < 8 + count * 8) {
    throw new ProbeProtocolError(`stats frame with ${count} counters is too short`);
  }
  const counters = {} as ProbeCounters;
  STATS_COUNTER_NAMES.forEach((name, index) => {
    counters[name] = Number(payload.readBigUInt64LE(8 + (index + 1) * 8));
  });
  return {
    kind: 'stats',
    ts: payload.readBigUInt64LE(8),
    token: payload.readUInt32LE(4),
    counters,
  };
}
