/**
 * State parsers for clone, fork, vfork and clone3 exits, in the caller and in the child, as
 * libsinsp's: the child gets a thread entry, a copy of its parent's descriptors, cwd and
 * environment, and the parent's session, terminal, credentials and executable facts. Unlike
 * libsinsp, a child in its parent's pid namespace copies the parent as it was at the caller's
 * exit when that came first (`PendingClones`), not as it is at its own exit.
 */
import type { SyscallEvent } from '../event.js';
import type { ParseContext } from './context.js';
import {
  bigintParam, isEmptyParam, listParam, numberParam, returnValue, stringParam,
} from './event-params.js'; // prettier-ignore
import { cloneFd } from './fd-info.js';
import { splitCgroup } from './bootstrap.js';
import { cwdOf, fdTableOf, isInvalidThread, THREAD_FLAGS } from './thread.js';
import type { ProcessStateCopy } from './pending-clones.js';
import { identifyCategory } from './thread-category.js';
import type { FdInfo, ThreadInfo } from './types.js';

/** A thread entry older than this is a leftover whose exit was lost (libsinsp: 2 s). */
const CLONE_STALE_TIME_NS = 2_000_000_000n;

/** Clone exit parameters by position (today's layout, shared by fork, vfork and clone3). */
const CLONE = {
  exe: 1, args: 2, pid: 4, ptid: 5, fdlimit: 7, pgftMajor: 8, pgftMinor: 9, vmSize: 10,
  vmRss: 11, vmSwap: 12, comm: 13, cgroups: 14, flags: 15, uid: 16, gid: 17, vtid: 18, vpid: 19,
  pidnsInitStartTs: 20,
} as const; // prettier-ignore

/** Fields a new thread takes from the thread it was cloned from. */
function inheritFrom(child: ThreadInfo, source: ThreadInfo): void {
  child.exePath = source.exePath;
  child.exeWritable = source.exeWritable;
  child.exeUpperLayer = source.exeUpperLayer;
  child.exeLowerLayer = source.exeLowerLayer;
  child.exeFromMemfd = source.exeFromMemfd;
  child.root = source.root;
  child.sid = source.sid;
  child.vpgid = source.vpgid;
  child.pgid = source.pgid;
  child.tty = source.tty;
  child.loginUid = source.loginUid;
  child.capPermitted = source.capPermitted;
  child.capInheritable = source.capInheritable;
  child.capEffective = source.capEffective;
  child.exeIno = source.exeIno;
  child.exeInoCtime = source.exeInoCtime;
  child.exeInoMtime = source.exeInoMtime;
  child.exeInoCtimeDurationCloneTs = source.exeInoCtimeDurationCloneTs;
}

/** What a new process copies from its parent: fd table, cwd and environment. */
function processStateOf(source: ThreadInfo): ProcessStateCopy {
  const fds = new Map<number, FdInfo>();
  for (const [fd, info] of fdTableOf(source)) fds.set(fd, cloneFd(info));
  return { fds, cwd: cwdOf(source), env: [...source.env] };
}

function copyProcessState(child: ThreadInfo, copy: ProcessStateCopy): void {
  child.fds = copy.fds;
  child.cwd = copy.cwd;
  child.env = copy.env;
}

/**
 * Clones whose child copies nothing the parent may change between the two exits: threads and
 * CLONE_FILES children share the parent's table (its closes are theirs too), a vfork parent
 * waits for its child, and a CLONE_NEWPID or CLONE_PARENT child is not known by the caller's
 * (parent tid, child vtid).
 */
const SHARES_OR_UNMATCHED =
  THREAD_FLAGS.CLONE_THREAD | THREAD_FLAGS.CLONE_FILES | THREAD_FLAGS.CLONE_VFORK |
  THREAD_FLAGS.CLONE_NEWPID | THREAD_FLAGS.CLONE_PARENT; // prettier-ignore

