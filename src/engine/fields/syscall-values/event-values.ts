/**
 * Values of the event fields (`evt.*`): what happened, when, with which arguments and result,
 * as libsinsp extracts them after parsing the event.
 */
import type { EventInfo, SyscallEvent } from '../../../decode/event.js';
import {
  EVENT_CATEGORY_BITS,
  EVENT_FLAG_BITS,
  EVENT_FLAGS,
  EVENT_TABLE,
  paramIndex,
} from '../../../decode/event-table.js';
import {
  eventTypeName,
  formatArgs,
  formatArgument,
  formatParam,
} from '../../../decode/param-format.js';
import type { ParamFormatOptions } from '../../../decode/param-format.js';
import { paramValue } from '../../../decode/params.js';
import {
  hasReturnValue,
  isEmptyParam,
  numberParam,
  returnValue,
} from '../../../decode/state/event-params.js';
import { rawArgumentType } from '../syscall-args.js';
import type { FieldValue } from '../types.js';
import { resolverFor } from './param-resolver.js';
import { unknownEventTypeProblem } from './event-type-names.js';
import type { SyscallFieldValues } from './types.js';

const OPEN = { RDONLY: 1, WRONLY: 2, CREAT: 4, TMPFILE: 1 << 13, F_CREATED: 1 << 14 } as const;
const EXEC_MODE_BITS = (1 << 6) | (1 << 3) | (1 << 0);
/** libscap's `EC_SYSCALL` source bit. */
const SYSCALL_CATEGORY = 1 << 9;

/** `evt.args` text with state resolutions; `options` can cut long buffers as sysdig prints. */
export function formatEventArgs(event: SyscallEvent, options: ParamFormatOptions = {}): string {
  return formatArgs(event, { ...options, resolver: resolverFor(event) });
}

/** Index of an `evt.arg` argument: a position (`evt.arg[1]`) or a parameter name. */
/**
 * Nanoseconds since the stream's first event (not a meta event), as libsinsp counts
 * `evt.reltime`. LIMIT: read through the event's thread, so an event of no thread has none.
 */
function sinceFirstEvent(event: SyscallEvent): bigint | undefined {
  const first = event.thread?.state.firstEventTs;
  return first === undefined ? undefined : event.ts - first;
}

function wholeSeconds(ns: bigint | undefined): bigint | undefined {
  return ns === undefined ? undefined : ns / 1_000_000_000n;
}

function nanosecondRemainder(ns: bigint | undefined): bigint | undefined {
  return ns === undefined ? undefined : ns % 1_000_000_000n;
}

function argumentPosition(event: SyscallEvent, argument: string | undefined): number {
  if (argument === undefined) return -1;
  if (/^\s*\d+$/.test(argument)) return Number.parseInt(argument, 10);
  return paramIndex(event.info, argument);
}

/** A raw parameter as a field value; structured addresses stay bytes. */
function rawValue(event: SyscallEvent, index: number): FieldValue | undefined {
  if (index < 0 || index >= event.rawParams.length) return undefined;
  const value = paramValue(event, index);
  if (value === null) return undefined;
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return event.rawParams[index];
  return value;
}

/** Positions of the flags and mode parameters of the open-family exits, as libsinsp reads them. */
const OPEN_LAYOUT: ReadonlyMap<string, readonly [number, number | undefined]> = new Map([
  ['open', [2, 3]],
  ['openat', [3, 4]],
  ['openat2', [3, 4]],
  ['open_by_handle_at', [2, undefined]],
]);

/** The flags and mode positions of an open-family exit of type `info`; undefined for others. */
function openLayout(info: EventInfo): readonly [number, number | undefined] | undefined {
  if (info.direction !== 'exit' || info.flags.has('OLD_VERSION')) return undefined;
  return OPEN_LAYOUT.get(info.name);
}

/** The flags position of every event code (-1: not an open), so the open checks look no name up. */
const OPEN_FLAGS_INDEX = Int8Array.from(EVENT_TABLE, (info) => openLayout(info)?.[0] ?? -1);

/** Open flags of an open-family exit, at the position libsinsp reads; undefined for others. */
function openFlags(event: SyscallEvent): number | undefined {
  const { info } = event;
  const flagsAt =
    EVENT_TABLE[info.code] === info ? OPEN_FLAGS_INDEX[info.code] : (openLayout(info)?.[0] ?? -1);
  if (flagsAt < 0) return undefined;
  return isEmptyParam(event, flagsAt) ? 0 : numberParam(event, flagsAt) >>> 0;
}

/** Mode of an open-family exit that has one; undefined for others, or when it is empty. */
function openMode(event: SyscallEvent): number | undefined {
  const modeAt = openLayout(event.info)?.[1];
  return modeAt === undefined || isEmptyParam(event, modeAt)
    ? undefined
    : numberParam(event, modeAt);
}

function isOpenExec(event: SyscallEvent): boolean {
  if (event.info.name === 'creat' && event.info.direction === 'exit') {
    return (numberParam(event, 2) & EXEC_MODE_BITS) !== 0;
  }
  const flags = openFlags(event);
  if (flags === undefined || (flags & (OPEN.TMPFILE | OPEN.CREAT)) === 0) return false;
  const mode = openMode(event);
  return mode !== undefined && (mode & EXEC_MODE_BITS) !== 0;
}

