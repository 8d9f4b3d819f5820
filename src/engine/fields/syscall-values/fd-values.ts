/**
 * Values of the file-descriptor fields (`fd.*`): read from the fd the state engine attached
 * to the event, or, as libsinsp does for events that failed or created nothing, from the
 * event's own parameters. Events that concern no fd have every `fd.*` field `<NA>`.
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { EVENT_FLAG_BITS, EVENT_FLAGS } from '../../../decode/event-table.js';
import { effectiveL4Protocol, fdTypeChar, fdTypeName } from '../../../decode/state/fd-info.js';
import type { FdInfo } from '../../../decode/state/types.js';
import type { FieldValue } from '../types.js';
import { containerIdOf } from './container-id.js';
import { nameFromEvent } from './fd-name.js';
import type { SyscallFieldValues } from './types.js';

const FD_FLAGS = EVENT_FLAG_BITS.CREATES_FD | EVENT_FLAG_BITS.USES_FD | EVENT_FLAG_BITS.DESTROYS_FD;

/** Whether fd fields apply at all: an fd event with a thread (libsinsp's `extract_fd`). */
function concernsFd(event: SyscallEvent): boolean {
  return (EVENT_FLAGS[event.info.code] & FD_FLAGS) !== 0 && event.thread !== undefined;
}

type FdRead = (fd: FdInfo, event: SyscallEvent) => FieldValue | undefined;

function fromFd(read: FdRead): SyscallFieldValues[string] {
  return {
    extract: (event) => (concernsFd(event) && event.fd !== undefined ? read(event.fd, event) : undefined),
  };
} // prettier-ignore

const isConnectedSocket = (fd: FdInfo): boolean => fd.kind === 'ipv4' || fd.kind === 'ipv6';
const isServer = (fd: FdInfo): boolean => fd.kind === 'ipv4_server' || fd.kind === 'ipv6_server';
const isFile = (fd: FdInfo): boolean => fd.kind === 'file';

/** Whether the client end is this host, which decides local and remote. */
function clientIsLocal(fd: FdInfo, event: SyscallEvent): boolean {
  return event.thread?.state.isLocalAddress(fd.sourceAddress ?? '') ?? false;
}

/** The last name `directoryPart` cut, and its directory: rules ask for it several times. */
let lastName = '';
let lastDirectory = '/';

/** The directory part of a name, with libsinsp's edge cases ('/' when there is none). */
function directoryPart(name: string, postProcess: boolean): string {
  if (!postProcess) return name;
  if (name === lastName) return lastDirectory;
  const at = name.lastIndexOf('/');
  lastDirectory = at > 0 ? (at < name.length - 1 ? name.slice(0, at) : name) : '/';
  lastName = name;
  return lastDirectory;
}

function localOrRemote(local: boolean) {
  return fromFd((fd, event) => {
    if (!isConnectedSocket(fd) || fd.role === 'none') return undefined;
    const clientLocal = clientIsLocal(fd, event);
    return local === clientLocal ? fd.sourceAddress : fd.destinationAddress;
  });
}

function localOrRemotePort(local: boolean) {
  return fromFd((fd, event) => {
    if (!isConnectedSocket(fd) || fd.role === 'none') return undefined;
    const clientLocal = clientIsLocal(fd, event);
    return local === clientLocal ? fd.sourcePort : fd.destinationPort;
  });
}

const L4_NAMES: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  raw: 'raw',
};

/** Both ends of a socket for the any-of fields (`fd.ip`, `fd.port`, `fd.net`). */
function bothEnds(addresses: boolean): SyscallFieldValues[string]['candidates'] {
  return (event) => {
    const fd = event.fd;
    if (!concernsFd(event) || fd === undefined) return undefined;
    if (isServer(fd)) return addresses ? [fd.sourceAddress ?? ''] : [fd.sourcePort ?? 0];
    if (!isConnectedSocket(fd)) return undefined;
    return addresses
      ? [fd.sourceAddress ?? '', fd.destinationAddress ?? '']
      : [fd.sourcePort ?? 0, fd.destinationPort ?? 0];
  };
}

/** An any-of socket field: `=`, `in` and orderings hold for one end, `!=` for both. */
function socketEnds(addresses: boolean): SyscallFieldValues[string] {
  const ends = bothEnds(addresses);
  return { candidates: ends, notEqualOnEveryCandidate: true, extract: ends };
}

function fdName(event: SyscallEvent, raw: boolean): string | undefined {
  if (!concernsFd(event)) return undefined;
  if (event.fd !== undefined) return raw ? event.fd.nameRaw : event.fd.name;
  return nameFromEvent(event, raw);
}

