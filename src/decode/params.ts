/**
 * Decoders for libscap parameter values: raw little-endian bytes as the driver wrote them into
 * an event, turned into JavaScript values. One function per parameter type family; all of them
 * read without copying and accept any input length (a short value decodes to `null`).
 *
 * Value types: 8, 16 and 32-bit integers, flags, modes, ids and ports are numbers; FD, PID and
 * ERRNO are numbers too (libscap stores them as 64 bits, but their values stay far below
 * 2^53); the other 64-bit integers and times are bigints; strings and paths are strings;
 * byte buffers stay `Uint8Array` views into the capture.
 */
import type {
  ParamInfo,
  ParamType,
  ParamValue,
  SocketAddress,
  SocketTuple,
  SyscallEvent,
} from './event.js';

/** libscap's portable address family numbers (`PPM_AF_*`). */
const ADDRESS_FAMILY = { UNIX: 1, INET: 2, INET6: 10 } as const;

const textDecoder = new TextDecoder('utf-8');

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Text of `bytes[start, end)` up to the first NUL byte, as libscap's consumers read C strings. */
export function decodeCString(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let nul = bytes.indexOf(0, start);
  if (nul < 0 || nul > end) nul = end;
  return textDecoder.decode(bytes.subarray(start, nul));
}

/** A signed 64-bit value as a number: exact below 2^53, which FD, PID and errno values are. */
function readInt64Number(view: DataView, offset: number): number {
  return view.getInt32(offset + 4, true) * 0x1_0000_0000 + view.getUint32(offset, true);
}

/** Dotted-quad text of four address bytes in network order. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Longest run of two or more zero groups, as inet_ntop picks the one to shorten to `::`. */
function longestZeroRun(groups: number[]): [number, number] {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  return bestLength >= 2 ? [bestStart, bestLength] : [-1, 0];
}

/** IPv6 text as glibc's inet_ntop writes it, IPv4-mapped and -compatible forms included. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1]);
  const [start, length] = longestZeroRun(groups);
  const embedsIpv4 = start === 0 && (length === 6 || (length === 5 && groups[5] === 0xffff));
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === start) {
      text += i === 0 ? '::' : ':';
      i += length - 1;
      continue;
    }
    if (i === 6 && embedsIpv4) return text + formatIpv4(bytes, offset + 12);
    text += groups[i].toString(16) + (i < 7 ? ':' : '');
  }
  return text;
}

/** A `sockaddr` parameter: family byte, then address and port (host order) or a path. */
export function decodeSockaddr(bytes: Uint8Array): SocketAddress | null {
  if (bytes.length === 0) return null;
  const family = bytes[0];
  const view = viewOf(bytes);
  if (family === ADDRESS_FAMILY.INET && bytes.length >= 7) {
    return { family: 'inet', address: formatIpv4(bytes, 1), port: view.getUint16(5, true) };
  }
  if (family === ADDRESS_FAMILY.INET6 && bytes.length >= 19) {
    return { family: 'inet6', address: formatIpv6(bytes, 1), port: view.getUint16(17, true) };
  }
  if (family === ADDRESS_FAMILY.UNIX) return { family: 'unix', path: decodeCString(bytes, 1) };
  return { family: 'other', familyCode: family };
}

/** A socket tuple: family, then source and destination address and port, or unix peers. */
export function decodeSocktuple(bytes: Uint8Array): SocketTuple | null {
  if (bytes.length === 0) return null;
  const family = bytes[0];
  const view = viewOf(bytes);
  if (family === ADDRESS_FAMILY.INET && bytes.length >= 13) {
    return {
      family: 'inet',
      sourceAddress: formatIpv4(bytes, 1),
      sourcePort: view.getUint16(5, true),
      destinationAddress: formatIpv4(bytes, 7),
      destinationPort: view.getUint16(11, true),
    };
  }
  if (family === ADDRESS_FAMILY.INET6 && bytes.length >= 37) {
    return {
      family: 'inet6',
      sourceAddress: formatIpv6(bytes, 1),
      sourcePort: view.getUint16(17, true),
      destinationAddress: formatIpv6(bytes, 19),
      destinationPort: view.getUint16(35, true),
    };
  }
  if (family === ADDRESS_FAMILY.UNIX && bytes.length >= 17) {
    return {
      family: 'unix',
      source: view.getBigUint64(1, true),
      destination: view.getBigUint64(9, true),
      path: decodeCString(bytes, 17),
    };
  }
  return { family: 'other', familyCode: family };
}