function bufferText(value: FieldValue): string {
  if (!(value instanceof Uint8Array)) return String(value);
  let text = '';
  for (const byte of value) text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  return text;
}

const ioFlags = (event: SyscallEvent): number => EVENT_FLAGS[event.info.code];

export const EVENT_VALUES: SyscallFieldValues = {
  'evt.num': { extract: (event) => event.num },
  'evt.rawtime': { extract: (event) => event.ts },
  'evt.rawtime.s': { extract: (event) => event.ts / 1_000_000_000n },
  'evt.rawtime.ns': { extract: (event) => event.ts % 1_000_000_000n },
  'evt.reltime': { extract: (event) => sinceFirstEvent(event) },
  'evt.reltime.s': { extract: (event) => wholeSeconds(sinceFirstEvent(event)) },
  'evt.reltime.ns': { extract: (event) => nanosecondRemainder(sinceFirstEvent(event)) },
  'evt.cpu': { extract: (event) => event.cpu },
  // LIMIT: read through the event's thread, as evt.reltime is.
  'evt.hostname': { extract: (event) => event.thread?.state.machineHostname },
  'evt.dir': { extract: (event) => (event.info.direction === 'enter' ? '>' : '<') },
  'evt.type': { extract: (event) => eventTypeName(event), validateConstant: unknownEventTypeProblem },
  'evt.type.is': {
    extract: (event, argument) => (eventTypeName(event) === argument ? 1 : 0),
  },
  'syscall.type': {
    extract: (event) => ((EVENT_CATEGORY_BITS[event.info.code] & SYSCALL_CATEGORY) !== 0 ? eventTypeName(event) : undefined),
  },
  'evt.category': { extract: (event) => event.info.category },
  'evt.source': { extract: () => 'syscall' },
  'evt.is_async': { extract: () => false },
  'evt.args': { extract: (event) => formatEventArgs(event) },
  'evt.info': { extract: (event) => formatEventArgs(event) },
  'evt.arg': {
    extract: (event, argument) => {
      const index = argumentPosition(event, argument);
      if (index < 0 || index >= event.rawParams.length) return undefined;
      return formatArgument(event, index, { resolver: resolverFor(event) });
    },
  },
  'evt.rawarg': {
    extract: (event, argument) => rawValue(event, argumentPosition(event, argument)),
    typeForArgument: rawArgumentType,
  },
  'evt.buffer': {
    extract: (event) => rawValue(event, paramIndex(event.info, 'data')),
    display: bufferText,
  },
  'evt.buflen': {
    extract: (event) => {
      if (event.fd === undefined || paramIndex(event.info, 'data') < 0 || !hasReturnValue(event)) return undefined;
      const result = returnValue(event);
      return result >= 0 ? result : undefined;
    },
  },
  'evt.rawres': { extract: (event) => (hasReturnValue(event) ? returnValue(event) : undefined) },
  'evt.res': {
    extract: (event) => {
      if (!hasReturnValue(event)) return undefined;
      if (returnValue(event) >= 0) return 'SUCCESS';
      const param = formatParam(event, 0, { resolver: resolverFor(event) });
      return param === undefined ? undefined : param.resolved || param.value;
    },
  },
  'evt.failed': { extract: (event) => (hasReturnValue(event) ? returnValue(event) < 0 : undefined) },
  'evt.count': { extract: () => 1 },
  'evt.count.error': { extract: (event) => (hasReturnValue(event) ? Number(returnValue(event) < 0) : undefined) },
  'evt.count.exit': { extract: (event) => Number(event.info.direction === 'exit') },
  'evt.is_io': { extract: (event) => (ioFlags(event) & (EVENT_FLAG_BITS.READS_FROM_FD | EVENT_FLAG_BITS.WRITES_TO_FD)) !== 0 },
  'evt.is_io_read': { extract: (event) => (ioFlags(event) & EVENT_FLAG_BITS.READS_FROM_FD) !== 0 },
  'evt.is_io_write': { extract: (event) => (ioFlags(event) & EVENT_FLAG_BITS.WRITES_TO_FD) !== 0 },
  'evt.io_dir': {
    extract: (event) => {
      if (ioFlags(event) & EVENT_FLAG_BITS.WRITES_TO_FD) return 'write';
      return ioFlags(event) & EVENT_FLAG_BITS.READS_FROM_FD ? 'read' : undefined;
    },
  },
  'evt.is_wait': { extract: (event) => (ioFlags(event) & EVENT_FLAG_BITS.WAITS) !== 0 },
  'evt.is_open_read': { extract: (event) => ((openFlags(event) ?? 0) & OPEN.RDONLY) !== 0 },
  'evt.is_open_write': { extract: (event) => ((openFlags(event) ?? 0) & OPEN.WRONLY) !== 0 },
  'evt.is_open_exec': { extract: isOpenExec },
  'evt.is_open_create': {
    extract: (event) => {
      const flags = openFlags(event);
      if (flags === undefined) return false;
      if (flags & OPEN.F_CREATED) return true;
      return (flags & OPEN.TMPFILE) !== 0 && hasReturnValue(event) && returnValue(event) >= 0;
    },
  },
  'evt.latency': { extract: () => 0n },
  'evt.latency.s': { extract: () => 0n },
  'evt.latency.ns': { extract: () => 0n },
}; // prettier-ignore
