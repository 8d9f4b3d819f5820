/**
 * File-descriptor entries: creation with libsinsp's defaults, copies for dup and fork, the
 * one-letter and word forms of their kind, and socket names as libsinsp writes them.
 */
import type { FdInfo, FdKind, L4Protocol } from './types.js';

/** libscap `PPM_O_*` flags the engine reads. */
export const OPEN_FLAGS = {
  RDONLY: 1 << 0,
  WRONLY: 1 << 1,
  CREAT: 1 << 2,
  DIRECTORY: 1 << 10,
  CLOEXEC: 1 << 12,
  TMPFILE: 1 << 13,
  F_CREATED: 1 << 14,
  FD_UPPER_LAYER: 1 << 15,
  FD_LOWER_LAYER: 1 << 16,
} as const;

/** A descriptor of `kind` with every other field empty. */
export function createFd(kind: FdKind): FdInfo {
  return {
    kind, name: '', nameRaw: '', openFlags: 0, device: 0, inode: 0n, l4Protocol: 'unknown',
    role: 'none', isConnected: false, oldName: '', isOverlayUpper: false, isOverlayLower: false,
  }; // prettier-ignore
}

/** An independent copy (fork copies the table; dup copies one entry). */
export function cloneFd(fd: FdInfo): FdInfo {
  return { ...fd };
}

const TYPE_CHARS: Readonly<Record<FdKind, string>> = {
  unknown: 'o', file: 'f', directory: 'd', ipv4: '4', ipv6: '6', ipv4_server: '4',
  ipv6_server: '6', fifo: 'p', unix: 'u', event: 'e', unsupported: 'X', signalfd: 's',
  eventpoll: 'l', inotify: 'i', timerfd: 't', netlink: 'n', bpf: 'b', userfaultfd: 'u',
  io_uring: 'r', memfd: 'm', pidfd: 'P',
}; // prettier-ignore

const TYPE_NAMES: Readonly<Partial<Record<FdKind, string>>> = {
  file: 'file', directory: 'directory', ipv4: 'ipv4', ipv4_server: 'ipv4', ipv6: 'ipv6',
  ipv6_server: 'ipv6', unix: 'unix', fifo: 'pipe', event: 'event', signalfd: 'signalfd',
  eventpoll: 'eventpoll', inotify: 'inotify', timerfd: 'timerfd', netlink: 'netlink', bpf: 'bpf',
  userfaultfd: 'userfaultfd', io_uring: 'io_uring', memfd: 'memfd', pidfd: 'pidfd',
}; // prettier-ignore

/** `fd.typechar`: one letter for the kind. */
export function fdTypeChar(fd: FdInfo): string {
  return TYPE_CHARS[fd.kind];
}

/** `fd.type`: the kind as a word; '' for kinds libsinsp has no word for. */
export function fdTypeName(fd: FdInfo): string {
  return TYPE_NAMES[fd.kind] ?? '';
}

function isSocket(fd: FdInfo): boolean {
  return fd.kind === 'ipv4' || fd.kind === 'ipv6';
}

function isServerSocket(fd: FdInfo): boolean {
  return fd.kind === 'ipv4_server' || fd.kind === 'ipv6_server';
}

/** libsinsp's `get_l4proto`: a connected socket without a role reports no protocol. */
export function effectiveL4Protocol(fd: FdInfo): L4Protocol | 'na' {
  if (isServerSocket(fd)) return fd.l4Protocol;
  if (!isSocket(fd)) return 'na';
  if (fd.l4Protocol === 'raw') return 'raw';
  return fd.role === 'none' ? 'na' : fd.l4Protocol;
}

/** libscap's `scap_l4_proto` numbers, as fd-list records carry them. */
export function l4ProtocolFromCode(code: number | undefined): L4Protocol {
  return (['unknown', 'tcp', 'udp', 'icmp', 'raw'] as const)[code ?? 0] ?? 'unknown';
}

/** `1.2.3.4:5->6.7.8.9:10`: both ends with ports, whatever the protocol. */
export function tupleText(fd: FdInfo): string {
  const { sourceAddress = '', sourcePort = 0, destinationAddress = '', destinationPort = 0 } = fd;
  return `${sourceAddress}:${sourcePort}->${destinationAddress}:${destinationPort}`;
}

/**
 * A connected socket's name as libsinsp writes it after a connect, send or receive: the tuple
 * for TCP and UDP, addresses alone for ICMP and raw sockets, `<unknown>` otherwise.
 */
export function socketName(fd: FdInfo): string {
  if (fd.l4Protocol === 'tcp' || fd.l4Protocol === 'udp') return tupleText(fd);
  if (fd.l4Protocol === 'icmp' || fd.l4Protocol === 'raw') {
    return `${fd.sourceAddress ?? ''}->${fd.destinationAddress ?? ''}`;
  }
  return '<unknown>';
}