/** A new process in its parent's pid namespace, whose exits meet in `PendingClones`. */
function isPendingCopyClone(event: SyscallEvent, flags: number): boolean {
  return (flags & SHARES_OR_UNMATCHED) === 0 && event.info.name !== 'vfork';
}

/** Parameters every clone exit carries about the new thread. */
function fillFromCloneEvent(child: ThreadInfo, event: SyscallEvent): void {
  child.exe = stringParam(event, CLONE.exe);
  child.args = listParam(event, CLONE.args);
  child.comm = isEmptyParam(event, CLONE.comm) ? child.exe : stringParam(event, CLONE.comm);
  child.fdLimit = numberParam(event, CLONE.fdlimit);
  if (!isEmptyParam(event, CLONE.vmSwap)) {
    child.pageFaultsMajor = bigintParam(event, CLONE.pgftMajor);
    child.pageFaultsMinor = bigintParam(event, CLONE.pgftMinor);
    child.vmSizeKb = numberParam(event, CLONE.vmSize);
    child.vmRssKb = numberParam(event, CLONE.vmRss);
    child.vmSwapKb = numberParam(event, CLONE.vmSwap);
  }
  child.uid = numberParam(event, CLONE.uid) >>> 0;
  child.gid = numberParam(event, CLONE.gid) >>> 0;
  if (!isEmptyParam(event, CLONE.cgroups)) {
    child.cgroups = listParam(event, CLONE.cgroups).map(splitCgroup);
  }
  child.cloneTs = event.ts;
}

/** The caller's side of a successful clone: make sure the child exists (libsinsp's rules). */
function parseCloneCaller(context: ParseContext, childTid: number): void {
  const { event, table } = context;
  const caller = table.threadOrPlaceholder(event.tid);
  context.thread = caller;
  if (caller === undefined) return;
  let validCaller = true;
  if (isInvalidThread(caller)) {
    validCaller = false;
    table.setPid(caller, numberParam(event, CLONE.pid));
    table.setParent(caller, numberParam(event, CLONE.ptid));
    const hasVpid = !isEmptyParam(event, CLONE.vpid);
    caller.vtid = hasVpid ? numberParam(event, CLONE.vtid) : event.tid;
    caller.vpid = hasVpid ? numberParam(event, CLONE.vpid) : -1;
    table.linkThread(caller);
  }
  const flags = numberParam(event, CLONE.flags) >>> 0;
  const inContainer =
    (flags & (THREAD_FLAGS.CHILD_IN_PIDNS | THREAD_FLAGS.CLONE_NEWPID | THREAD_FLAGS.CLONE_PARENT)) !== 0 ||
    event.tid !== caller.vtid; // prettier-ignore
  if (inContainer) {
    // The child's thread comes with its own exit; keep the parent's state as of now for it.
    if (validCaller && isPendingCopyClone(event, flags)) {
      table.pendingClones.keepForChild(caller.tid, childTid, event.ts, () =>
        processStateOf(caller),
      );
    }
    return;
  }
  if ((flags & THREAD_FLAGS.CLONE_VFORK) !== 0 || event.info.name === 'vfork') return;
  const existing = table.findThread(childTid);
  if (existing !== undefined) {
    if ((existing.flags & THREAD_FLAGS.CLONE_INVERTED) !== 0) return;
    table.remove(childTid);
  }
  const child = table.newThread(childTid);
  child.flags = flags;
  if ((flags & THREAD_FLAGS.CLONE_THREAD) === 0) {
    if (validCaller) copyProcessState(child, processStateOf(caller));
    table.setPid(child, childTid);
    table.setParent(child, caller.tid);
  } else {
    table.setPid(child, caller.pid);
    table.setParent(child, caller.ptid);
    child.flags |= THREAD_FLAGS.CLONE_FILES;
    child.lastExecTs = caller.lastExecTs;
  }
  child.vtid = child.tid;
  child.vpid = child.pid;
  fillFromCloneEvent(child, event);
  child.pidnsInitStartTs = context.bootTs;
  if (validCaller) inheritFrom(child, caller);
  else {
    caller.exe = child.exe;
    caller.comm = child.comm;
    caller.args = [...child.args];
  }
  identifyCategory(child, caller.container);
  table.add(child);
}

