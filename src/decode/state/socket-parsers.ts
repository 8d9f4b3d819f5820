/**
 * State parsers for sockets: socket and socketpair create them, bind makes a server socket,
 * connect and accept fill in both ends, and send/receive calls complete the tuple of datagram
 * sockets. Each follows the matching libsinsp parser; addresses are kept as text.
 */
import type { SocketAddress, SocketTuple } from '../event.js';
import { paramValue } from '../params.js';
import type { ParseContext } from './context.js';
import { isEmptyParam, numberParam, returnValue, bigintParam } from './event-params.js';
import { createFd, OPEN_FLAGS, socketName } from './fd-info.js';
import { fdTableOf } from './thread.js';
import type { FdInfo, L4Protocol, ThreadInfo } from './types.js';

const AF = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16 } as const;
const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3 } as const;
const IPPROTO = { IP: 0, ICMP: 1, TCP: 6, UDP: 17, RAW: 255 } as const;

/** The IPv4 address inside an IPv4-mapped IPv6 address, as inet_ntop prints those. */
function mappedIpv4(address: string | undefined): string | undefined {
  return address === undefined ? undefined : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
}

function protocolFor(type: number, protocol: number): L4Protocol {
  const raw = type === SOCK.RAW;
  if (protocol === IPPROTO.TCP) return raw ? 'raw' : 'tcp';
  if (protocol === IPPROTO.UDP) return raw ? 'raw' : 'udp';
  if (protocol === IPPROTO.ICMP) return raw ? 'raw' : 'icmp';
  if (protocol === IPPROTO.RAW) return 'raw';
  if (protocol === IPPROTO.IP) {
    if ((type & 0xff) === SOCK.STREAM) return 'tcp';
    if ((type & 0xff) === SOCK.DGRAM) return 'udp';
  }
  return 'unknown';
}

function addSocket(
  context: ParseContext,
  fd: number,
  domain: number,
  type: number,
  protocol: number,
  flags: number,
): void {
  if (context.thread === undefined) return;
  let info: FdInfo;
  if (domain === AF.UNIX) info = createFd('unix');
  else if (domain === AF.INET || domain === AF.INET6) {
    info = createFd(domain === AF.INET ? 'ipv4' : 'ipv6');
    info.l4Protocol = protocolFor(type, protocol);
  } else info = createFd(domain === AF.NETLINK ? 'netlink' : 'unknown');
  info.openFlags = flags;
  context.fd = context.table.addFd(context.thread, fd, info);
}

export function parseSocket(context: ParseContext): void {
  const { event } = context;
  const fd = returnValue(event);
  if (fd < 0 || context.thread === undefined) return;
  const [domain, type, protocol] = [1, 2, 3].map((i) => numberParam(event, i) >>> 0);
  addSocket(context, fd, domain, type, protocol, numberParam(event, 4) >>> 0);
}

export function parseSocketpair(context: ParseContext): void {
  const { event, thread } = context;
  if (returnValue(event) < 0 || thread === undefined) return;
  const [fd1, fd2] = [numberParam(event, 1), numberParam(event, 2)];
  if (fd1 === fd2) {
    context.fd = undefined;
    return;
  }
  const first = createFd('unix');
  first.unixSource = bigintParam(event, 3);
  first.unixDestination = bigintParam(event, 4);
  context.fd = context.table.addFd(thread, fd1, first);
  context.table.addFd(thread, fd2, { ...first });
}

function sockaddrText(address: SocketAddress): string {
  if (address.family === 'unix') return address.path ?? '';
  if (address.family === 'other') return `family ${address.familyCode}`;
  return `${address.address}:${address.port}`;
}

export function parseBind(context: ParseContext): void {
  const { event, fd } = context;
  if (fd === undefined || returnValue(event) < 0) return;
  const address = paramValue(event, 1) as SocketAddress | null;
  if (address === null || (address.family === 'unix' && isEmptyParam(event, 1))) return;
  if ((address.family === 'inet' || address.family === 'inet6') && (address.port ?? 0) > 0) {
    const mapped = address.family === 'inet6' ? mappedIpv4(address.address) : undefined;
    const isV4 = address.family === 'inet' || mapped !== undefined;
    fd.kind = isV4 ? 'ipv4_server' : 'ipv6_server';
    fd.sourceAddress = mapped ?? address.address;
    fd.sourcePort = address.port;
    fd.role = 'server';
  }
  fd.name = sockaddrText(address);
}