/** An fd list: 16-bit count, then per fd a 64-bit number and 16-bit flags. */
function decodeFdList(bytes: Uint8Array): ReadonlyArray<readonly [number, number]> | null {
  if (bytes.length < 2) return null;
  const view = viewOf(bytes);
  const count = Math.min(view.getUint16(0, true), Math.floor((bytes.length - 2) / 10));
  const entries: (readonly [number, number])[] = [];
  for (let i = 0, at = 2; i < count; i++, at += 10) {
    entries.push([readInt64Number(view, at), view.getUint16(at + 8, true)]);
  }
  return entries;
}

/** NUL-separated strings (CHARBUFARRAY as stored in captures). */
export function decodeStringList(bytes: Uint8Array): string[] {
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

/** Network text of an IPV4NET / IPV6NET / IPNET value: address, then prefix length. */
function decodeNet(bytes: Uint8Array): string | null {
  if (bytes.length === 8) return `${formatIpv4(bytes)}/${countPrefix(bytes, 4, 4)}`;
  if (bytes.length === 32) return `${formatIpv6(bytes)}/${countPrefix(bytes, 16, 16)}`;
  return null;
}

function countPrefix(bytes: Uint8Array, start: number, length: number): number {
  let bits = 0;
  for (let i = start; i < start + length; i++) {
    for (let mask = 0x80; mask > 0 && (bytes[i] & mask) !== 0; mask >>= 1) bits++;
  }
  return bits;
}

/** Minimum value size of each fixed-size type, in bytes; variable-size types are absent. */
// prettier-ignore -- one line per size reads better than one line per type
export const FIXED_PARAM_SIZE: Partial<Record<ParamType, number>> = {
  INT8: 1,
  UINT8: 1,
  FLAGS8: 1,
  ENUMFLAGS8: 1,
  SIGTYPE: 1,
  L4PROTO: 1,
  SOCKFAMILY: 1,
  INT16: 2,
  UINT16: 2,
  FLAGS16: 2,
  ENUMFLAGS16: 2,
  SYSCALLID: 2,
  PORT: 2,
  INT32: 4,
  UINT32: 4,
  FLAGS32: 4,
  ENUMFLAGS32: 4,
  MODE: 4,
  UID: 4,
  GID: 4,
  BOOL: 4,
  SIGSET: 4,
  IPV4ADDR: 4,
  FD32: 4,
  PID32: 4,
  INT64: 8,
  UINT64: 8,
  ERRNO: 8,
  FD: 8,
  PID: 8,
  RELTIME: 8,
  ABSTIME: 8,
  DOUBLE: 8,
  IPV6ADDR: 16,
};

/** Little-endian unsigned 32-bit value at `at`. */
function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x100_0000;
}

/** Integer-like types read as numbers: how many bytes, and whether signed. */
function decodeNumber(type: ParamType, bytes: Uint8Array): number | bigint | null {
  const size = FIXED_PARAM_SIZE[type] ?? 0;
  if (bytes.length < size) return null;
  // The common sizes are read from the bytes: a DataView per value would be garbage.
  switch (type) {
    case 'INT8':
      return (bytes[0] << 24) >> 24;
    case 'INT16':
      return ((bytes[0] | (bytes[1] << 8)) << 16) >> 16;
    case 'INT32':
    case 'FD32':
    case 'PID32':
      return readUint32(bytes, 0) | 0;
    case 'ERRNO':
    case 'FD':
    case 'PID':
      return (readUint32(bytes, 4) | 0) * 0x1_0000_0000 + readUint32(bytes, 0);
    case 'INT64':
      return viewOf(bytes).getBigInt64(0, true);
    case 'UINT64':
    case 'RELTIME':
    case 'ABSTIME':
      return viewOf(bytes).getBigUint64(0, true);
    case 'DOUBLE':
      return viewOf(bytes).getFloat64(0, true);
    default:
      if (size === 1) return bytes[0];
      if (size === 2) return bytes[0] | (bytes[1] << 8);
      return readUint32(bytes, 0);
  }
}

