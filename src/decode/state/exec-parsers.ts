/**
 * State parsers for execve/execveat, process exit, and the calls that change a thread's
 * credentials, session, capabilities or working directory, as libsinsp's.
 */
import type { SyscallEvent } from '../event.js';
import { rawParamCountOf } from '../params.js';
import type { ParseContext } from './context.js';
import {
  bigintParam, isEmptyParam, listParam, numberParam, returnValue, stringParam,
} from './event-params.js'; // prettier-ignore
import { OPEN_FLAGS } from './fd-info.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { concatenatePaths } from './paths.js';
import { splitCgroup, trimDeleted } from './bootstrap.js';
import { changeDirectory, cwdOf, fdTableOf, isInvalidThread, isMainThread } from './thread.js';
import { lookupFd, THREAD_FLAGS } from './thread.js';
import type { ThreadInfo } from './types.js';

const AT_FDCWD = -100;
const EXECVEAT_EMPTY_PATH = 1;
const EXE_FLAGS = { WRITABLE: 1, UPPER_LAYER: 2, FROM_MEMFD: 4, LOWER_LAYER: 8 } as const;

/** execve exit parameters by position (today's layout). */
const EXECVE = {
  exe: 1, args: 2, pid: 4, ptid: 5, fdlimit: 7, pgftMajor: 8, pgftMinor: 9, vmSize: 10,
  vmRss: 11, vmSwap: 12, comm: 13, cgroups: 14, env: 15, tty: 16, vpgid: 17, loginuid: 18,
  flags: 19, capInheritable: 20, capPermitted: 21, capEffective: 22, exeIno: 23,
  exeInoCtime: 24, exeInoMtime: 25, uid: 26, trustedExepath: 27, pgid: 28, gid: 29,
} as const; // prettier-ignore

/**
 * The directory a relative path in a `*at` call is relative to: '.' for absolute paths, the
 * cwd for AT_FDCWD, the directory fd's name with a '/', or `<UNKNOWN>`.
 */
export function directoryForDirfd(
  thread: ThreadInfo | undefined,
  path: string,
  dirfd: number,
): string {
  if (path.startsWith('/')) return '.';
  if (thread === undefined) return '<UNKNOWN>';
  if (dirfd === AT_FDCWD) return cwdOf(thread);
  const fd = lookupFd(thread, dirfd);
  if (fd === undefined) return '<UNKNOWN>';
  return fd.name === '' || fd.name.endsWith('/') ? fd.name : `${fd.name}/`;
}

/** Old captures carry no trusted exepath: rebuild it from the enter event, as libsinsp. */
function exepathFromEnter(context: ParseContext, thread: ThreadInfo): string | undefined {
  const enter = thread.lastEnterValid ? thread.lastEnter : undefined;
  if (enter === undefined) return undefined;
  if (enter.info.name === 'execve') {
    const filename = stringParam(enter, 0);
    return filename === '<NA>' ? '<NA>' : concatenatePaths(cwdOf(thread), filename);
  }
  if (enter.info.name !== 'execveat') return undefined;
  const dirfd = numberParam(enter, 0);
  const pathname = stringParam(enter, 1);
  const flags = numberParam(enter, 2);
  const directory = directoryForDirfd(thread, pathname, dirfd);
  if (directory !== '.' && directory !== '<UNKNOWN>') context.fd = lookupFd(thread, dirfd);
  const emptyPath = (flags & EXECVEAT_EMPTY_PATH) !== 0;
  if ((!emptyPath && pathname === '<NA>') || directory === '<UNKNOWN>') return '<NA>';
  if (emptyPath) return concatenatePaths('', directory);
  return concatenatePaths(directory, pathname);
}

function applyExecFacts(thread: ThreadInfo, event: SyscallEvent): void {
  if (!isEmptyParam(event, EXECVE.flags)) {
    const flags = numberParam(event, EXECVE.flags);
    thread.exeWritable = (flags & EXE_FLAGS.WRITABLE) !== 0;
    thread.exeUpperLayer = (flags & EXE_FLAGS.UPPER_LAYER) !== 0;
    thread.exeFromMemfd = (flags & EXE_FLAGS.FROM_MEMFD) !== 0;
    thread.exeLowerLayer = (flags & EXE_FLAGS.LOWER_LAYER) !== 0;
  }
  if (!isEmptyParam(event, EXECVE.capEffective)) {
    thread.capInheritable = bigintParam(event, EXECVE.capInheritable);
    thread.capPermitted = bigintParam(event, EXECVE.capPermitted);
    thread.capEffective = bigintParam(event, EXECVE.capEffective);
  }
  if (isEmptyParam(event, EXECVE.exeInoMtime)) return;
  thread.exeIno = bigintParam(event, EXECVE.exeIno);
  thread.exeInoCtime = bigintParam(event, EXECVE.exeInoCtime);
  thread.exeInoMtime = bigintParam(event, EXECVE.exeInoMtime);
  if (thread.cloneTs !== 0n)
    thread.exeInoCtimeDurationCloneTs = thread.cloneTs - thread.exeInoCtime;
  if (thread.pidnsInitStartTs !== 0n && thread.exeInoCtime > thread.pidnsInitStartTs) {
    thread.exeInoCtimeDurationPidnsStart = thread.exeInoCtime - thread.pidnsInitStartTs;
  }
}

