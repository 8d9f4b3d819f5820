/**
 * State parsers for calls that create, copy or close descriptors other than sockets: the
 * open family, pipes, dup and fcntl, eventfd and the other one-fd calls, memfd, pidfd, close
 * and close_range. Each follows the matching libsinsp parser.
 */
import type { SyscallEvent } from '../event.js';
import type { ParseContext } from './context.js';
import {
  isEmptyParam,
  numberParam,
  returnValue,
  bigintParam,
  stringParam,
} from './event-params.js';
import { cloneFd, createFd, OPEN_FLAGS } from './fd-info.js';
import { directoryForDirfd } from './exec-parsers.js';
import { concatenatePaths } from './paths.js';
import { cwdOf, fdTableOf } from './thread.js';
import type { FdInfo, FdKind, ThreadInfo } from './types.js';

/** Adds `info` as descriptor `fd` of the event's thread and makes it the event's fd. */
function addEventFd(context: ParseContext, fd: number, info: FdInfo): void {
  if (context.thread === undefined) return;
  context.fd = context.table.addFd(context.thread, fd, info);
}

function deviceParam(event: SyscallEvent, index: number): number {
  return isEmptyParam(event, index) ? 0 : numberParam(event, index);
}

function inodeParam(event: SyscallEvent, index: number): bigint {
  return isEmptyParam(event, index) ? 0n : bigintParam(event, index);
}

/**
 * Fills `info` with what an open-family exit says about the path (raw name, flags, device,
 * inode) and returns the directory the name is relative to. Runs for failed calls too: the
 * dirfd lookup of openat marks the dirfd's name as seen, as libsinsp's does.
 */
function readOpened(event: SyscallEvent, thread: ThreadInfo, info: FdInfo): string {
  switch (event.info.name) {
    case 'open':
      info.nameRaw = stringParam(event, 1);
      info.openFlags = numberParam(event, 2) >>> 0;
      info.device = deviceParam(event, 4);
      info.inode = inodeParam(event, 5);
      return cwdOf(thread);
    case 'creat': {
      const creatFlags = isEmptyParam(event, 5) ? 0 : numberParam(event, 5);
      info.nameRaw = stringParam(event, 1);
      info.openFlags =
        creatFlags & 1 ? OPEN_FLAGS.FD_UPPER_LAYER : creatFlags & 2 ? OPEN_FLAGS.FD_LOWER_LAYER : 0;
      info.device = deviceParam(event, 3);
      info.inode = inodeParam(event, 4);
      return cwdOf(thread);
    }
    case 'open_by_handle_at':
      info.nameRaw = stringParam(event, 3);
      info.openFlags = numberParam(event, 2) >>> 0;
      info.device = deviceParam(event, 4);
      info.inode = inodeParam(event, 5);
      return '';
    default: {
      // openat and openat2
      const name = isEmptyParam(event, 2) ? '<NA>' : stringParam(event, 2);
      const devIndex = event.info.name === 'openat2' ? 6 : 5;
      info.nameRaw = name;
      info.openFlags = isEmptyParam(event, 3) ? 0 : numberParam(event, 3) >>> 0;
      info.device = deviceParam(event, devIndex);
      info.inode = inodeParam(event, devIndex + 1);
      return isEmptyParam(event, 1) ? '' : directoryForDirfd(thread, name, numberParam(event, 1));
    }
  }
}

/** open, openat, openat2, creat and open_by_handle_at exits. */
export function parseOpen(context: ParseContext): void {
  const { event, thread } = context;
  if (thread === undefined) return;
  const fd = returnValue(event);
  // One object per open, made before the result is known: a second, for the path, was garbage.
  const info = createFd('file');
  const directory = readOpened(event, thread, info);
  if (fd < 0) return;
  const flags = info.openFlags;
  if ((flags & OPEN_FLAGS.DIRECTORY) !== 0) info.kind = 'directory';
  info.name = concatenatePaths(directory, info.nameRaw);
  info.isOverlayUpper = (flags & OPEN_FLAGS.FD_UPPER_LAYER) !== 0;
  info.isOverlayLower = (flags & OPEN_FLAGS.FD_LOWER_LAYER) !== 0;
  addEventFd(context, fd, info);
}

/** pipe and pipe2: two fifo ends sharing an inode. */
export function parsePipe(context: ParseContext): void {
  const { event } = context;
  if (returnValue(event) < 0 || context.thread === undefined) return;
  const inode = bigintParam(event, 3);
  const flags = event.info.name === 'pipe2' ? numberParam(event, 4) >>> 0 : 0;
  for (const index of [1, 2]) {
    const info = createFd('fifo');
    info.inode = inode;
    info.openFlags = flags;
    addEventFd(context, numberParam(event, index), info);
  }
}

