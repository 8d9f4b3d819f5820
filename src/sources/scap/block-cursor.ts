/**
 * Sequential little-endian reads inside one block body, bounds-checked: running past the end
 * raises a `ScapFormatError` that names the block, never an out-of-range read.
 */
import { ScapFormatError } from './records.js';

const textDecoder = new TextDecoder('utf-8');

export class BlockCursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  position: number;
  end: number;
  /** Where the block starts in the stream, and its type, for error messages. */
  readonly blockOffset: number;
  readonly blockType: number;

  constructor(
    bytes: Uint8Array,
    start: number,
    end: number,
    blockOffset: number,
    blockType: number,
  ) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
    this.end = end;
    this.blockOffset = blockOffset;
    this.blockType = blockType;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  /** Raise a format error located at this block. */
  fail(message: string): never {
    throw new ScapFormatError(message, this.blockOffset, this.blockType);
  }

  /** Claim `size` bytes and return where they start. */
  take(size: number, what: string): number {
    if (size > this.end - this.position) {
      this.fail(`${what} runs past the end of its block (${size} bytes, ${this.remaining} left)`);
    }
    const at = this.position;
    this.position += size;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.take(1, what)];
  }

  u16(what: string): number {
    return this.view.getUint16(this.take(2, what), true);
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  /** A signed 64-bit id (tid, pid, fd) as a number; exact below 2^53. */
  i64(what: string): number {
    const at = this.take(8, what);
    return this.view.getInt32(at + 4, true) * 0x1_0000_0000 + this.view.getUint32(at, true);
  }

  u64(what: string): bigint {
    return this.view.getBigUint64(this.take(8, what), true);
  }

  /** `size` raw bytes, as a view. */
  slice(size: number, what: string): Uint8Array {
    const at = this.take(size, what);
    return this.bytes.subarray(at, at + size);
  }

  /** A string stored as a 16-bit length and that many bytes, cut at the first NUL. */
  string16(what: string, maxLength: number): string {
    const length = this.u16(`${what} length`);
    if (length > maxLength) this.fail(`${what} length ${length} exceeds ${maxLength}`);
    return decodeText(this.slice(length, what));
  }

  /** A list of NUL-separated strings stored as a 16-bit length and that many bytes. */
  stringList16(what: string, maxLength: number): string[] {
    const length = this.u16(`${what} length`);
    if (length > maxLength) this.fail(`${what} length ${length} exceeds ${maxLength}`);
    return splitNulList(this.slice(length, what));
  }
}

/** Bytes up to the first NUL, as text. */
export function decodeText(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return textDecoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** NUL-separated strings; a trailing NUL does not add an empty item. */
function splitNulList(bytes: Uint8Array): string[] {
  const items: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    items.push(textDecoder.decode(bytes.subarray(start, end)));
    start = end + 1;
  }
  return items;
}
