/**
 * The syscall event model. Every syscall event Harrier handles, whether read from a `.scap`
 * capture or from the live eBPF probe, arrives in libscap's event layout (a header plus
 * length-prefixed parameters) and becomes one `SyscallEvent`. The state engine then attaches
 * the thread and file descriptor it concerns, and the field table reads values from there.
 */
import type { ThreadInfo, FdInfo } from './state/types.js';

/** libscap parameter types (`PT_*` without the prefix). */
export type ParamType =
  | 'NONE'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'CHARBUF'
  | 'BYTEBUF'
  | 'ERRNO'
  | 'SOCKADDR'
  | 'SOCKTUPLE'
  | 'FD'
  | 'PID'
  | 'FDLIST'
  | 'FSPATH'
  | 'SYSCALLID'
  | 'SIGTYPE'
  | 'RELTIME'
  | 'ABSTIME'
  | 'PORT'
  | 'L4PROTO'
  | 'SOCKFAMILY'
  | 'BOOL'
  | 'IPV4ADDR'
  | 'DYN'
  | 'FLAGS8'
  | 'FLAGS16'
  | 'FLAGS32'
  | 'FLAGS64'
  | 'UID'
  | 'GID'
  | 'DOUBLE'
  | 'SIGSET'
  | 'CHARBUFARRAY'
  | 'CHARBUF_PAIR_ARRAY'
  | 'IPV4NET'
  | 'IPV6ADDR'
  | 'IPV6NET'
  | 'IPADDR'
  | 'IPNET'
  | 'MODE'
  | 'FSRELPATH'
  | 'ENUMFLAGS8'
  | 'ENUMFLAGS16'
  | 'ENUMFLAGS32'
  | 'FD32'
  | 'PID32';

/** How a parameter prints, as libscap's `PF_*`. */
export type ParamFormat = 'NA' | 'DEC' | 'HEX' | 'PADDED_DEC' | 'ID' | 'DIR' | 'OCT';

/** Symbolic names of a FLAGS, ENUMFLAGS or MODE parameter: `[value, name]` in table order. */
export type FlagTable = ReadonlyArray<readonly [number, string]>;

export interface ParamInfo {
  name: string;
  type: ParamType;
  format: ParamFormat;
  /** Symbolic names for FLAGS and ENUMFLAGS parameters: value to name. */
  flagNames?: FlagTable;
  /** For FSRELPATH: index of the dirfd parameter the path is relative to. */
  dirfdParam?: number;
  /** For DYN: the type and format each value of the leading index byte selects. */
  dynamicTypes?: ReadonlyArray<readonly [ParamType, ParamFormat]>;
}

type EventDirection = 'enter' | 'exit';

/** One row of the event table: what libscap calls `ppm_event_info`. */
export interface EventInfo {
  /** libscap event code (`PPME_*` numeric value). */
  code: number;
  /** Syscall or event name as `evt.type` shows it, e.g. `openat`. */
  name: string;
  direction: EventDirection;
  /** `evt.category` text, e.g. `file`, `net`, `process`. */
  category: string;
  /** Flag names from libscap's `EF_*`, e.g. `CREATES_FD`, `MODIFIES_STATE`, `OLD_VERSION`. */
  flags: ReadonlySet<string>;
  params: readonly ParamInfo[];
}

/** A decoded parameter value. Addresses are structured; see `SocketAddress`. */
export type ParamValue =
  | number
  | bigint
  | string
  | boolean
  | Uint8Array
  | SocketAddress
  | SocketTuple
  | ReadonlyArray<string>
  | ReadonlyArray<readonly [number, number]>
  | null;

export interface SocketAddress {
  family: 'inet' | 'inet6' | 'unix' | 'other';
  /** libscap's `PPM_AF_*` number, kept for the 'other' families. */
  familyCode?: number;
  address?: string;
  port?: number;
  path?: string;
}

export interface SocketTuple {
  family: 'inet' | 'inet6' | 'unix' | 'other';
  /** libscap's `PPM_AF_*` number, kept for the 'other' families. */
  familyCode?: number;
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
  /** Unix sockets: the peer's kernel address and the path. */
  source?: bigint;
  destination?: bigint;
  path?: string;
}

export interface SyscallEvent {
  source: 'syscall';
  /** Sequence number in its stream, starting at 1 (`evt.num`). */
  num: number;
  /** Nanoseconds since the epoch (`evt.rawtime`). */
  ts: bigint;
  tid: number;
  cpu: number;
  info: EventInfo;
  /** Raw parameter bytes, one entry per parameter, decoded on demand by `params`. */
  rawParams: readonly Uint8Array[];
  /** Decoded parameters, in event-table order. Filled lazily: read through `paramValue`. */
  decodedParams?: ParamValue[];
  /** The thread that made the call; set by the state engine before rules run. */
  thread?: ThreadInfo;
  /** The file descriptor the event concerns, if any; set by the state engine. */
  fd?: FdInfo;
  /** The fd number that `fd` is for (from the event's fd parameter or return value). */
  fdNumber?: number;
  /** Whether parsing this event renamed its fd (a connect naming its socket); `fd.name_changed`. */
  fdNameChanged?: boolean;
  /** The matching enter event, kept for exit events whose data is split across both. */
  enter?: SyscallEvent;
}
