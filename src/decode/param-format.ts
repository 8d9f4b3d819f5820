/**
 * Text of event parameters as sysdig and Falco print them in `evt.args` and `evt.arg.NAME`:
 * a raw value (numbers in the parameter's print format, buffers with dots for unprintable
 * bytes) and a resolved value (flag names, errno names, signal names, syscall names). Values
 * that need process or fd state (fd names, thread names, user names, absolute paths) come from
 * an optional `ParamResolver` the state engine supplies; without one they stay unresolved.
 */
import type { FlagTable, ParamFormat, ParamInfo, ParamType, SyscallEvent } from './event.js';
import { ERRNO_NAMES, SIGNAL_NAMES, SYSCALL_NAMES } from './flag-names.js';
import {
  decodeCString,
  decodeSockaddr,
  decodeSocktuple,
  formatIpv4,
  formatIpv6,
} from './params.js';

/** Resolutions that need state; each returns '' when it has nothing to say. */
export interface ParamResolver {
  /** The fd's `<type>name` text, e.g. `<f>/etc/passwd` or `<4t>1.2.3.4:5->6.7.8.9:10`. */
  fdName?(event: SyscallEvent, fd: number): string;
  /** Type character of an fd for FDLIST values (`f`, `4`, `u`, ...); '?' when unknown. */
  fdTypeChar?(event: SyscallEvent, fd: number): string;
  /** Command name of a thread. */
  threadName?(tid: number): string;
  userName?(event: SyscallEvent, uid: number): string;
  groupName?(event: SyscallEvent, gid: number): string;
  /** A relative path made absolute against the thread's cwd or the param's dirfd. */
  absolutePath?(event: SyscallEvent, index: number, path: string): string;
  /** `l4proto` of the event's socket, for service-name style ports: not used (numbers only). */
}

/** How byte buffers print: sysdig's default, `-b` (base64), `-x` (hex) or `-A` (ascii). */
type BufferFormat = 'normal' | 'base64' | 'hex' | 'ascii';

export interface ParamFormatOptions {
  resolver?: ParamResolver;
  bufferFormat?: BufferFormat;
  /** Cut rendered buffers longer than this, ending them with '...' (sysdig: 80); 0: never. */
  maxBufferLength?: number;
}

/** A parameter's printed value and its resolution ('' when there is none). */
export interface FormattedParam {
  value: string;
  resolved: string;
}

/** Types whose empty value prints as NULL rather than <NA> (libsinsp's legacy encoding). */
const NULL_WHEN_EMPTY: ReadonlySet<ParamType> = new Set([
  'BYTEBUF', 'SOCKTUPLE', 'FDLIST', 'CHARBUFARRAY', 'CHARBUF_PAIR_ARRAY', 'DYN',
]); // prettier-ignore

const AT_FDCWD = -100;
const UINT32_MAX = 0xffffffff;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Integer of `size` bytes, signed or not, as a bigint (exact for every width). */
function readInteger(bytes: Uint8Array, size: number, signed: boolean): bigint | undefined {
  if (bytes.length < size) return undefined;
  const view = viewOf(bytes);
  if (size === 1) return BigInt(signed ? view.getInt8(0) : view.getUint8(0));
  if (size === 2) return BigInt(signed ? view.getInt16(0, true) : view.getUint16(0, true));
  if (size === 4) return BigInt(signed ? view.getInt32(0, true) : view.getUint32(0, true));
  return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
}

/** printf of an integer in a libscap print format: `%#o`, `%09d`, `%X` or `%d`. */
function formatInteger(value: bigint, bits: number, format: ParamFormat): string {
  const unsigned = BigInt.asUintN(bits, value);
  if (format === 'OCT') return unsigned === 0n ? '0' : `0${unsigned.toString(8)}`;
  if (format === 'HEX') return unsigned.toString(16).toUpperCase();
  // libsinsp prints with the signed conversion, so 32 and 64-bit high-bit values go negative.
  const signed = BigInt.asIntN(bits, value).toString();
  if (format === 'PADDED_DEC') return signed.startsWith('-') ? signed : signed.padStart(9, '0');
  return signed;
}