/**
 * Stores a tuple's ends in `fd` as libsinsp's `update_ipv4_addresses_and_ports`: nothing
 * changes when the fd already holds the same tuple either way round. Returns whether it did.
 */
function setEnds(fd: FdInfo, tuple: Required<Pick<SocketTuple, 'sourceAddress' | 'sourcePort' | 'destinationAddress' | 'destinationPort'>>, overwriteDestination: boolean): boolean {
  const { sourceAddress, sourcePort, destinationAddress, destinationPort } = tuple;
  const same =
    fd.sourceAddress === sourceAddress && fd.sourcePort === sourcePort &&
    fd.destinationAddress === destinationAddress && fd.destinationPort === destinationPort;
  const swapped =
    fd.sourceAddress === destinationAddress && fd.sourcePort === destinationPort &&
    fd.destinationAddress === sourceAddress && fd.destinationPort === sourcePort;
  if (same || swapped) return false;
  let changed = fd.sourceAddress !== sourceAddress || fd.sourcePort !== sourcePort;
  fd.sourceAddress = sourceAddress;
  fd.sourcePort = sourcePort;
  const emptyDestination = fd.destinationAddress === undefined || /^(0\.0\.0\.0|::)$/.test(fd.destinationAddress);
  if (emptyDestination || (overwriteDestination && fd.destinationAddress !== destinationAddress)) {
    changed ||= fd.destinationAddress !== destinationAddress;
    fd.destinationAddress = destinationAddress;
  }
  if (!fd.destinationPort || (overwriteDestination && fd.destinationPort !== destinationPort)) {
    changed ||= fd.destinationPort !== destinationPort;
    fd.destinationPort = destinationPort;
  }
  return changed;
} // prettier-ignore

/** Tuple ends, with IPv4-mapped IPv6 pairs turned into IPv4. */
function tupleEnds(tuple: SocketTuple): { isV4: boolean; ends: Parameters<typeof setEnds>[1] } {
  let source = tuple.sourceAddress ?? '';
  let destination = tuple.destinationAddress ?? '';
  let isV4 = tuple.family === 'inet';
  const [mappedSource, mappedDestination] = [mappedIpv4(source), mappedIpv4(destination)];
  if (tuple.family === 'inet6' && mappedSource !== undefined && mappedDestination !== undefined) {
    [source, destination, isV4] = [mappedSource, mappedDestination, true];
  }
  const ends = {
    sourceAddress: source, sourcePort: tuple.sourcePort ?? 0,
    destinationAddress: destination, destinationPort: tuple.destinationPort ?? 0,
  }; // prettier-ignore
  return { isV4, ends };
}

function swapEnds(fd: FdInfo): void {
  [fd.sourceAddress, fd.destinationAddress] = [fd.destinationAddress, fd.sourceAddress];
  [fd.sourcePort, fd.destinationPort] = [fd.destinationPort, fd.sourcePort];
}

function unixName(tuple: SocketTuple, path: string): string {
  return `${(tuple.source ?? 0n).toString(16)}->${(tuple.destination ?? 0n).toString(16)} ${path}`;
}

/** The destination of a connect: the enter event's address unless the kernel's differs. */
function connectDestination(context: ParseContext, tuple: SocketTuple): Parameters<typeof setEnds>[1] {
  const { ends } = tupleEnds(tuple);
  const thread = context.thread as ThreadInfo;
  const enter = thread.lastEnterValid && thread.lastEnter?.info.name === 'connect' ? thread.lastEnter : undefined;
  const exitAddress = paramValue(context.event, 3) as SocketAddress | null;
  const enterAddress = enter === undefined ? null : (paramValue(enter, 1) as SocketAddress | null);
  if (exitAddress === null || enterAddress === null) return ends;
  if (exitAddress.address !== tuple.destinationAddress || exitAddress.port !== tuple.destinationPort) return ends;
  const mapped = mappedIpv4(enterAddress.address);
  return { ...ends, destinationAddress: mapped ?? enterAddress.address ?? '', destinationPort: enterAddress.port ?? 0 };
} // prettier-ignore

