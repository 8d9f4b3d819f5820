/**
 * The open descriptors of one process from `/proc/PID/fd`, as fd-list records: files with
 * their open flags, directories, pipes, sockets matched by inode against the namespace's
 * socket tables, memfds, and anonymous inodes (eventfd, signalfd, epoll, inotify, timerfd,
 * bpf, userfaultfd, io_uring, pidfd), classified the way libscap classifies them.
 * @internal
 */
import { readdirSync } from 'node:fs';
import type { FdRecord, FdTypeName } from '../scap/index.js';
import { FD_TYPE_NAMES } from '../scap/index.js';
import { readLink, readText, statOf } from './proc-files.js';
import type { SocketEntry } from './socket-tables.js';

const S_IFMT = 0o170000;
const MODE = {
  fifo: 0o010000,
  chr: 0o020000,
  dir: 0o040000,
  blk: 0o060000,
  reg: 0o100000,
  lnk: 0o120000,
  sock: 0o140000,
};

const ANON_INODE_TYPES: Readonly<Record<string, FdTypeName>> = {
  '[eventfd]': 'event', '[eventpoll]': 'eventpoll', inotify: 'inotify', '[signalfd]': 'signalfd',
  '[timerfd]': 'timerfd', '[io_uring]': 'io_uring', '[userfaultfd]': 'userfaultfd', '[pidfd]': 'pidfd',
  'bpf-map': 'bpf', 'bpf-prog': 'bpf', 'bpf-link': 'bpf', bpf_iter: 'bpf',
}; // prettier-ignore

/** Linux open flag bits (octal, as fdinfo shows them) and their libscap `PPM_O_*` bits. */
const OPEN_FLAG_BITS: ReadonlyArray<[linux: number, scap: number]> = [
  [0o100, 1 << 2], [0o2000, 1 << 3], [0o10000, 1 << 4], [0o200, 1 << 5], [0o4000, 1 << 6],
  [0o1000, 1 << 8], [0o40000, 1 << 9], [0o200000, 1 << 10], [0o100000, 1 << 11], [0o2000000, 1 << 12],
]; // prettier-ignore
const O_SYNC = 0o4010000;
const O_TMPFILE = 0o20200000;

/** Linux open flags as libscap `PPM_O_*` flags. */
export function scapOpenFlags(flags: number): number {
  const access = flags & 3;
  let out = access === 1 ? 2 : access === 2 ? 3 : 1;
  for (const [linux, scap] of OPEN_FLAG_BITS) if ((flags & linux) !== 0) out |= scap;
  if ((flags & O_SYNC) === O_SYNC) out |= 1 << 7;
  if ((flags & O_TMPFILE) === O_TMPFILE) out |= 1 << 13;
  return out;
}

/** The anon-inode kind of a link like `anon_inode:[eventfd]`; 'unsupported' for others. */
export function anonInodeType(link: string): FdTypeName {
  return ANON_INODE_TYPES[link.slice('anon_inode:'.length)] ?? 'unsupported';
}

function record(tid: number, fd: number, ino: bigint, type: FdTypeName, name: string): FdRecord {
  return { kind: 'fd', offset: 0, tid, fd, ino, type, typeCode: FD_TYPE_NAMES.indexOf(type), name };
}

/** A regular file, device or memfd: flags from fdinfo, device from the inode's stat. */
function fileRecord(
  directory: string,
  tid: number,
  fd: number,
  link: string,
  ino: bigint,
  dev: number,
): FdRecord {
  if (link.startsWith('/memfd:')) return record(tid, fd, ino, 'memfd', link);
  const entry = record(tid, fd, ino, 'file_v2', link);
  const flags = /^flags:\s*([0-7]+)/m.exec(readText(`${directory}/fdinfo/${fd}`) ?? '');
  entry.openFlags = scapOpenFlags(flags === null ? 0 : parseInt(flags[1], 8));
  entry.dev = dev;
  return entry;
}

/** A socket descriptor, from the socket tables; undefined when no table lists it. */
function socketRecord(
  tid: number,
  fd: number,
  link: string,
  sockets: ReadonlyMap<bigint, SocketEntry>,
): FdRecord | undefined {
  const match = /^socket:\[(\d+)\]$/.exec(link);
  if (match === null) return record(tid, fd, 0n, 'unsupported', link);
  const ino = BigInt(match[1]);
  const entry = sockets.get(ino);
  if (entry === undefined) return undefined;
  return {
    ...record(tid, fd, ino, entry.type, entry.name),
    ...entry,
    typeCode: FD_TYPE_NAMES.indexOf(entry.type),
  };
}

/** One descriptor; undefined when it closed while being read or is a socket no table lists. */
function fdRecord(
  directory: string,
  tid: number,
  fd: number,
  sockets: ReadonlyMap<bigint, SocketEntry>,
): FdRecord | undefined {
  const path = `${directory}/fd/${fd}`;
  const info = statOf(path);
  const link = readLink(path);
  if (info === undefined || link === undefined) return undefined;
  const format = Number(info.mode) & S_IFMT;
  const ino = info.ino;
  switch (format) {
    case MODE.fifo:
      return record(tid, fd, ino, 'fifo', link);
    case MODE.reg:
    case MODE.blk:
    case MODE.chr:
    case MODE.lnk:
      return fileRecord(directory, tid, fd, link, ino, Number(info.dev));
    case MODE.dir:
      return record(tid, fd, ino, 'directory', link);
    case MODE.sock:
      return socketRecord(tid, fd, link, sockets);
    default: {
      const type = link.startsWith('anon_inode:') ? anonInodeType(link) : 'unsupported';
      return record(tid, fd, ino, type, '');
    }
  }
}

/**
 * Every open descriptor of the process whose `/proc` directory is `directory` (its main
 * thread `tid`), at most `limit` of them, in fd order.
 */
export function readProcessFds(
  directory: string,
  tid: number,
  sockets: ReadonlyMap<bigint, SocketEntry>,
  limit = Number.POSITIVE_INFINITY,
): FdRecord[] {
  let names: string[];
  try {
    names = readdirSync(`${directory}/fd`);
  } catch {
    return [];
  }
  const fds = names
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
  const records: FdRecord[] = [];
  for (const fd of fds) {
    if (records.length >= limit) break;
    const entry = fdRecord(directory, tid, fd, sockets);
    if (entry !== undefined) records.push(entry);
  }
  return records;
}