/** Calls that return one new descriptor of a fixed kind, with flags at `flagsIndex`. */
export function singleFdParser(kind: FdKind, flagsIndex?: number, cloexecBit?: number) {
  return (context: ParseContext): void => {
    const { event } = context;
    const fd = returnValue(event);
    if (context.thread === undefined || fd < 0) return;
    const info = createFd(kind);
    if (flagsIndex !== undefined && !isEmptyParam(event, flagsIndex)) {
      const flags = numberParam(event, flagsIndex) >>> 0;
      if (cloexecBit === undefined) info.openFlags = flags;
      else if ((flags & cloexecBit) !== 0) info.openFlags |= OPEN_FLAGS.CLOEXEC;
    }
    addEventFd(context, fd, info);
  };
}

/** dup, dup2, dup3 and fcntl's F_DUPFD: a copy of the event's fd under the returned number. */
function duplicate(context: ParseContext, closeOnExec: boolean): void {
  const { thread, fd } = context;
  const result = returnValue(context.event);
  if (thread === undefined || fd === undefined || result < 0) return;
  const copy = cloneFd(fd);
  copy.openFlags &= ~OPEN_FLAGS.CLOEXEC;
  if (closeOnExec) copy.openFlags |= OPEN_FLAGS.CLOEXEC;
  addEventFd(context, result, copy);
}

export function parseDup(context: ParseContext): void {
  const { event } = context;
  const flags = event.info.name === 'dup3' ? numberParam(event, 3) : 0;
  duplicate(context, (flags & OPEN_FLAGS.CLOEXEC) !== 0);
}

const FCNTL = { F_DUPFD: 1, F_SETFD: 3, F_DUPFD_CLOEXEC: 26 } as const;
const FD_CLOEXEC = 1;

export function parseFcntl(context: ParseContext): void {
  const { event, fd } = context;
  if (context.thread === undefined) return;
  const command = numberParam(event, 2);
  if (command !== FCNTL.F_DUPFD && command !== FCNTL.F_DUPFD_CLOEXEC && command !== FCNTL.F_SETFD) {
    return;
  }
  if (returnValue(event) < 0 || fd === undefined) return;
  if (command === FCNTL.F_SETFD) {
    fd.openFlags &= ~OPEN_FLAGS.CLOEXEC;
    if ((Number(bigintParam(event, 3) & 0xffn) & FD_CLOEXEC) !== 0)
      fd.openFlags |= OPEN_FLAGS.CLOEXEC;
    return;
  }
  duplicate(context, command === FCNTL.F_DUPFD_CLOEXEC);
}

export function parseMemfdCreate(context: ParseContext): void {
  const { event } = context;
  const fd = returnValue(event);
  if (context.thread === undefined || fd < 0) return;
  const info = createFd('memfd');
  info.name = stringParam(event, 1);
  info.nameRaw = info.name;
  info.openFlags = numberParam(event, 2) >>> 0;
  addEventFd(context, fd, info);
}

export function parsePidfdOpen(context: ParseContext): void {
  const { event } = context;
  const fd = returnValue(event);
  if (context.thread === undefined || fd < 0) return;
  const info = createFd('pidfd');
  info.pid = numberParam(event, 1);
  info.name = `/proc/${info.pid}`;
  info.openFlags = numberParam(event, 2) >>> 0;
  addEventFd(context, fd, info);
}

/** close: the descriptor leaves the table before the next event, so this one still sees it. */
export function parseClose(context: ParseContext): void {
  const { event, thread, fd } = context;
  if (returnValue(event) < 0 || thread === undefined || fd === undefined) return;
  const { deferred } = context;
  deferred.fdsToRemove[deferred.fdsToRemoveLength++] = thread.tid;
  deferred.fdsToRemove[deferred.fdsToRemoveLength++] = thread.lastEventFd;
}

const CLOSE_RANGE_CLOEXEC = 1 << 2;

export function parseCloseRange(context: ParseContext): void {
  const { event, thread, table } = context;
  if (thread === undefined || returnValue(event) < 0) return;
  const first = numberParam(event, 1) >>> 0;
  const last = numberParam(event, 2) >>> 0;
  const flags = numberParam(event, 3) >>> 0;
  for (const [fd, info] of [...fdTableOf(thread)]) {
    if (fd < first || fd > last) continue;
    if ((flags & CLOSE_RANGE_CLOEXEC) !== 0) info.openFlags |= OPEN_FLAGS.CLOEXEC;
    else table.removeFd(thread, fd);
  }
}
