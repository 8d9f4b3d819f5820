/**
 * Reading event parameters the way the state parsers need them: by position, with libsinsp's
 * notion of an empty parameter and of a syscall's return value.
 */
import type { ParamType, SyscallEvent } from '../event.js';
import { RecordSyscallEvent } from '../event-decoder.js';
import { EVENT_CATEGORY_BITS } from '../event-table.js';
import {
  decodeCString, decodeStringList, paramValue, rawParamCountOf, rawParamLengthOf, rawParamOf,
} from '../params.js'; // prettier-ignore

/** libscap's `EC_SYSCALL` source bit. */
const SYSCALL_CATEGORY = 1 << 9;
/** The generic syscall exit, whose first parameter is a syscall id, not a result. */
const GENERIC_EXIT = 1;

/** Whether parameter `index` is missing or has no bytes. */
export function isEmptyParam(event: SyscallEvent, index: number): boolean {
  return rawParamLengthOf(event, index) === 0;
}

/** libsinsp's `has_return_value`: a syscall exit with at least one parameter. */
export function hasReturnValue(event: SyscallEvent): boolean {
  const { code } = event.info;
  return (
    code !== GENERIC_EXIT &&
    event.info.direction === 'exit' &&
    (EVENT_CATEGORY_BITS[code] & SYSCALL_CATEGORY) !== 0 &&
    rawParamCountOf(event) > 0
  );
}

/** Little-endian unsigned 32-bit value at `at` (no DataView: this runs for most exits). */
function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x100_0000;
}

/** The first parameter read as a 32 or 64-bit signed integer; 0 for other sizes. */
export function returnValue(event: SyscallEvent): number {
  if (event instanceof RecordSyscallEvent && event.isInPlace) {
    const at = event.valueOffset(0);
    if (at < 0) return 0;
    return signedAt(event.bytes, at, event.rawParamLength(0));
  }
  const raw = rawParamOf(event, 0);
  return raw === undefined ? 0 : signedAt(raw, 0, raw.length);
}

/** A 32 or 64-bit little-endian signed integer of `length` bytes at `at`; 0 for other sizes. */
function signedAt(bytes: Uint8Array, at: number, length: number): number {
  if (length === 4) return readUint32(bytes, at) | 0;
  if (length === 8) return (readUint32(bytes, at + 4) | 0) * 0x1_0000_0000 + readUint32(bytes, at);
  return 0;
}

/** An integer parameter as a number (64-bit values beyond 2^53 lose precision). */
export function numberParam(event: SyscallEvent, index: number): number {
  const inPlace = numberInPlace(event, index);
  if (inPlace !== undefined) return inPlace;
  const value = paramValue(event, index);
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(BigInt.asIntN(64, value));
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

/**
 * The byte offset of parameter `index` in a record's own bytes, when it can be read there:
 * -1 when it is missing, undefined when `paramValue` must answer (not a record, converted
 * parameters, or a value already decoded, which `paramValue` returns as cached).
 */
function offsetInPlace(event: SyscallEvent, index: number): number | undefined {
  if (!(event instanceof RecordSyscallEvent) || !event.isInPlace) return undefined;
  const cache = event.decodedParams;
  if (cache !== undefined && index in cache) return undefined;
  return event.info.params[index] === undefined ? -1 : event.valueOffset(index);
}

/**
 * `numberParam` of a record's integer-like parameter read in place, without the view and the
 * cache entry `paramValue` makes; undefined for the types only `paramValue` decodes. Follows
 * `decodeParam`: an empty or short value is 0, 64-bit values are read signed, BOOL is 0 or 1.
 */
function numberInPlace(event: SyscallEvent, index: number): number | undefined {
  const at = offsetInPlace(event, index);
  if (at === undefined || at < 0) return at === undefined ? undefined : 0;
  const record = event as RecordSyscallEvent;
  const length = record.rawParamLength(index);
  if (length === 0) return 0;
  return numberAt(event.info.params[index].type, record.bytes, record.view, at, length);
}

/** `numberInPlace` of a value of `type` at `bytes[at, at + length)`, `length` > 0. */
function numberAt(
  type: ParamType,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  length: number,
): number | undefined {
  switch (type) {
    case 'INT8':
      return length < 1 ? 0 : (bytes[at] << 24) >> 24;
    case 'UINT8':
    case 'FLAGS8':
    case 'ENUMFLAGS8':
    case 'SIGTYPE':
    case 'L4PROTO':
    case 'SOCKFAMILY':
      return length < 1 ? 0 : bytes[at];
    case 'INT16':
      return length < 2 ? 0 : ((bytes[at] | (bytes[at + 1] << 8)) << 16) >> 16;
    case 'UINT16':
    case 'FLAGS16':
    case 'ENUMFLAGS16':
    case 'SYSCALLID':
    case 'PORT':
      return length < 2 ? 0 : bytes[at] | (bytes[at + 1] << 8);
    case 'INT32':
    case 'FD32':
    case 'PID32':
      return length < 4 ? 0 : readUint32(bytes, at) | 0;
    case 'UINT32':
    case 'FLAGS32':
    case 'ENUMFLAGS32':
    case 'MODE':
    case 'UID':
    case 'GID':
    case 'SIGSET':
      return length < 4 ? 0 : readUint32(bytes, at);
    case 'ERRNO':
    case 'FD':
    case 'PID':
    case 'INT64':
    case 'UINT64':
    case 'RELTIME':
    case 'ABSTIME':
      return length < 8
        ? 0
        : (readUint32(bytes, at + 4) | 0) * 0x1_0000_0000 + readUint32(bytes, at);
    case 'DOUBLE':
      return length < 8 ? 0 : view.getFloat64(at, true);
    case 'BOOL':
      for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return 1;
      return 0;
  }
  return undefined;
}

/** Types `decodeParam` reads as 64-bit bigints. */
const BIGINT_TYPES: ReadonlySet<ParamType | undefined> = new Set([
  'INT64', 'UINT64', 'RELTIME', 'ABSTIME',
] as const); // prettier-ignore

/** A 64-bit unsigned parameter as a bigint; 0n when absent. */
export function bigintParam(event: SyscallEvent, index: number): bigint {
  const at = offsetInPlace(event, index);
  if (at !== undefined && BIGINT_TYPES.has(event.info.params[index]?.type)) {
    // Read in place: the 64 bits as unsigned, what the general path makes of the value.
    const length = at < 0 ? 0 : (event as RecordSyscallEvent).rawParamLength(index);
    return length < 8 ? 0n : (event as RecordSyscallEvent).view.getBigUint64(at, true);
  }
  const value = paramValue(event, index);
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  if (typeof value === 'number') return BigInt.asUintN(64, BigInt(Math.trunc(value)));
  return 0n;
}

/** A text parameter up to its first NUL; '' when absent. */
export function stringParam(event: SyscallEvent, index: number): string {
  if (event instanceof RecordSyscallEvent && event.isInPlace) {
    const at = event.valueOffset(index);
    return at < 0 ? '' : decodeCString(event.bytes, at, at + event.rawParamLength(index));
  }
  const raw = rawParamOf(event, index);
  return raw === undefined ? '' : decodeCString(raw);
}

/** A NUL-separated list parameter (args, env, cgroups). */
export function listParam(event: SyscallEvent, index: number): string[] {
  const raw = rawParamOf(event, index);
  if (raw === undefined || raw.length === 0) return [];
  const end = raw[raw.length - 1] === 0 ? raw.length - 1 : raw.length;
  return end === 0 ? [''] : decodeStringList(raw.subarray(0, end));
}
