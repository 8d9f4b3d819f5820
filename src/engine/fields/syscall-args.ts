/**
 * What the syscall fields that name an event argument (`evt.arg.NAME`, `evt.rawarg.NAME`) or
 * an event type (`evt.type.is.NAME`) need to know about libscap's event table.
 * @internal
 */
import { EVENT_TABLE } from '../../decode/event-table.js';
import type { ParamInfo, ParamType } from '../../decode/event.js';
import type { FieldType } from './types.js';

/** The field type a raw argument of each parameter type compares as. */
const RAW_ARGUMENT_TYPES: Readonly<Record<ParamType, FieldType | undefined>> = {
  NONE: undefined,
  INT8: 'INT8',
  INT16: 'INT16',
  INT32: 'INT32',
  INT64: 'INT64',
  UINT8: 'UINT8',
  UINT16: 'UINT16',
  UINT32: 'UINT32',
  UINT64: 'UINT64',
  CHARBUF: 'CHARBUF',
  BYTEBUF: 'BYTEBUF',
  ERRNO: 'INT64',
  SOCKADDR: 'BYTEBUF',
  SOCKTUPLE: 'BYTEBUF',
  FD: 'INT64',
  PID: 'INT64',
  FDLIST: 'BYTEBUF',
  FSPATH: 'FSPATH',
  SYSCALLID: 'UINT16',
  SIGTYPE: 'UINT8',
  RELTIME: 'RELTIME',
  ABSTIME: 'ABSTIME',
  PORT: 'PORT',
  L4PROTO: 'UINT8',
  SOCKFAMILY: 'UINT8',
  BOOL: 'BOOL',
  IPV4ADDR: 'IPV4ADDR',
  DYN: 'DYN',
  FLAGS8: 'UINT8',
  FLAGS16: 'UINT16',
  FLAGS32: 'UINT32',
  FLAGS64: 'UINT64',
  UID: 'UINT32',
  GID: 'UINT32',
  DOUBLE: 'DOUBLE',
  SIGSET: 'UINT32',
  CHARBUFARRAY: 'CHARBUF',
  CHARBUF_PAIR_ARRAY: 'CHARBUF',
  IPV4NET: 'IPV4NET',
  IPV6ADDR: 'IPV6ADDR',
  IPV6NET: 'IPV6NET',
  IPADDR: 'IPADDR',
  IPNET: 'IPNET',
  MODE: 'MODE',
  FSRELPATH: 'FSPATH',
  ENUMFLAGS8: 'UINT8',
  ENUMFLAGS16: 'UINT16',
  ENUMFLAGS32: 'UINT32',
  FD32: 'INT32',
  PID32: 'INT32',
};

interface EventNames {
  /** First parameter of each name, in event-code order, as libs finds it. */
  parameters: Map<string, ParamInfo>;
  /** Parameter names, longest first. */
  parameterNamesByLength: string[];
  events: Set<string>;
}

let cachedNames: EventNames | undefined;

function eventNames(): EventNames {
  if (cachedNames) return cachedNames;
  const parameters = new Map<string, ParamInfo>();
  const events = new Set<string>();
  for (const info of EVENT_TABLE) {
    events.add(info.name);
    for (const param of info.params) {
      if (!parameters.has(param.name)) parameters.set(param.name, param);
    }
  }
  const parameterNamesByLength = [...parameters.keys()].sort((a, b) => b.length - a.length);
  cachedNames = { parameters, parameterNamesByLength, events };
  return cachedNames;
}

/**
 * The longest event parameter name that `text` starts with, or undefined when none does
 * (libs' `find_longest_matching_evt_param`).
 */
export function longestParameterPrefix(text: string): string | undefined {
  return eventNames().parameterNamesByLength.find((name) => text.startsWith(name));
}

/** The type `evt.rawarg.NAME` has for parameter `name`, or undefined for an unknown one. */
export function rawArgumentType(name: string): FieldType | undefined {
  const param = eventNames().parameters.get(name);
  return param ? RAW_ARGUMENT_TYPES[param.type] : undefined;
}

/** Whether some libscap event is called `name` (as `evt.type.is.NAME` requires). */
export function isEventName(name: string): boolean {
  return eventNames().events.has(name);
}
