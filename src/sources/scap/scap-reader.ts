/**
 * The `.scap` reader: splits the (decompressed) byte stream into blocks and each block into
 * typed records, in batches, without ever holding more than one chunk plus one block in
 * memory. A corrupt or truncated capture ends with a `ScapFormatError` naming the byte offset
 * and block type, thrown only after every record before that block has been yielded.
 *
 * @example
 * for await (const record of readScapRecords('capture.scap.gz')) {
 *   if (record.kind === 'thread') console.log(record.tid, record.comm);
 * }
 */
import { BlockCursor } from './block-cursor.js';
import {
  BLOCK_OVERHEAD, BYTE_ORDER_MAGIC, EVENT_BLOCK_LAYOUT, FD_LIST_BLOCK, FD_LIST_BLOCK_OLD,
  FD_LIST_BLOCK_V2, INTERFACE_LIST_BLOCKS, MACHINE_INFO_BLOCKS, PROC_LIST_VERSION,
  SECTION_HEADER_BLOCK, USER_LIST_BLOCKS, type EventBlockLayout,
} from './block-types.js'; // prettier-ignore
import { CaptureFileChunks } from './byte-stream.js';
import { GzipError } from '../files/index.js';
import { readFdList } from './fd-list.js';
import { readInterfaceList, readMachineInfo, readUserList } from './host-blocks.js';
import { readProcList } from './proc-list.js';
import { CaptureFileError, ScapFormatError, type EventRecord, type ScapRecord } from './records.js';

/**
 * Largest block accepted. Real proc-list blocks of big hosts reach tens of MiB; a length past
 * this is corruption, and refusing it keeps a flipped length byte from buffering gigabytes.
 */
const MAX_BLOCK_LENGTH = 512 * 1024 * 1024;

/** Smallest section header block: overhead, magic, two versions and the section length. */
const MIN_SECTION_HEADER_LENGTH = BLOCK_OVERHEAD + 16;

