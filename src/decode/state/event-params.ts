/**
 * Reading event parameters the way the state parsers need them: by position, with libsinsp's
 * notion of an empty parameter and of a syscall's return value.
 */
import type { EventInfo, ParamType, SyscallEvent } from '../event.js';
import { RecordSyscallEvent } from '../event-decoder.js';
import { EVENT_CATEGORY_BITS, EVENT_TABLE } from '../event-table.js';
import {
  decodeCString, decodeStringList, paramValue, rawParamCountOf, rawParamLengthOf, rawParamOf,
} from '../params.js'; // prettier-ignore

/** libscap's `EC_SYSCALL` source bit. */
const SYSCALL_CATEGORY = 1 << 9;
/** The generic syscall exit, whose first parameter is a syscall id, not a result. */
const GENERIC_EXIT = 1;

/** Whether parameter `index` is missing or has no bytes. */
export function isEmptyParam(event: SyscallEvent, index: number): boolean {
  if (event instanceof RecordSyscallEvent) return event.rawParamLength(index) === 0;
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
  const kind = numberKind(event.info, index);
  if (kind === NUMBER.OTHER) return undefined;
  const record = event as RecordSyscallEvent;
  const length = record.rawParamLength(index);
  if (length === 0) return 0;
  const { bytes } = record;
  switch (kind) {
    case NUMBER.INT8:
      return length < 1 ? 0 : (bytes[at] << 24) >> 24;
    case NUMBER.UINT8:
      return length < 1 ? 0 : bytes[at];
    case NUMBER.INT16:
      return length < 2 ? 0 : ((bytes[at] | (bytes[at + 1] << 8)) << 16) >> 16;
    case NUMBER.UINT16:
      return length < 2 ? 0 : bytes[at] | (bytes[at + 1] << 8);
    case NUMBER.INT32:
      return length < 4 ? 0 : readUint32(bytes, at) | 0;
    case NUMBER.UINT32:
      return length < 4 ? 0 : readUint32(bytes, at);
    case NUMBER.INT64:
      return length < 8 ? 0 : signedAt(bytes, at, 8);
    case NUMBER.DOUBLE:
      return length < 8 ? 0 : record.view.getFloat64(at, true);
  }
  // BOOL: any byte set.
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return 1;
  return 0;
}

/** How `numberInPlace` reads each parameter type; OTHER: through `paramValue`. */
const NUMBER = {
  OTHER: 0, INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, INT64: 7, DOUBLE: 8,
  BOOL: 9,
} as const; // prettier-ignore

/** Types `decodeParam` reads as integers (64-bit ones signed here, as `numberParam` does). */
const NUMBER_KINDS: ReadonlyMap<ParamType, number> = new Map<ParamType, number>([
  ['INT8', NUMBER.INT8],
  ...(['UINT8', 'FLAGS8', 'ENUMFLAGS8', 'SIGTYPE', 'L4PROTO', 'SOCKFAMILY'] as const).map(
    (type) => [type, NUMBER.UINT8] as const,
  ),
  ['INT16', NUMBER.INT16],
  ...(['UINT16', 'FLAGS16', 'ENUMFLAGS16', 'SYSCALLID', 'PORT'] as const).map(
    (type) => [type, NUMBER.UINT16] as const,
  ),
  ...(['INT32', 'FD32', 'PID32'] as const).map((type) => [type, NUMBER.INT32] as const),
  ...(['UINT32', 'FLAGS32', 'ENUMFLAGS32', 'MODE', 'UID', 'GID', 'SIGSET'] as const).map(
    (type) => [type, NUMBER.UINT32] as const,
  ),
  ...(['ERRNO', 'FD', 'PID', 'INT64', 'UINT64', 'RELTIME', 'ABSTIME'] as const).map(
    (type) => [type, NUMBER.INT64] as const,
  ),
  ['DOUBLE', NUMBER.DOUBLE],
  ['BOOL', NUMBER.BOOL],
]);

function kindsOf(info: EventInfo): Uint8Array {
  return Uint8Array.from(info.params, (param) => NUMBER_KINDS.get(param.type) ?? NUMBER.OTHER);
}

/** The kind of each parameter of every event code, so that no type name is compared per read. */
const EVENT_NUMBER_KINDS = EVENT_TABLE.map(kindsOf);

function numberKind(info: EventInfo, index: number): number {
  if (EVENT_TABLE[info.code] === info) return EVENT_NUMBER_KINDS[info.code][index];
  return kindsOf(info)[index];
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