export function parseConnect(context: ParseContext): void {
  const { event, thread, fd } = context;
  if (thread === undefined || fd === undefined) return;
  const result = returnValue(event);
  const EINPROGRESS = -115;
  if (result < 0 && result !== EINPROGRESS) return;
  fd.isConnected = true;
  const tuple = paramValue(event, 1) as SocketTuple | null;
  if (tuple === null) {
    fillFromEnterAddress(context, fd);
    return;
  }
  if (tuple.family === 'inet' || tuple.family === 'inet6') {
    const { isV4 } = tupleEnds(tuple);
    fd.kind = isV4 ? 'ipv4' : 'ipv6';
    const changed = setEnds(fd, connectDestination(context, tuple), true);
    if (changed && fd.role === 'server' && fd.l4Protocol === 'udp') swapEnds(fd);
    fd.name = socketName(fd);
  } else if (tuple.family === 'unix') {
    if (fd.kind !== 'unix') return;
    fd.unixSource = tuple.source;
    fd.unixDestination = tuple.destination;
    fd.name = unixName(tuple, tuple.path ?? '');
  } else return;
  if (fd.role === 'none') fd.role = 'client';
}

/** A connect without a tuple (TCP fast open): the enter event's address is all there is. */
function fillFromEnterAddress(context: ParseContext, fd: FdInfo): void {
  const thread = context.thread as ThreadInfo;
  const enter = thread.lastEnterValid ? thread.lastEnter : undefined;
  const address = enter === undefined ? null : (paramValue(enter, 1) as SocketAddress | null);
  if (address === null) return;
  if (address.family === 'inet' || address.family === 'inet6') {
    const mapped = address.family === 'inet6' ? mappedIpv4(address.address) : undefined;
    fd.kind = address.family === 'inet' || mapped !== undefined ? 'ipv4' : 'ipv6';
    fd.destinationAddress = mapped ?? address.address;
    fd.destinationPort = address.port;
  } else fd.name = sockaddrText(address);
}

export function parseAccept(context: ParseContext): void {
  const { event, thread } = context;
  if (thread === undefined) return;
  const fdNumber = returnValue(event);
  if (fdNumber < 0) return;
  thread.lastEventFd = fdNumber;
  const tuple = paramValue(event, 1) as SocketTuple | null;
  if (tuple === null) return;
  let info: FdInfo;
  if (tuple.family === 'inet' || tuple.family === 'inet6') {
    const { isV4, ends } = tupleEnds(tuple);
    info = createFd(isV4 ? 'ipv4' : 'ipv6');
    setEnds(info, ends, false);
    info.l4Protocol = 'tcp';
  } else if (tuple.family === 'unix') {
    info = createFd('unix');
    info.unixSource = tuple.source;
    info.unixDestination = tuple.destination;
  } else return;
  info.name = acceptName(event.rawParams[1], tuple);
  if (event.info.name === 'accept4' && (numberParam(event, 5) & OPEN_FLAGS.CLOEXEC) !== 0) {
    info.openFlags = OPEN_FLAGS.CLOEXEC;
  }
  info.role = 'server';
  info.isConnected = true;
  context.fd = context.table.addFd(thread, fdNumber, info);
}

/** libsinsp names an accepted socket with the tuple parameter's own text. */
function acceptName(raw: Uint8Array | undefined, tuple: SocketTuple): string {
  if (tuple.family === 'unix') return unixName(tuple, tuple.path ?? '');
  const { ends } = tupleEnds(tuple);
  const isMappedPair = tuple.family === 'inet6' && raw !== undefined && mappedIpv4(tuple.sourceAddress) !== undefined && mappedIpv4(tuple.destinationAddress) !== undefined;
  if (tuple.family === 'inet' || isMappedPair) {
    return `${ends.sourceAddress}:${ends.sourcePort}->${ends.destinationAddress}:${ends.destinationPort}`;
  }
  return `${tuple.sourceAddress}:${tuple.sourcePort}->${tuple.destinationAddress}:${tuple.destinationPort}`;
} // prettier-ignore

/** Whether the thread's process listens on `port` (libsinsp's `is_bound_to_port`). */
function isBoundToPort(thread: ThreadInfo, port: number | undefined): boolean {
  for (const fd of fdTableOf(thread).values()) {
    if ((fd.kind === 'ipv4_server' || fd.kind === 'ipv6_server') && fd.sourcePort === port)
      return true;
  }
  return false;
}

/** Whether the process has a client socket on local `port` (libsinsp's `uses_client_port`). */
function usesClientPort(thread: ThreadInfo, port: number | undefined): boolean {
  for (const fd of fdTableOf(thread).values()) {
    if (
      (fd.kind === 'ipv4' || fd.kind === 'ipv6') &&
      fd.role === 'client' &&
      fd.sourcePort === port
    )
      return true;
  }
  return false;
}

