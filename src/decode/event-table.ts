/**
 * The syscall event table: for every libscap event code, its name, direction, category, flags
 * and parameters. The rows live in `event-table-data.ts` (derived from libscap's schema); this
 * file turns them into `EventInfo` objects once, at load, and answers look-ups by code.
 */
import type { EventInfo, ParamFormat, ParamInfo, ParamType } from './event.js';
import { EVENT_ROWS } from './event-table-data.js';
import { DYNAMIC_PARAM_TABLES, FLAG_TABLES } from './flag-names.js';

/**
 * One parameter in the data file: name, type, format, then either a flag table name (FLAGS,
 * ENUMFLAGS, MODE, DYN) or the index of the dirfd parameter (FSRELPATH).
 * @internal
 */
type ParamRow = readonly [string, ParamType, ParamFormat, (string | number)?];

/** One event in the data file: name, category bits, flag bits, parameters. @internal */
export type EventRow = readonly [string, number, number, readonly ParamRow[]];

/** libscap's `EF_*` event flags, by bit. */
export const EVENT_FLAG_BITS = {
  CREATES_FD: 1 << 0,
  DESTROYS_FD: 1 << 1,
  USES_FD: 1 << 2,
  READS_FROM_FD: 1 << 3,
  WRITES_TO_FD: 1 << 4,
  MODIFIES_STATE: 1 << 5,
  UNUSED: 1 << 6,
  WAITS: 1 << 7,
  SKIPPARSERESET: 1 << 8,
  OLD_VERSION: 1 << 9,
  LARGE_PAYLOAD: 1 << 11,
  CONVERTER_MANAGED: 1 << 12,
} as const;

/** Names of the syscall categories in the low bits of libscap's `EC_*` value. */
const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'other',
  2: 'file',
  3: 'net',
  4: 'IPC',
  5: 'memory',
  6: 'process',
  7: 'sleep',
  8: 'system',
  9: 'signal',
  10: 'user',
  11: 'time',
  12: 'processing',
  32: 'io_read',
  33: 'io_write',
  34: 'io_other',
  64: 'wait',
  128: 'scheduler',
  256: 'internal',
};

/** Bits of `EC_*` that say where an event comes from rather than what it is about. */
const SOURCE_CATEGORY_MASK = (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13);

/** Number of event codes libscap defines (`PPM_EVENT_MAX`). */
export const EVENT_CODE_COUNT = EVENT_ROWS.length;

function buildParam(row: ParamRow): ParamInfo {
  const [name, type, format, extra] = row;
  const param: ParamInfo = { name, type, format };
  if (type === 'FSRELPATH') {
    // libs stores the dirfd index in a pointer field, so index 0 reads as "no info".
    param.dirfdParam = typeof extra === 'number' ? extra : 0;
  } else if (extra !== undefined && type === 'DYN') {
    param.dynamicTypes = DYNAMIC_PARAM_TABLES[extra];
  } else if (extra !== undefined) {
    param.flagNames = FLAG_TABLES[extra];
  }
  return param;
}

function flagNames(bits: number): Set<string> {
  const names = new Set<string>();
  for (const [name, bit] of Object.entries(EVENT_FLAG_BITS)) {
    if ((bits & bit) !== 0) names.add(name);
  }
  return names;
}

function buildInfo(row: EventRow, code: number): EventInfo {
  const [name, categoryBits, flagBits, params] = row;
  return {
    code,
    name,
    // Even codes are enter events, odd codes exit events, in every libscap version.
    direction: code % 2 === 0 ? 'enter' : 'exit',
    category: CATEGORY_NAMES[categoryBits & ~SOURCE_CATEGORY_MASK] ?? 'unknown',
    flags: flagNames(flagBits),
    params: params.map(buildParam),
  };
}

/** Every event code's description, indexed by code. */
export const EVENT_TABLE: readonly EventInfo[] = EVENT_ROWS.map(buildInfo);

/** The `EF_*` bits of every code, for hot paths that should not consult a `Set`. @internal */
export const EVENT_FLAGS: Uint32Array = Uint32Array.from(EVENT_ROWS, (row) => row[2]);

/** The `EC_*` bits of every code, including the source bits (syscall, tracepoint, ...). */
export const EVENT_CATEGORY_BITS: Uint32Array = Uint32Array.from(EVENT_ROWS, (row) => row[1]);

/** Position of the parameter called `name` in `info`, or -1 when the event has none. */
export function paramIndex(info: EventInfo, name: string): number {
  return info.params.findIndex((param) => param.name === name);
}