function applyExecIdentity(context: ParseContext, thread: ThreadInfo): void {
  const { event, table } = context;
  thread.exe = stringParam(event, EXECVE.exe);
  thread.lastExecTs = event.ts;
  thread.comm = isEmptyParam(event, EXECVE.comm) ? thread.exe : stringParam(event, EXECVE.comm);
  thread.args = listParam(event, EXECVE.args);
  table.setPid(thread, numberParam(event, EXECVE.pid));
  if (isInvalidThread(thread)) {
    table.setParent(thread, numberParam(event, EXECVE.ptid));
    if ((thread.flags & THREAD_FLAGS.CHILD_IN_PIDNS) === 0) {
      thread.vtid = thread.tid;
      thread.vpid = thread.pid;
    }
    table.linkThread(thread);
  }
  thread.fdLimit = numberParam(event, EXECVE.fdlimit);
  if (!isEmptyParam(event, EXECVE.vmSwap)) {
    thread.pageFaultsMajor = bigintParam(event, EXECVE.pgftMajor);
    thread.pageFaultsMinor = bigintParam(event, EXECVE.pgftMinor);
    thread.vmSizeKb = numberParam(event, EXECVE.vmSize);
    thread.vmRssKb = numberParam(event, EXECVE.vmRss);
    thread.vmSwapKb = numberParam(event, EXECVE.vmSwap);
  }
}

/** execve and execveat exits: the thread becomes the new program. */
export function parseExecve(context: ParseContext): void {
  const { event, table } = context;
  const thread = context.thread;
  if (returnValue(event) < 0 || thread === undefined) return;
  if (thread.isDead) table.resurrect(thread);
  applyExecIdentity(context, thread);
  if (!isEmptyParam(event, EXECVE.env)) thread.env = listParam(event, EXECVE.env);
  if (!isEmptyParam(event, EXECVE.cgroups)) {
    thread.cgroups = listParam(event, EXECVE.cgroups).map(splitCgroup);
  }
  if (!isEmptyParam(event, EXECVE.tty)) thread.tty = numberParam(event, EXECVE.tty) >>> 0;
  if (!isEmptyParam(event, EXECVE.trustedExepath)) {
    thread.exePath = trimDeleted(stringParam(event, EXECVE.trustedExepath));
  } else {
    const rebuilt = exepathFromEnter(context, thread);
    if (rebuilt !== undefined) thread.exePath = trimDeleted(rebuilt);
  }
  if (!isEmptyParam(event, EXECVE.vpgid)) thread.vpgid = numberParam(event, EXECVE.vpgid);
  if (!isEmptyParam(event, EXECVE.loginuid)) {
    thread.loginUid = numberParam(event, EXECVE.loginuid) >>> 0;
  }
  applyExecFacts(thread, event);
  if (!isEmptyParam(event, EXECVE.uid)) thread.uid = numberParam(event, EXECVE.uid) >>> 0;
  thread.pgid = isEmptyParam(event, EXECVE.pgid) ? -1 : numberParam(event, EXECVE.pgid);
  if (!isEmptyParam(event, EXECVE.gid)) thread.gid = numberParam(event, EXECVE.gid) >>> 0;
  closeOnExec(context, thread);
  const kept = THREAD_FLAGS.PIPE_SRC | THREAD_FLAGS.PIPE_DST | THREAD_FLAGS.IS_MAIN_THREAD;
  const inverted = thread.flags & THREAD_FLAGS.CLONE_INVERTED;
  thread.flags = THREAD_FLAGS.ACTIVE | (thread.flags & kept) | inverted | THREAD_FLAGS.NAME_CHANGED;
  removeOtherThreads(context, thread);
}