function guessRole(fd: FdInfo, thread: ThreadInfo, incoming: boolean): void {
  if (!isBoundToPort(thread, fd.destinationPort)) fd.role = 'client';
  else if (!usesClientPort(thread, fd.sourcePort)) fd.role = 'server';
  else fd.role = incoming ? 'server' : 'client';
}

/** Parameter index of the tuple of each send/receive exit that carries one. */
const TUPLE_INDEX: Readonly<Record<string, number>> = {
  recvfrom: 2,
  recvmsg: 3,
  recvmmsg: 4,
  recv: 4,
  send: 4,
  sendto: 4,
  sendmsg: 4,
  sendmmsg: 4,
};

/** read and write family: sockets become connected; datagram tuples fill in the fd. */
export function ioParser(incoming: boolean) {
  return (context: ParseContext): void => {
    const { event, thread } = context;
    if (thread === undefined) return;
    const index = TUPLE_INDEX[event.info.name];
    if (!incoming && index !== undefined && context.fd === undefined && returnValue(event) >= 0) {
      inferDatagramSocket(context);
    }
    const fd = context.fd;
    if (fd === undefined || returnValue(event) < 0) return;
    if (fd.kind === 'ipv4' || fd.kind === 'ipv6') fd.isConnected = true;
    if (index === undefined || (fd.name.length !== 0 && fd.l4Protocol === 'tcp')) return;
    const tuple = paramValue(event, index) as SocketTuple | null;
    if (tuple === null) return;
    updateFromTuple(fd, tuple, thread, incoming);
  };
}

function updateFromTuple(
  fd: FdInfo,
  tuple: SocketTuple,
  thread: ThreadInfo,
  incoming: boolean,
): void {
  if (tuple.family === 'unix') {
    fd.kind = 'unix';
    fd.unixSource = tuple.source;
    fd.unixDestination = tuple.destination;
    fd.name = tuple.path ?? '';
    return;
  }
  if (tuple.family !== 'inet' && tuple.family !== 'inet6') return;
  const { isV4, ends } = tupleEnds(tuple);
  if (isV4) fd.kind = 'ipv4';
  if (!setEnds(fd, ends, false)) return;
  if (fd.l4Protocol === 'unknown') fd.l4Protocol = 'udp';
  completeFromInterfaces(fd, thread);
  if (fd.kind !== 'ipv4' && fd.kind !== 'ipv6') {
    fd.name = `${tuple.sourceAddress}:${tuple.sourcePort}->${tuple.destinationAddress}:${tuple.destinationPort}`;
    return;
  }
  if (fd.role === 'none') guessRole(fd, thread, incoming);
  if (incoming ? fd.role === 'client' : fd.role === 'server') swapEnds(fd);
  fd.name = socketName(fd);
}

/** An address left empty by the kernel (unbound source): libsinsp guesses it from interfaces. */
function completeFromInterfaces(fd: FdInfo, thread: ThreadInfo): void {
  if (fd.kind !== 'ipv4' && fd.kind !== 'ipv6') return;
  const family = fd.kind === 'ipv4' ? 'inet' : 'inet6';
  const empty = (address: string | undefined): boolean =>
    address === undefined || address === '0.0.0.0' || address === '::';
  const table = thread.state;
  if (!empty(fd.sourceAddress) && !empty(fd.destinationAddress)) return;
  if (empty(fd.sourceAddress)) {
    const inferred = table.inferLocalAddress(fd.destinationAddress ?? '', family);
    if (inferred === fd.destinationAddress && fd.sourcePort === fd.destinationPort) return;
    fd.sourceAddress = inferred ?? (family === 'inet' ? '0.0.0.0' : '::');
  } else {
    const inferred = table.inferLocalAddress(fd.sourceAddress ?? '', family);
    if (inferred === fd.sourceAddress && fd.sourcePort === fd.destinationPort) return;
    fd.destinationAddress = inferred ?? (family === 'inet' ? '0.0.0.0' : '::');
  }
}

/** A send on an fd the engine never saw created: assume a UDP socket, as libsinsp. */
function inferDatagramSocket(context: ParseContext): void {
  const { event } = context;
  const raw = event.rawParams[4];
  const family = raw?.[0];
  if (family !== AF.INET && family !== AF.INET6) return;
  addSocket(context, numberParam(event, 2), family, SOCK.DGRAM, IPPROTO.UDP, 0);
  if (context.fd !== undefined) context.fd.inferredFromSend = true;
}