/** The child's side of a clone: create the thread when the caller has not (containers, drops). */
function parseCloneChild(context: ParseContext): void {
  const { event, table } = context;
  const current = context.thread;
  if (current !== undefined && current.cloneTs !== 0n) {
    if (event.ts - current.cloneTs < CLONE_STALE_TIME_NS) return;
    table.remove(event.tid);
    context.thread = undefined;
  }
  const child = table.newThread(event.tid);
  table.setPid(child, numberParam(event, CLONE.pid));
  table.setParent(child, numberParam(event, CLONE.ptid));
  const hasVpid = !isEmptyParam(event, CLONE.vpid);
  child.vtid = hasVpid ? numberParam(event, CLONE.vtid) : child.tid;
  child.vpid = hasVpid ? numberParam(event, CLONE.vpid) : -1;
  child.flags = (numberParam(event, CLONE.flags) >>> 0) | THREAD_FLAGS.CLONE_INVERTED;
  const isLeader = (child.flags & THREAD_FLAGS.CLONE_THREAD) === 0;
  if (!isLeader) child.flags |= THREAD_FLAGS.CLONE_FILES;
  const kept = takeKeptParentState(context, child);
  const lookup = table.threadOrPlaceholder(isLeader ? child.ptid : child.pid);
  if (lookup === undefined) {
    context.thread = undefined;
    return;
  }
  const validLookup = !isInvalidThread(lookup);
  if (!validLookup && !isLeader) {
    table.setPid(lookup, child.pid);
    lookup.vpid = child.vpid;
    table.setParent(lookup, child.ptid);
    lookup.vtid = lookup.vpid;
    table.linkThread(lookup);
  }
  fillFromCloneEvent(child, event);
  if (validLookup) {
    inheritFrom(child, lookup);
    if (isLeader) copyProcessState(child, kept ?? processStateOf(lookup));
    else child.lastExecTs = lookup.lastExecTs;
  } else if (!isLeader) {
    lookup.exe = child.exe;
    lookup.comm = child.comm;
    lookup.args = [...child.args];
  } else if (kept !== undefined) copyProcessState(child, kept);
  const namespaced =
    (child.flags & (THREAD_FLAGS.CHILD_IN_PIDNS | THREAD_FLAGS.CLONE_NEWPID)) !== 0 ||
    child.tid !== child.vtid;
  if (!namespaced) child.pidnsInitStartTs = context.bootTs;
  else if (!isEmptyParam(event, CLONE.pidnsInitStartTs)) {
    child.pidnsInitStartTs = bigintParam(event, CLONE.pidnsInitStartTs) + context.bootTs;
  }
  identifyCategory(child, lookup.container);
  context.thread = table.add(child);
}

/**
 * The parent's state as the caller's exit, seen first, kept it for a child in the parent's pid
 * namespace; undefined for other clones, or when the child's exit comes first. A child whose
 * pid is not its tid is a thread even when its flags say otherwise (a clone3 child's flags
 * may lack CLONE_THREAD, as captures show).
 */
function takeKeptParentState(
  context: ParseContext,
  child: ThreadInfo,
): ProcessStateCopy | undefined {
  const inParentNamespace = child.tid !== child.vtid && child.vtid >= 0;
  if (!inParentNamespace || child.pid !== child.tid) return undefined;
  if (!isPendingCopyClone(context.event, child.flags)) return undefined;
  return context.table.pendingClones.takeForChild(child.ptid, child.vtid, context.event.ts);
}

/** clone, fork, vfork and clone3 exits. */
export function parseClone(context: ParseContext): void {
  const childTid = returnValue(context.event);
  if (childTid < 0) return;
  if (childTid === 0) parseCloneChild(context);
  else parseCloneCaller(context, childTid);
}