/** The C `%lg` conversion (six significant digits, shortest of fixed and exponent forms). */
export function formatShortestFloat(value: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  const trim = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = value.toExponential(5).split('e');
    const sign = power.startsWith('-') ? '-' : '+';
    return `${trim(mantissa)}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return trim(value.toFixed(Math.max(0, 5 - exponent)));
}

/** Names of the flags set in `value`, as libsinsp matches them (table order, bits removed). */
export function flagText(value: number, table: FlagTable | undefined, exact: boolean): string {
  if (table === undefined) return '';
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [flag, name] of table) {
    if (exact) {
      if (flag === value) names.push(name);
      continue;
    }
    const matches = flag === 0 ? value === 0 : rest !== 0 && (rest & flag) >>> 0 === flag;
    if (!matches) continue;
    names.push(name);
    rest = (rest & ~flag) >>> 0;
    if (flag === value) break;
  }
  return names.join('|');
}

/** Names in a MODE value: libsinsp stops at the entry equal to the whole value. */
function modeText(value: number, table: FlagTable | undefined): string {
  if (table === undefined) return '';
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [flag, name] of table) {
    if (flag === value) {
      names.push(name);
      break;
    }
    const matches = flag === 0 ? value === 0 : rest !== 0 && (rest & flag) >>> 0 === flag;
    if (matches) {
      names.push(name);
      rest = (rest & ~flag) >>> 0;
    }
  }
  return names.join('|');
}

/** Printable ASCII kept, everything else a dot: sysdig's default buffer rendering. */
function bufferText(bytes: Uint8Array, format: BufferFormat): string {
  if (format === 'base64') return Buffer.from(bytes).toString('base64');
  if (format === 'hex') return Buffer.from(bytes).toString('hex');
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else if (format === 'ascii' && (byte === 0x0a || byte === 0x0d)) text += '\n';
    else if (format !== 'ascii') text += '.';
  }
  return text;
}

function socktupleText(bytes: Uint8Array): string {
  const tuple = decodeSocktuple(bytes);
  if (tuple === null) return 'NULL';
  if (tuple.family === 'other') return `family ${tuple.familyCode}`;
  if (tuple.family === 'unix') {
    return `${tuple.source?.toString(16)}->${tuple.destination?.toString(16)} ${tuple.path}`;
  }
  const mapped = (at: number): boolean =>
    bytes.subarray(at, at + 10).every((byte) => byte === 0) &&
    bytes[at + 10] === 0xff &&
    bytes[at + 11] === 0xff;
  if (tuple.family === 'inet6' && mapped(1) && mapped(19)) {
    const source = formatIpv4(bytes, 13);
    return `${source}:${tuple.sourcePort}->${formatIpv4(bytes, 31)}:${tuple.destinationPort}`;
  }
  const { sourceAddress, sourcePort, destinationAddress, destinationPort } = tuple;
  return `${sourceAddress}:${sourcePort}->${destinationAddress}:${destinationPort}`;
}

function sockaddrText(bytes: Uint8Array): string {
  const address = decodeSockaddr(bytes);
  if (address === null) return '<NA>';
  if (address.family === 'unix') return address.path ?? '';
  if (address.family === 'other') return `family ${address.familyCode}`;
  return `${address.address}:${address.port}`;
}

/** Text for one non-empty value whose type is `type` (after DYN selection). */
function formatTyped(
  event: SyscallEvent,
  index: number,
  info: ParamInfo,
  type: ParamType,
  bytes: Uint8Array,
  options: ParamFormatOptions,
): FormattedParam {
  const resolver = options.resolver;
  const int = (size: number, signed: boolean): bigint => readInteger(bytes, size, signed) ?? 0n;
  const plain = (value: string): FormattedParam => ({ value, resolved: '' });
  switch (type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
    case 'UINT64': {
      const size =
        { INT8: 1, UINT8: 1, INT16: 2, UINT16: 2, INT32: 4, UINT32: 4 }[type as string] ?? 8;
      const value = int(size, type.startsWith('INT'));
      // 8 and 16-bit values are promoted to int before printing, so they never go negative.
      return plain(formatInteger(value, size < 4 ? 32 : size * 8, info.format));
    }
    case 'FD':
    case 'FD32': {
      const fd = Number(int(type === 'FD' ? 8 : 4, true));
      if (fd === AT_FDCWD) return { value: String(fd), resolved: 'AT_FDCWD' };
      if (fd < 0) return { value: String(fd), resolved: ERRNO_NAMES.get(-fd) ?? '' };
      return { value: String(fd), resolved: resolver?.fdName?.(event, fd) ?? '' };
    }
    case 'PID':
    case 'PID32': {
      const pid = Number(int(type === 'PID' ? 8 : 4, true));
      return { value: String(pid), resolved: resolver?.threadName?.(pid) ?? '' };
    }
    case 'ERRNO': {
      const value = Number(int(8, true));
      return { value: String(value), resolved: value < 0 ? (ERRNO_NAMES.get(-value) ?? '') : '' };
    }
    case 'CHARBUF':
      return plain(decodeCString(bytes));
    case 'FSPATH':
    case 'FSRELPATH': {
      const path = decodeCString(bytes);
      const isRelative = path !== '' && !path.startsWith('/') && path !== '<NA>';
      const resolved = isRelative ? (resolver?.absolutePath?.(event, index, path) ?? '') : '';
      return { value: path, resolved };
    }
    case 'BYTEBUF':
      return plain(cutBuffer(bufferText(bytes, options.bufferFormat ?? 'normal'), options));
    case 'SOCKADDR':
      return plain(sockaddrText(bytes));
    case 'SOCKTUPLE':
      return plain(socktupleText(bytes));
    case 'FDLIST':
      return plain(fdListText(event, bytes, resolver));
    case 'SYSCALLID': {
      const id = Number(int(2, false));
      return { value: String(id), resolved: SYSCALL_NAMES[id] ?? '' };
    }
    case 'SIGTYPE': {
      const signal = Number(int(1, false));
      return { value: String(signal), resolved: SIGNAL_NAMES.get(signal) ?? '' };
    }
    case 'RELTIME': {
      const value = int(8, false);
      if (value === 0xffffffffffffffffn) return plain('none');
      return { value: value.toString(), resolved: `${formatShortestFloat(Number(value) / 1e9)}s` };
    }
    case 'ABSTIME':
      return plain(formatAbsoluteTime(int(8, false)));
    case 'FLAGS8':
    case 'FLAGS16':
    case 'FLAGS32':
    case 'ENUMFLAGS8':
    case 'ENUMFLAGS16':
    case 'ENUMFLAGS32': {
      const size = type.endsWith('8') ? 1 : type.endsWith('16') ? 2 : 4;
      const value = Number(int(size, false));
      return {
        value: String(value),
        resolved: flagText(value, info.flagNames, type.startsWith('ENUM')),
      };
    }
    case 'MODE': {
      const value = int(4, false);
      return {
        value: formatInteger(value, 32, info.format),
        resolved: modeText(Number(value), info.flagNames),
      };
    }
    case 'UID':
    case 'GID': {
      const id = Number(int(4, false));
      if (id === UINT32_MAX) return { value: '-1', resolved: '<NONE>' };
      const lookup = type === 'UID' ? resolver?.userName : resolver?.groupName;
      const name = lookup?.call(resolver, event, id) ?? '';
      return { value: String(id), resolved: name === '' && lookup ? '<NA>' : name };
    }
    case 'SIGSET': {
      const mask = Number(int(4, false));
      const names: string[] = [];
      for (let bit = 0; bit < 32; bit++) {
        const name = (mask >>> bit) & 1 ? SIGNAL_NAMES.get(bit + 1) : undefined;
        if (name !== undefined) names.push(name);
      }
      return plain(names.join(' '));
    }
    case 'CHARBUFARRAY':
      return plain(splitNul(bytes).join('.'));
    case 'IPV4ADDR':
      return plain(bytes.length >= 4 ? formatIpv4(bytes) : '');
    case 'IPV6ADDR':
      return plain(bytes.length >= 16 ? formatIpv6(bytes) : '');
    case 'BOOL':
    case 'PORT':
    case 'L4PROTO':
    case 'SOCKFAMILY':
      return plain(String(int(type === 'BOOL' ? 4 : type === 'PORT' ? 2 : 1, false)));
    case 'DOUBLE':
      return plain(bytes.length >= 8 ? String(viewOf(bytes).getFloat64(0, true)) : '');
    default:
      return plain('(n.a.)');
  }
}

function splitNul(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  return text.split('\0').filter((part, i, all) => part !== '' || i < all.length - 1);
}

function cutBuffer(text: string, options: ParamFormatOptions): string {
  const max = options.maxBufferLength ?? 0;
  if (max === 0 || text.length <= max) return text;
  return max > 3 ? `${text.slice(0, max - 3)}...` : text.slice(0, max);
}

function fdListText(event: SyscallEvent, bytes: Uint8Array, resolver?: ParamResolver): string {
  if (bytes.length < 2) return '';
  const view = viewOf(bytes);
  const count = Math.min(view.getUint16(0, true), Math.floor((bytes.length - 2) / 10));
  const parts: string[] = [];
  for (let i = 0, at = 2; i < count; i++, at += 10) {
    const fd = view.getBigInt64(at, true);
    const typeChar = resolver?.fdTypeChar?.(event, Number(fd)) || '?';
    // libsinsp prints the fd unsigned and the 16-bit flags sign-extended, in hex.
    const flags = (view.getInt16(at + 8, true) >>> 0).toString(16);
    parts.push(`${BigInt.asUintN(64, fd)}:${typeChar}${flags}`);
  }
  return parts.join(' ');
}

/** `YYYY-MM-DD HH:MM:SS.nnnnnnnnn +zzzz` in local time, as libsinsp prints ABSTIME. */
function formatAbsoluteTime(nanoseconds: bigint): string {
  const date = new Date(Number(nanoseconds / 1_000_000n));
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const offset = -date.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time}.${pad(Number(nanoseconds % 1_000_000_000n), 9)} ${zone}`;
}