function closeOnExec(context: ParseContext, thread: ThreadInfo): void {
  for (const [fd, info] of fdTableOf(thread)) {
    if ((info.openFlags & OPEN_FLAGS.CLOEXEC) !== 0) context.table.removeFd(thread, fd);
  }
}

/**
 * After an exec, the other threads of the process are gone. They come from the table's process
 * index, so an exec costs its process's thread count, not the table's size.
 */
function removeOtherThreads(context: ParseContext, thread: ThreadInfo): void {
  const { table } = context;
  if (table.groupSize(thread.pid) <= 1) return;
  for (const other of table.threadsOfProcess(thread.pid)) {
    if (!isMainThread(other) && other.tid !== thread.tid) table.remove(other.tid);
  }
}

/** Position of `reaper_tid` in a procexit event (older captures lack it). */
const PROCEXIT_REAPER = 4;

/**
 * Process exit: the thread is dead now and leaves the table before the next event; its children
 * go to the reaper the kernel named, when it named one.
 */
export function parseProcexit(context: ParseContext): void {
  const { thread, table, event } = context;
  if (thread === undefined) return;
  table.markDead(thread);
  context.deferred.threadToRemove = event.tid;
  context.deferred.reaperTid =
    rawParamCountOf(event) > PROCEXIT_REAPER ? numberParam(event, PROCEXIT_REAPER) : 0;
}

/** prctl options on the child-subreaper attribute, and the event's parameters. */
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const PRCTL = { option: 1, arg2Int: 3 } as const;

/**
 * prctl setting (or reading back) the child-subreaper attribute: a subreaper adopts the orphans
 * of its descendants, so the reaper search stops at it as at an init.
 */
export function parsePrctl(context: ParseContext): void {
  const { event, thread, table } = context;
  if (returnValue(event) < 0 || thread === undefined || isInvalidThread(thread)) return;
  const option = numberParam(event, PRCTL.option);
  if (option !== PR_SET_CHILD_SUBREAPER && option !== PR_GET_CHILD_SUBREAPER) return;
  table.setReaper(thread.pid, numberParam(event, PRCTL.arg2Int) !== 0);
}

/** chdir: the process moves to the path (relative to its cwd). */
export function parseChdir(context: ParseContext): void {
  if (returnValue(context.event) < 0 || context.thread === undefined) return;
  changeDirectory(context.thread, stringParam(context.event, 1));
}

/** fchdir: the process moves to the directory its fd names. */
export function parseFchdir(context: ParseContext): void {
  const { thread, fd } = context;
  if (returnValue(context.event) < 0 || thread === undefined || fd === undefined) return;
  changeDirectory(thread, fd.name);
}

export function parseGetcwd(context: ParseContext): void {
  if (returnValue(context.event) < 0 || context.thread === undefined) return;
  changeDirectory(context.thread, stringParam(context.event, 1));
}

export function parseSetsid(context: ParseContext): void {
  const result = returnValue(context.event);
  if (result >= 0 && context.thread !== undefined) context.thread.sid = result;
}

/** setuid family: param `index` is the new effective id, when the call succeeded. */
export function credentialParser(field: 'uid' | 'gid', index: number) {
  return (context: ParseContext): void => {
    const { event, thread } = context;
    if (returnValue(event) !== 0 || thread === undefined || isEmptyParam(event, index)) return;
    thread[field] = numberParam(event, index) >>> 0;
  };
}

export function parseCapset(context: ParseContext): void {
  const { event, thread } = context;
  if (returnValue(event) < 0 || thread === undefined) return;
  thread.capInheritable = bigintParam(event, 1);
  thread.capPermitted = bigintParam(event, 2);
  thread.capEffective = bigintParam(event, 3);
}

const CLONE_NEWUSER = 1 << 20;

/** unshare/setns into a new user namespace grant every capability there. */
export function parseUnshareSetns(context: ParseContext): void {
  const { event, thread } = context;
  if (returnValue(event) < 0 || thread === undefined) return;
  const index = event.info.name === 'unshare' ? 1 : 2;
  const flags = isEmptyParam(event, index) ? 0 : numberParam(event, index);
  if ((flags & CLONE_NEWUSER) === 0) return;
  thread.capInheritable = ALL_CAPABILITIES;
  thread.capPermitted = ALL_CAPABILITIES;
  thread.capEffective = ALL_CAPABILITIES;
}

export function parseChroot(context: ParseContext): void {
  const { event, thread } = context;
  if (returnValue(event) !== 0 || thread === undefined) return;
  const path = stringParam(event, 1);
  thread.root = path.startsWith('/')
    ? concatenatePaths('', path)
    : concatenatePaths(cwdOf(thread), path);
}
