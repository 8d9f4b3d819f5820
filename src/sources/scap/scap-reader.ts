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
  SECTION_HEADER_BLOCK, USER_LIST_BLOCKS,
} from './block-types.js'; // prettier-ignore
import { readCaptureChunks } from './byte-stream.js';
import { readFdList } from './fd-list.js';
import { readInterfaceList, readMachineInfo, readUserList } from './host-blocks.js';
import { readProcList } from './proc-list.js';
import { ScapFormatError, type EventRecord, type ScapRecord } from './records.js';

/**
 * Largest block accepted. Real proc-list blocks of big hosts reach tens of MiB; a length past
 * this is corruption, and refusing it keeps a flipped length byte from buffering gigabytes.
 */
const MAX_BLOCK_LENGTH = 512 * 1024 * 1024;

/** Smallest section header block: overhead, magic, two versions and the section length. */
const MIN_SECTION_HEADER_LENGTH = BLOCK_OVERHEAD + 16;

/** Splits a byte stream into blocks and parses them; keeps the bytes of an unfinished block. */
class BlockParser {
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream offset of `pending[0]`. */
  private pendingOffset = 0;
  private sawSectionHeader = false;

  /** Parse every complete block in `pending + chunk`, appending records to `out`. */
  push(chunk: Uint8Array, out: ScapRecord[]): void {
    const bytes = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = 0;
    while (bytes.length - position >= 8) {
      const offset = this.pendingOffset + position;
      const type = view.getUint32(position, true);
      const length = view.getUint32(position + 4, true);
      this.checkLength(type, length, offset);
      if (bytes.length - position < length) break;
      this.parseBlock(bytes, view, position, type, length, offset, out);
      position += length;
    }
    this.pending = bytes.subarray(position);
    this.pendingOffset += position;
  }

  /** Called at end of stream: leftover bytes mean the capture was cut inside a block. */
  finish(): void {
    if (this.pending.length === 0) {
      if (!this.sawSectionHeader) throw new ScapFormatError('empty capture', 0);
      return;
    }
    const offset = this.pendingOffset;
    if (this.pending.length < 8) throw new ScapFormatError('truncated block header', offset);
    const view = new DataView(this.pending.buffer, this.pending.byteOffset, 8);
    const type = view.getUint32(0, true);
    const length = view.getUint32(4, true);
    const message = `truncated block: ${this.pending.length} of ${length} bytes present`;
    throw new ScapFormatError(message, offset, type);
  }

  private checkLength(type: number, length: number, offset: number): void {
    if (!this.sawSectionHeader && type !== SECTION_HEADER_BLOCK) {
      throw new ScapFormatError('not a scap capture (no section header block)', offset, type);
    }
    if (length < BLOCK_OVERHEAD || length > MAX_BLOCK_LENGTH) {
      throw new ScapFormatError(`invalid block length ${length}`, offset, type);
    }
  }

  private parseBlock(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    type: number,
    length: number,
    offset: number,
    out: ScapRecord[],
  ): void {
    const bodyStart = start + 8;
    const bodyEnd = start + length - 4;
    const layout = EVENT_BLOCK_LAYOUT.get(type);
    if (layout !== undefined) {
      // Event blocks are the hot path: no cursor, no trailer check (libscap skips it too).
      const headerStart = bodyStart + (layout.hasFlags ? 6 : 2);
      if (headerStart > bodyEnd) throw new ScapFormatError('event block too short', offset, type);
      const record: EventRecord = {
        kind: 'event',
        offset,
        blockType: type,
        cpu: view.getUint16(bodyStart, true),
        flags: layout.hasFlags ? view.getUint32(bodyStart + 2, true) : 0,
        hasParamCount: layout.hasParamCount,
        bytes,
        start: headerStart,
        end: bodyEnd,
        view,
      };
      out.push(record);
      return;
    }
    if (view.getUint32(bodyEnd, true) !== length) {
      throw new ScapFormatError('block trailer does not repeat the block length', offset, type);
    }
    const cursor = new BlockCursor(bytes, bodyStart, bodyEnd, offset, type);
    const records: ScapRecord[] = [];
    this.parseMetadata(cursor, type, length, records);
    for (const record of records) out.push(record);
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
    else out.push({ kind: 'unknown-block', offset: cursor.blockOffset, blockType: type, length });
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

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return joined;
}

/** A capture path, or the uncompressed capture bytes as chunks (tests, pipes). */
export type ScapInput = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function chunksOf(input: ScapInput): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return typeof input === 'string' ? readCaptureChunks(input) : input;
}

/**
 * The capture's records in batches (one batch per chunk read). Use this rather than
 * `readScapRecords` on hot paths: it costs one await per chunk instead of one per record.
 * Throws `ScapFormatError` for a corrupt capture, after yielding everything before the fault;
 * I/O and decompression errors are rethrown as `ScapFormatError` with the error as `cause`.
 */
export async function* readScapBatches(input: ScapInput): AsyncGenerator<ScapRecord[]> {
  const parser = new BlockParser();
  let consumed = 0;
  try {
    for await (const chunk of chunksOf(input)) {
      const batch: ScapRecord[] = [];
      try {
        parser.push(chunk, batch);
      } catch (error) {
        if (batch.length > 0) yield batch;
        throw error;
      }
      consumed += chunk.length;
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof ScapFormatError) throw error;
    const message = `cannot read capture: ${(error as Error).message}`;
    throw new ScapFormatError(message, consumed, undefined, { cause: error });
  }
  parser.finish();
}

/** The capture's records one at a time; see `readScapBatches` for errors. */
export async function* readScapRecords(input: ScapInput): AsyncGenerator<ScapRecord> {
  for await (const batch of readScapBatches(input)) yield* batch;
}