/** The typechar libsinsp guesses from the event type when there is no fd. */
function eventTypeChar(event: SyscallEvent): string {
  switch (event.info.name) {
    case 'openat': case 'openat2': case 'creat': return 'f';
    case 'socket': case 'accept': case 'accept4': return '4';
    case 'pipe': case 'pipe2': return 'p';
    case 'eventfd': case 'eventfd2': return 'e';
    case 'signalfd': case 'signalfd4': return 's';
    case 'timerfd_create': return 't';
    case 'inotify_init': case 'inotify_init1': return 'i';
    default: return 'o';
  }
} // prettier-ignore

export const FD_VALUES: SyscallFieldValues = {
  'fd.num': { extract: (event) => (concernsFd(event) ? event.fdNumber : undefined) },
  'fd.type': fromFd((fd) => fdTypeName(fd) || undefined),
  'fd.typechar': {
    extract: (event) => {
      if (!concernsFd(event)) return undefined;
      return event.fd === undefined ? eventTypeChar(event) : fdTypeChar(event.fd);
    },
  },
  'fd.name': { extract: (event) => fdName(event, false) },
  'fd.nameraw': {
    extract: (event) => fdName(event, true)?.replace(/\/{2,}/g, '/'),
  },
  'fd.directory': {
    extract: (event) => {
      const fd = event.fd;
      if (!concernsFd(event)) return undefined;
      if (fd !== undefined && fd.kind !== 'file' && fd.kind !== 'directory') return undefined;
      const name = fdName(event, false);
      return name === undefined ? undefined : directoryPart(name, fd === undefined || isFile(fd));
    },
  },
  'fd.filename': fromFd((fd) => {
    if (!isFile(fd)) return undefined;
    const at = fd.name.lastIndexOf('/');
    if (at < 0) return '/';
    return at < fd.name.length - 1 ? fd.name.slice(at + 1) : fd.name;
  }),
  'fd.cip': fromFd((fd) => (isConnectedSocket(fd) && fd.role !== 'none' ? fd.sourceAddress : undefined)),
  'fd.sip': fromFd((fd) => {
    if (isServer(fd)) return fd.sourceAddress;
    return isConnectedSocket(fd) && fd.role !== 'none' ? fd.destinationAddress : undefined;
  }),
  'fd.lip': localOrRemote(true),
  'fd.rip': localOrRemote(false),
  'fd.cport': fromFd((fd) => (isConnectedSocket(fd) && fd.role !== 'none' ? fd.sourcePort : undefined)),
  'fd.sport': fromFd((fd) => {
    if (isServer(fd)) return fd.sourcePort;
    return isConnectedSocket(fd) && fd.role !== 'none' ? fd.destinationPort : undefined;
  }),
  'fd.lport': localOrRemotePort(true),
  'fd.rport': localOrRemotePort(false),
  'fd.l4proto': fromFd((fd) => L4_NAMES[effectiveL4Protocol(fd)] ?? '<NA>'),
  'fd.sockfamily': fromFd((fd) => {
    if (isConnectedSocket(fd) || isServer(fd)) return 'ip';
    return fd.kind === 'unix' ? 'unix' : undefined;
  }),
  'fd.is_server': fromFd((fd, event) => {
    if (isServer(fd)) return true;
    if (!isConnectedSocket(fd)) return false;
    return event.thread?.state.isLocalAddress(fd.destinationAddress ?? '') ?? false;
  }),
  'fd.connected': fromFd((fd) => fd.isConnected),
  'fd.name_changed': fromFd((_fd, event) => event.fdNameChanged ?? false),
  'fd.uid': {
    extract: (event) => (concernsFd(event) ? `${event.thread?.tid}${event.fdNumber}` : undefined),
  },
  'fd.containername': {
    extract: (event) => {
      const name = fdName(event, false);
      return name === undefined || event.thread === undefined ? undefined : `${containerIdOf(event.thread)}:${name}`;
    },
  },
  'fd.dev': fromFd((fd) => fd.device),
  'fd.dev.major': fromFd((fd) => (fd.device & 0xfff00) >>> 8),
  'fd.dev.minor': fromFd((fd) => (fd.device & 0xff) | ((fd.device >>> 12) & 0xfff00)),
  'fd.ino': fromFd((fd) => fd.inode),
  'fd.is_upper_layer': fromFd((fd) => fd.isOverlayUpper),
  'fd.is_lower_layer': fromFd((fd) => fd.isOverlayLower),
  'fd.ip': socketEnds(true),
  'fd.net': socketEnds(true),
  'fd.port': socketEnds(false),
  'fd.cnet': { extract: (event) => FD_VALUES['fd.cip'].extract?.(event, undefined) },
  'fd.snet': { extract: (event) => FD_VALUES['fd.sip'].extract?.(event, undefined) },
  'fd.lnet': { extract: (event) => FD_VALUES['fd.lip'].extract?.(event, undefined) },
  'fd.rnet': { extract: (event) => FD_VALUES['fd.rip'].extract?.(event, undefined) },
}; // prettier-ignore