/** Splits a byte stream into blocks, one at a time; keeps the bytes of an unfinished block. */
class ScapBlockScanner {
  /** The buffered stream bytes, and a view over them; blocks are read in place. */
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.bytes.buffer);
  /** The current block (after `next()` returned true): its type, stream offset and place. */
  blockType = 0;
  blockOffset = 0;
  blockStart = 0;
  blockLength = 0;
  /** For an event block: its layout, CPU, flags, and where its event header starts and ends. */
  eventLayout: EventBlockLayout | undefined;
  cpu = 0;
  flags = 0;
  eventStart = 0;
  eventEnd = 0;
  /** Stream offset of `bytes[0]`. */
  private base = 0;
  private position = 0;
  private sawSectionHeader = false;
  private sawEvent = false;
  /** A chunk to continue with at `queuedStart` once `bytes`, one block bridging two, is read. */
  private queued: Uint8Array | undefined;
  private queuedStart = 0;

  /** Appends `chunk` to the unread bytes; call only after `next()` returned false. */
  feed(chunk: Uint8Array): void {
    const rest = this.bytes.subarray(this.position);
    // A plain view: Node's Buffer.subarray is much slower than Uint8Array's, per parameter.
    const plain = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.base += this.position;
    this.position = 0;
    if (rest.length === 0) return this.use(plain);
    // Only the block cut by the chunk boundary is copied, not the whole chunk after it.
    const need = bridgeLength(rest, plain);
    if (need <= 0 || need >= plain.length) return this.use(concat(rest, plain));
    this.use(concat(rest, plain.subarray(0, need)));
    this.queued = plain;
    this.queuedStart = need;
  }

  private use(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Continues in the queued chunk, after the bridged block. */
  private takeQueued(queued: Uint8Array): void {
    this.base += this.bytes.length - this.queuedStart;
    this.position = this.queuedStart;
    this.queued = undefined;
    this.use(queued);
  }

  /**
   * Moves to the next complete block; false when the buffered bytes end inside one. Throws
   * `ScapFormatError` for an invalid block header or a too short event block.
   */
  next(): boolean {
    if (this.queued !== undefined && this.position === this.bytes.length) {
      this.takeQueued(this.queued);
    }
    const { bytes, view, position } = this;
    if (bytes.length - position < 8) return false;
    const offset = this.base + position;
    const type = view.getUint32(position, true);
    const length = view.getUint32(position + 4, true);
    this.checkLength(type, length, offset);
    if (bytes.length - position < length) return false;
    this.blockType = type;
    this.blockOffset = offset;
    this.blockStart = position;
    this.blockLength = length;
    this.position = position + length;
    this.eventLayout = EVENT_BLOCK_LAYOUT.get(type);
    if (this.eventLayout !== undefined) this.locateEvent(this.eventLayout);
    return true;
  }

  /** Event blocks are the hot path: no cursor, no trailer check (libscap skips it too). */
  private locateEvent(layout: EventBlockLayout): void {
    this.sawEvent = true;
    const bodyStart = this.blockStart + 8;
    this.eventEnd = this.blockStart + this.blockLength - 4;
    this.eventStart = bodyStart + (layout.hasFlags ? 6 : 2);
    if (this.eventStart > this.eventEnd) {
      throw new ScapFormatError('event block too short', this.blockOffset, this.blockType);
    }
    this.cpu = this.view.getUint16(bodyStart, true);
    this.flags = layout.hasFlags ? this.view.getUint32(bodyStart + 2, true) : 0;
  }

  /** The current event block as a record. */
  eventRecord(): EventRecord {
    const layout = this.eventLayout as EventBlockLayout;
    return {
      kind: 'event',
      offset: this.blockOffset,
      blockType: this.blockType,
      cpu: this.cpu,
      flags: this.flags,
      hasParamCount: layout.hasParamCount,
      bytes: this.bytes,
      start: this.eventStart,
      end: this.eventEnd,
      view: this.view,
    };
  }

  /** Parses the current block (not an event block), appending its records to `out`. */
  readRecords(out: ScapRecord[]): void {
    const { blockStart, blockLength: length, blockOffset: offset, blockType: type } = this;
    const bodyEnd = blockStart + length - 4;
    if (this.view.getUint32(bodyEnd, true) !== length) {
      throw new ScapFormatError('block trailer does not repeat the block length', offset, type);
    }
    const cursor = new BlockCursor(this.bytes, blockStart + 8, bodyEnd, offset, type);
    const records: ScapRecord[] = [];
    this.parseMetadata(cursor, type, length, records);
    for (const record of records) out.push(record);
  }

  /** Called at end of stream: leftover bytes mean the capture was cut inside a block. */
  finish(): void {
    const cut = this.cutBlock();
    if (cut !== undefined) throw new ScapFormatError(cut.reason, cut.offset, cut.type);
    if (!this.sawSectionHeader) throw new ScapFormatError('empty capture', 0);
  }

  /**
   * A gzip stream that stopped early, placed at the block it cut (at the end of the stream
   * when it stopped between blocks), with the compressed bytes the file holds.
   */
  truncatedGzip(cause: GzipError): ScapFormatError {
    const cut = this.cutBlock();
    const offset = cut?.offset ?? this.base + this.position;
    const reason = `gzip stream truncated after ${cause.compressedOffset} compressed bytes`;
    return new ScapFormatError(reason, offset, cut?.type, { cause, uncompressed: true });
  }

  /** The block that the bytes read so far end inside of, if any, and how much of it is there. */
  private cutBlock(): { reason: string; offset: number; type?: number } | undefined {
    const pending = this.bytes.subarray(this.position);
    const offset = this.base + this.position;
    if (pending.length === 0) return undefined;
    if (pending.length < 8) return { reason: 'truncated block header', offset };
    const type = this.view.getUint32(this.position, true);
    const length = this.view.getUint32(this.position + 4, true);
    return {
      reason: `truncated block: ${pending.length} of ${length} bytes present`,
      offset,
      type,
    };
  }

  private checkLength(type: number, length: number, offset: number): void {
    if (!this.sawSectionHeader && type !== SECTION_HEADER_BLOCK) {
      throw new ScapFormatError('not a scap capture (no section header block)', offset, type);
    }
    if (length < BLOCK_OVERHEAD || length > MAX_BLOCK_LENGTH) {
      throw new ScapFormatError(`invalid block length ${length}`, offset, type);
    }
  }

  private parseMetadata(
    cursor: BlockCursor,
    type: number,
    length: number,
    out: ScapRecord[],
  ): void {
    const version = PROC_LIST_VERSION.get(type);
    if (type === SECTION_HEADER_BLOCK) out.push(this.readSectionHeader(cursor, length));
    else if (MACHINE_INFO_BLOCKS.has(type)) out.push(readMachineInfo(cursor));
    else if (version !== undefined) readProcList(cursor, version, out);
    else if (type === FD_LIST_BLOCK || type === FD_LIST_BLOCK_OLD || type === FD_LIST_BLOCK_V2) {
      readFdList(cursor, out);
    } else if (INTERFACE_LIST_BLOCKS.has(type)) readInterfaceList(cursor, out);
    else if (USER_LIST_BLOCKS.has(type)) readUserList(cursor, out);
    else if (this.sawEvent) {
      // libscap skips unknown blocks only among the metadata before the first event; past it,
      // a block that is no event ends the capture (sinsp fails to restart it there).
      cursor.fail('unexpected block type after the first event');
    } else out.push({ kind: 'unknown-block', offset: cursor.blockOffset, blockType: type, length });
  }

  private readSectionHeader(cursor: BlockCursor, length: number): ScapRecord {
    if (length < MIN_SECTION_HEADER_LENGTH) cursor.fail(`section header too short (${length})`);
    const magic = cursor.u32('byte-order magic');
    if (magic !== BYTE_ORDER_MAGIC) {
      cursor.fail(`unsupported byte-order magic 0x${magic.toString(16)} (big-endian capture?)`);
    }
    const majorVersion = cursor.u16('major version');
    const minorVersion = cursor.u16('minor version');
    if (majorVersion > 1) cursor.fail(`unsupported capture format version ${majorVersion}`);
    const sectionLength = cursor.view.getBigInt64(cursor.take(8, 'section length'), true);
    this.sawSectionHeader = true;
    return {
      kind: 'section',
      offset: cursor.blockOffset,
      majorVersion,
      minorVersion,
      sectionLength,
    };
  }
}