/** Parameter `index` of `event` as text; `undefined` when the event does not carry it. */
export function formatParam(
  event: SyscallEvent,
  index: number,
  options: ParamFormatOptions = {},
): FormattedParam | undefined {
  const info = event.info.params[index];
  const bytes = event.rawParams[index];
  if (info === undefined || bytes === undefined) return undefined;
  if (bytes.length === 0)
    return { value: NULL_WHEN_EMPTY.has(info.type) ? 'NULL' : '<NA>', resolved: '' };
  if (
    info.type === 'DYN' &&
    info.dynamicTypes !== undefined &&
    bytes[0] < info.dynamicTypes.length
  ) {
    const [type] = info.dynamicTypes[bytes[0]];
    return formatTyped(event, index, info, type, bytes.subarray(1), options);
  }
  return formatTyped(event, index, info, info.type, bytes, options);
}

/** `evt.arg.NAME` text: the resolved value when there is one, else the raw value. */
export function formatArgument(
  event: SyscallEvent,
  index: number,
  options: ParamFormatOptions = {},
): string | undefined {
  const param = formatParam(event, index, options);
  if (param === undefined) return undefined;
  return param.resolved !== '' ? param.resolved : param.value;
}

/** `evt.args` text: `name=value(resolved)` for every parameter the event carries. */
export function formatArgs(event: SyscallEvent, options: ParamFormatOptions = {}): string {
  // Generic syscall exits carry internal data only; sysdig prints no arguments for them.
  if (event.info.code === 1) return '';
  const parts: string[] = [];
  for (let i = 0; i < event.rawParams.length; i++) {
    const param = formatParam(event, i, options);
    if (param === undefined) continue;
    const name = event.info.params[i].name;
    parts.push(
      param.resolved === ''
        ? `${name}=${param.value}`
        : `${name}=${param.value}(${param.resolved})`,
    );
  }
  return parts.join(' ');
}

/** `evt.type` text: the event's name, or for generic syscall events the syscall's own name. */
export function eventTypeName(event: SyscallEvent): string {
  if (event.info.code > 1) return event.info.name;
  const id = event.rawParams[0];
  if (id === undefined || id.length < 2) return event.info.name;
  return SYSCALL_NAMES[viewOf(id).getUint16(0, true)] || event.info.name;
}