/**
 * Decode one parameter value of type `type`. An empty value (libscap's "empty parameter",
 * written by converters or drivers that had nothing to report) decodes to `null`. `info` is
 * needed only for DYN parameters, whose first byte selects the real type.
 */
export function decodeParam(type: ParamType, bytes: Uint8Array, info?: ParamInfo): ParamValue {
  if (bytes.length === 0) return null;
  switch (type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return decodeCString(bytes);
    case 'BYTEBUF':
      return bytes;
    case 'SOCKADDR':
      return decodeSockaddr(bytes);
    case 'SOCKTUPLE':
      return decodeSocktuple(bytes);
    case 'FDLIST':
      return decodeFdList(bytes);
    case 'CHARBUFARRAY':
      return decodeStringList(bytes);
    case 'CHARBUF_PAIR_ARRAY':
      return decodeStringList(bytes);
    case 'BOOL':
      return bytes.some((byte) => byte !== 0);
    case 'IPV4ADDR':
      return bytes.length >= 4 ? formatIpv4(bytes) : null;
    case 'IPV6ADDR':
      return bytes.length >= 16 ? formatIpv6(bytes) : null;
    case 'IPADDR':
      if (bytes.length === 4) return formatIpv4(bytes);
      return bytes.length === 16 ? formatIpv6(bytes) : null;
    case 'IPV4NET':
    case 'IPV6NET':
    case 'IPNET':
      return decodeNet(bytes);
    case 'DYN':
      return decodeDynamic(bytes, info);
    case 'NONE':
      return null;
    default:
      return decodeNumber(type, bytes);
  }
}

/** The type a DYN value really has, chosen by its leading index byte; `undefined` if unknown. */
function dynamicParamType(bytes: Uint8Array, info?: ParamInfo): ParamType | undefined {
  if (bytes.length === 0) return undefined;
  return info?.dynamicTypes?.[bytes[0]]?.[0];
}

function decodeDynamic(bytes: Uint8Array, info?: ParamInfo): ParamValue {
  const type = dynamicParamType(bytes, info);
  return type === undefined ? bytes : decodeParam(type, bytes.subarray(1));
}

/** An event that hands out one raw parameter without slicing them all (`RecordSyscallEvent`). */
interface SingleParamSource {
  rawParam(index: number): Uint8Array | undefined;
  rawParamLength(index: number): number;
  readonly rawParamCount: number;
}

function isSingleParamSource(event: SyscallEvent): event is SyscallEvent & SingleParamSource {
  return 'rawParam' in event;
}

/** `event.rawParams[index]`, without slicing the other parameters when the event can. */
export function rawParamOf(event: SyscallEvent, index: number): Uint8Array | undefined {
  return isSingleParamSource(event) ? event.rawParam(index) : event.rawParams[index];
}

/** Byte length of `event.rawParams[index]` (0 when missing), without slicing when it can. */
export function rawParamLengthOf(event: SyscallEvent, index: number): number {
  return isSingleParamSource(event)
    ? event.rawParamLength(index)
    : (event.rawParams[index]?.length ?? 0);
}

/** `event.rawParams.length`, without slicing the parameters when the event can. */
export function rawParamCountOf(event: SyscallEvent): number {
  return isSingleParamSource(event) ? event.rawParamCount : event.rawParams.length;
}

/**
 * Parameter `index` of `event`, decoded on first use and cached in `event.decodedParams`.
 * `null` when the event has no such parameter or the value is empty.
 */
export function paramValue(event: SyscallEvent, index: number): ParamValue {
  const cache = (event.decodedParams ??= []);
  if (index in cache) return cache[index];
  const info = event.info.params[index];
  const raw = info === undefined ? undefined : rawParamOf(event, index);
  const value = info === undefined || raw === undefined ? null : decodeParam(info.type, raw, info);
  cache[index] = value;
  return value;
}
