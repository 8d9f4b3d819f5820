/**
 * The state a capture starts with: its process list, fd lists and user list become threads,
 * descriptors and names, the way libsinsp loads them before the first event.
 */
import type { FdRecord, ThreadRecord } from '../../sources/scap/index.js';
import { formatIpv6 } from '../params.js';
import { createFd, l4ProtocolFromCode, tupleText } from './fd-info.js';
import type { ThreadTable } from './thread-table.js';
import { changeDirectory, isMainThread, THREAD_FLAGS } from './thread.js';
import type { FdInfo, FdKind, ThreadInfo } from './types.js';

/** Threads from a process-list entry; the links to parents come later (`linkBootstrap`). */
export function threadFromRecord(table: ThreadTable, record: ThreadRecord): ThreadInfo {
  const thread = table.newThread(record.tid);
  Object.assign(thread, {
    pid: record.pid, sid: record.sid, vpgid: record.vpgid, pgid: record.pgid,
    comm: record.comm, exe: record.exe, args: record.args, fdLimit: record.fdlimit,
    flags: record.flags | THREAD_FLAGS.ACTIVE, uid: record.uid, gid: record.gid,
    loginUid: record.loginuid, vmSizeKb: record.vmsizeKb, vmRssKb: record.vmrssKb,
    vmSwapKb: record.vmswapKb, pageFaultsMajor: BigInt(record.pageFaultsMajor),
    pageFaultsMinor: BigInt(record.pageFaultsMinor), vtid: record.vtid, vpid: record.vpid,
    root: record.root, pidnsInitStartTs: record.pidnsInitStartTimestamp, tty: record.tty,
    exeWritable: record.exeWritable, exeUpperLayer: record.exeUpperLayer,
    exeLowerLayer: record.exeLowerLayer, exeFromMemfd: record.exeFromMemfd,
    capInheritable: record.capInheritable, capPermitted: record.capPermitted,
    capEffective: record.capEffective, exeIno: record.exeIno, exeInoCtime: record.exeInoCtime,
    exeInoMtime: record.exeInoMtime,
  }); // prettier-ignore
  table.setParent(thread, record.ptid);
  thread.exePath = trimDeleted(record.exepath);
  thread.cgroups = record.cgroups.map(splitCgroup);
  if (isMainThread(thread)) {
    thread.env = record.env;
    changeDirectory(thread, record.cwd);
  }
  return thread;
}

/** `/proc/PID/exe` of a deleted file ends with " (deleted)"; libsinsp drops it. */
export function trimDeleted(path: string): string {
  const suffix = ' (deleted)';
  return path.length > suffix.length && path.endsWith(suffix)
    ? path.slice(0, -suffix.length)
    : path;
}

export function splitCgroup(entry: string): [string, string] {
  const at = entry.indexOf('=');
  return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
}

/** Eight full hex groups (the fd-list reader's IPv6 text) in inet_ntop form. */
function ipv6Text(groups: string | undefined): string {
  const bytes = new Uint8Array(16);
  (groups ?? '').split(':').forEach((group, i) => {
    const value = parseInt(group, 16) || 0;
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return formatIpv6(bytes);
}

/** An IPv6 address whose first 80 bits are 0 and next 16 are 1: an IPv4 address inside. */
function mappedIpv4(text: string): string | undefined {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  return match?.[1];
}

const RECORD_KINDS: Readonly<Record<string, FdKind>> = {
  file_v2: 'file', ipv4_server: 'ipv4_server', ipv6_server: 'ipv6_server',
}; // prettier-ignore

/** A descriptor from an fd-list entry, named as libsinsp names it. */
export function fdFromRecord(record: FdRecord): FdInfo {
  const kind = RECORD_KINDS[record.type] ?? (record.type as FdKind);
  const fd = createFd(kind);
  fd.inode = record.ino;
  fd.name = record.name;
  fd.l4Protocol = l4ProtocolFromCode(record.l4proto);
  if (kind === 'file') {
    fd.openFlags = record.openFlags ?? 0;
    fd.device = record.dev ?? 0;
  } else if (kind === 'ipv4' || kind === 'ipv6') {
    setSocketEnds(fd, record);
  } else if (kind === 'ipv4_server' || kind === 'ipv6_server') {
    fd.sourceAddress =
      kind === 'ipv6_server' ? ipv6Text(record.sourceAddress) : record.sourceAddress;
    fd.sourcePort = record.sourcePort;
    fd.name = `${fd.sourceAddress}:${fd.sourcePort}`;
  } else if (kind === 'unix') {
    fd.unixSource = record.unixSource;
    fd.unixDestination = record.unixDestination;
    fd.role = fd.name === '' ? 'client' : 'server';
  }
  return fd;
}

function setSocketEnds(fd: FdInfo, record: FdRecord): void {
  let source = record.sourceAddress ?? '';
  let destination = record.destinationAddress ?? '';
  if (fd.kind === 'ipv6') {
    source = ipv6Text(source);
    destination = ipv6Text(destination);
    const [mappedSource, mappedDestination] = [mappedIpv4(source), mappedIpv4(destination)];
    if (mappedSource !== undefined && mappedDestination !== undefined) {
      fd.kind = 'ipv4';
      [source, destination] = [mappedSource, mappedDestination];
    }
  }
  fd.sourceAddress = source;
  fd.destinationAddress = destination;
  fd.sourcePort = record.sourcePort;
  fd.destinationPort = record.destinationPort;
  fd.isConnected = fd.l4Protocol === 'tcp';
  fd.name = tupleText(fd);
}

/**
 * After the process list: link every thread to its process and parent, and decide which end
 * of each IPv4 socket from the fd lists is the server (libsinsp's fix for sockets from /proc):
 * a socket whose local port some process listens on is the server end.
 */
export function linkBootstrap(table: ThreadTable, threads: Iterable<ThreadInfo>): void {
  const serverPorts = new Set<number>();
  for (const thread of threads) {
    table.linkThread(thread);
    for (const fd of thread.fds.values()) {
      if (fd.kind === 'ipv4_server' || fd.kind === 'ipv6_server')
        serverPorts.add(fd.sourcePort ?? 0);
    }
  }
  for (const thread of table.allThreads()) {
    for (const fd of thread.fds.values()) {
      if (fd.kind === 'ipv4' && fd.role === 'none') assignProcSocketRole(fd, serverPorts);
    }
  }
}

function assignProcSocketRole(fd: FdInfo, serverPorts: ReadonlySet<number>): void {
  if (!serverPorts.has(fd.sourcePort ?? 0)) {
    fd.role = 'client';
    return;
  }
  [fd.sourceAddress, fd.destinationAddress] = [fd.destinationAddress, fd.sourceAddress];
  [fd.sourcePort, fd.destinationPort] = [fd.destinationPort, fd.sourcePort];
  fd.name = tupleText(fd);
  fd.role = 'server';
}
