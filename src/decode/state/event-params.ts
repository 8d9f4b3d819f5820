/**
 * Reading event parameters the way the state parsers need them: by position, with libsinsp's
 * notion of an empty parameter and of a syscall's return value.
 */
import type { SyscallEvent } from '../event.js';
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
  const raw = rawParamOf(event, 0);
  if (raw === undefined) return 0;
  if (raw.length === 4) return readUint32(raw, 0) | 0;
  if (raw.length === 8) return (readUint32(raw, 4) | 0) * 0x1_0000_0000 + readUint32(raw, 0);
  return 0;
}

/** An integer parameter as a number (64-bit values beyond 2^53 lose precision). */
export function numberParam(event: SyscallEvent, index: number): number {
  const value = paramValue(event, index);
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(BigInt.asIntN(64, value));
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

/** A 64-bit unsigned parameter as a bigint; 0n when absent. */
export function bigintParam(event: SyscallEvent, index: number): bigint {
  const value = paramValue(event, index);
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  if (typeof value === 'number') return BigInt.asUintN(64, BigInt(Math.trunc(value)));
  return 0n;
}

/** A text parameter up to its first NUL; '' when absent. */
export function stringParam(event: SyscallEvent, index: number): string {
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