/**
 * How many bytes of `chunk` complete the block that `rest` starts; <= 0 when unknown, or when
 * `rest` holds more than the start of one block.
 */
function bridgeLength(rest: Uint8Array, chunk: Uint8Array): number {
  if (rest.length + chunk.length < 8) return 0;
  const header = rest.length >= 8 ? rest : concat(rest, chunk.subarray(0, 8 - rest.length));
  const length = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
  return length - rest.length;
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return joined;
}

/**
 * A capture path, an opened capture file (`CaptureFileChunks`, to watch its progress), or the
 * uncompressed capture bytes as chunks (tests, pipes).
 */
export type ScapInput = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * A block scanner fed from a capture input: `fill()` reads one more chunk, and at the end of
 * the input checks that no block was cut. Lets a consumer act on each block as it is reached
 * (the syscall pipeline decodes and applies each event before scanning the next). Call
 * `close()` when stopping early or after an error, to release the file.
 * @internal
 */
export class ScapBlockReader extends ScapBlockScanner {
  private readonly chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  /** The capture file, when the input is a path. */
  private readonly file: CaptureFileChunks | undefined;
  /** Bytes of the chunks before the current one, where an unexpected error is placed. */
  private consumed = 0;
  private currentChunkLength = 0;

  constructor(input: ScapInput) {
    super();
    this.file =
      typeof input === 'string'
        ? new CaptureFileChunks(input)
        : input instanceof CaptureFileChunks
          ? input
          : undefined;
    const chunks = this.file ?? (input as Exclude<ScapInput, string>);
    this.chunks =
      Symbol.asyncIterator in chunks
        ? chunks[Symbol.asyncIterator]()
        : (chunks as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  /**
   * Reads the next chunk; false at the end of the input. Throws `ScapFormatError` for a
   * capture cut inside a block, `CaptureFileError` for a file that cannot be read.
   */
  async fill(): Promise<boolean> {
    this.consumed += this.currentChunkLength;
    this.currentChunkLength = 0;
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.chunks.next();
    } catch (error) {
      throw this.formatError(error);
    }
    if (result.done === true) {
      try {
        this.finish();
      } catch (error) {
        throw this.formatError(error);
      }
      return false;
    }
    this.feed(result.value);
    this.currentChunkLength = result.value.length;
    return true;
  }

  /**
   * `error` as the reader reports it: a file that cannot be read or a corrupt gzip stream as
   * `CaptureFileError`; anything else as `ScapFormatError` (unexpected errors as its `cause`),
   * its offset said to be uncompressed in a gzip file, a cut gzip stream at the block it cut.
   */
  formatError(error: unknown): ScapFormatError | CaptureFileError {
    if (error instanceof CaptureFileError) {
      const gzip = error.cause instanceof GzipError ? error.cause : undefined;
      return gzip?.kind === 'truncated' ? this.truncatedGzip(gzip) : error;
    }
    let format: ScapFormatError;
    if (error instanceof ScapFormatError) format = error;
    else {
      const reason = `cannot read capture: ${(error as Error).message}`;
      format = new ScapFormatError(reason, this.consumed, undefined, { cause: error });
    }
    return this.file?.compressed ? format.inUncompressedStream() : format;
  }

  /** Stops reading the input; safe to call more than once. */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/**
 * The capture's records in batches (one batch per chunk read). Use this rather than
 * `readScapRecords` on hot paths: it costs one await per chunk instead of one per record.
 * Throws `ScapFormatError` for a corrupt capture, after yielding everything before the fault,
 * and `CaptureFileError` for a file that cannot be read or whose gzip data is corrupt.
 */
export async function* readScapBatches(input: ScapInput): AsyncGenerator<ScapRecord[]> {
  const reader = new ScapBlockReader(input);
  try {
    while (await reader.fill()) {
      const batch: ScapRecord[] = [];
      try {
        while (reader.next()) {
          if (reader.eventLayout !== undefined) batch.push(reader.eventRecord());
          else reader.readRecords(batch);
        }
      } catch (error) {
        if (batch.length > 0) yield batch;
        throw reader.formatError(error);
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    await reader.close();
  }
}

/** The capture's records one at a time; see `readScapBatches` for errors. */
export async function* readScapRecords(input: ScapInput): AsyncGenerator<ScapRecord> {
  for await (const batch of readScapBatches(input)) yield* batch;
}
