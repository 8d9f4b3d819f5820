/**
 * Little-endian encoding of `.scap` metadata blocks for the writer: a growable byte buffer
 * that knows the block frame (type, total length, body padded to 4 bytes, total length), and
 * the text forms of addresses turned back into bytes.
 */

const textEncoder = new TextEncoder();

/** UTF-8 bytes of `text`, cut to at most `limit` bytes. */
export function textBytes(text: string, limit: number): Uint8Array {
  const bytes = textEncoder.encode(text);
  return bytes.length <= limit ? bytes : bytes.subarray(0, limit);
}

/**
 * Strings joined with a NUL after each, as libscap stores argument, environment and cgroup
 * lists. Whole items that would take the list past `limit` bytes are left out.
 */
export function encodeStringList(items: readonly string[], limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const item of items) {
    const bytes = textEncoder.encode(item);
    if (length + bytes.length + 1 > limit) break;
    parts.push(bytes);
    length += bytes.length + 1;
  }
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length + 1;
  }
  return joined;
}

/** Dotted-quad text as its four bytes; empty or malformed text gives 0.0.0.0. */
export function encodeIpv4(text: string): Uint8Array {
  const bytes = new Uint8Array(4);
  const parts = text.split('.');
  if (parts.length !== 4) return bytes;
  parts.forEach((part, i) => (bytes[i] = Number(part) & 0xff));
  return bytes;
}

/**
 * IPv6 text (full groups as the reader renders them, or `::`-compressed, with an optional
 * dotted IPv4 tail) as its sixteen bytes; empty text gives `::`.
 */
export function encodeIpv6(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  if (text === '') return bytes;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groupsOf = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').flatMap(groupValues);
  const front = groupsOf(head);
  const back = groupsOf(tail);
  const groups = [...front, ...new Array(Math.max(0, 8 - front.length - back.length)).fill(0)];
  groups.push(...back);
  groups.slice(0, 8).forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** One colon-separated part: a hex group, or a dotted IPv4 tail worth two groups. */
function groupValues(part: string): number[] {
  if (!part.includes('.')) return [parseInt(part, 16) & 0xffff || 0];
  const v4 = encodeIpv4(part);
  return [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
}

/** Builds one metadata block; `finish` frames and pads it. */
export class BlockEncoder {
  private buffer = new Uint8Array(4096);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written after the 8-byte block header. */
  private position = 8;

  constructor(private readonly type: number) {}

  /** Body bytes written so far, counted from the start of the block. */
  get length(): number {
    return this.position;
  }

  /** Claims `size` bytes, growing the buffer; read `buffer`/`view` only after calling it. */
  private ensure(size: number): number {
    if (this.position + size > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.position + size + 8));
      grown.set(this.buffer.subarray(0, this.position));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.position;
    this.position += size;
    return at;
  }

  u8(value: number): this {
    const at = this.ensure(1);
    this.buffer[at] = value;
    return this;
  }

  u16(value: number): this {
    const at = this.ensure(2);
    this.view.setUint16(at, value, true);
    return this;
  }

  u32(value: number): this {
    const at = this.ensure(4);
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  /** A signed 64-bit id from a number (exact below 2^53). */
  i64(value: number): this {
    const at = this.ensure(8);
    this.view.setBigInt64(at, BigInt(Math.trunc(value)), true);
    return this;
  }

  u64(value: bigint): this {
    const at = this.ensure(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, value), true);
    return this;
  }

  bytes(value: Uint8Array): this {
    const at = this.ensure(value.length);
    this.buffer.set(value, at);
    return this;
  }

  /** Bytes preceded by their 16-bit length. */
  bytes16(value: Uint8Array): this {
    return this.u16(value.length).bytes(value);
  }

  /** Text preceded by its 16-bit length, cut to `limit` bytes, without a NUL. */
  text16(text: string, limit: number): this {
    return this.bytes16(textBytes(text, limit));
  }

  /** Text in a NUL-padded field of `size` bytes (always NUL-terminated). */
  fixedText(text: string, size: number): this {
    const at = this.ensure(size);
    this.buffer.fill(0, at, at + size);
    this.buffer.set(textBytes(text, size - 1), at);
    return this;
  }

  /** Room for a 32-bit length to be filled in by `patchU32`; returns where it is. */
  reserveU32(): number {
    return this.ensure(4);
  }

  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value, true);
  }

  /** The whole block: header, body padded to 4 bytes, trailer. */
  finish(): Uint8Array {
    const bodyEnd = this.position;
    const padded = (bodyEnd + 3) & ~3;
    const total = padded + 4;
    this.ensure(total - bodyEnd);
    this.buffer.fill(0, bodyEnd, padded);
    this.view.setUint32(0, this.type, true);
    this.view.setUint32(4, total, true);
    this.view.setUint32(padded, total, true);
    return this.buffer.slice(0, total);
  }
}
