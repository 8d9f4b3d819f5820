/**
 * Questions about one thread that libsinsp answers through its thread group: which thread is
 * the main one, whose cwd, environment and fd table a thread uses, and who its ancestors are.
 */
import type { FdInfo, StateView, ThreadInfo } from './types.js';
import { concatenatePaths } from './paths.js';

/** libscap `PPM_CL_*` thread flags the engine reads or sets. */
export const THREAD_FLAGS = {
  CLONE_FILES: 1 << 0,
  CLONE_FS: 1 << 1,
  CLONE_NEWPID: 1 << 6,
  CLONE_PARENT: 1 << 8,
  CLONE_THREAD: 1 << 13,
  CLONE_INVERTED: 1 << 16,
  NAME_CHANGED: 1 << 17,
  CLOSED: 1 << 18,
  ACTIVE: 1 << 19,
  CLONE_NEWUSER: 1 << 20,
  PIPE_SRC: 1 << 21,
  PIPE_DST: 1 << 22,
  CLONE_VFORK: 1 << 27,
  CHILD_IN_PIDNS: 1 << 29,
  IS_MAIN_THREAD: 1 << 30,
} as const;

/** Value libscap uses for an unset uid, gid or login uid. */
export const UNSET_ID = 0xffffffff;

/** A thread with every field at libsinsp's default; the caller fills what it knows. */
export function createThread(state: StateView, tid: number): ThreadInfo {
  return {
    tid, pid: -1, ptid: -1, sid: -1, vpgid: -1, pgid: -1, vtid: -1, vpid: -1, comm: '', exe: '',
    exePath: '', args: [], env: [], cwd: '', root: '', uid: UNSET_ID, gid: UNSET_ID,
    loginUid: UNSET_ID, tty: 0, flags: 0, fdLimit: 0, cloneTs: 0n, lastExecTs: 0n,
    pidnsInitStartTs: 0n, capInheritable: 0n, capPermitted: 0n, capEffective: 0n, exeIno: 0n,
    exeInoCtime: 0n, exeInoMtime: 0n, exeInoCtimeDurationCloneTs: 0n,
    exeInoCtimeDurationPidnsStart: 0n, exeWritable: false, exeUpperLayer: false,
    exeLowerLayer: false, exeFromMemfd: false, vmSizeKb: 0, vmRssKb: 0, vmSwapKb: 0,
    pageFaultsMajor: 0n, pageFaultsMinor: 0n, cgroups: [], category: 'none', fds: new Map(),
    lastEventFd: -1, lastEnterCode: -1, lastEnterName: '', lastEnterValid: false, isDead: false,
    state,
  }; // prettier-ignore
}

export function isMainThread(thread: ThreadInfo): boolean {
  return thread.tid === thread.pid || (thread.flags & THREAD_FLAGS.IS_MAIN_THREAD) !== 0;
}

/** A placeholder for a thread nobody described (libsinsp's "invalid" thread). */
export function isInvalidThread(thread: ThreadInfo): boolean {
  return thread.tid < 0 || thread.pid < 0 || thread.ptid < 0;
}

function isInPidNamespace(thread: ThreadInfo): boolean {
  const flagged = (thread.flags & THREAD_FLAGS.CHILD_IN_PIDNS) !== 0;
  return flagged || (thread.tid !== thread.vtid && thread.vtid >= 0);
}

/** The main thread of the thread's process, or undefined when the table has lost it. */
export function mainThreadOf(thread: ThreadInfo): ThreadInfo | undefined {
  if (isMainThread(thread)) return thread;
  if (isInvalidThread(thread)) return undefined;
  const main = thread.state.findThread(thread.pid);
  return main !== undefined && isMainThread(main) ? main : undefined;
}

/** The fd table the thread uses: its main thread's, or its own when that is gone. */
export function fdTableOf(thread: ThreadInfo): Map<number, FdInfo> {
  return (mainThreadOf(thread) ?? thread).fds;
}

/** Looks an fd up as libsinsp's `get_fd` does, remembering its name for `fd.name_changed`. */
export function lookupFd(thread: ThreadInfo, fd: number): FdInfo | undefined {
  if (fd < 0) return undefined;
  const info = fdTableOf(thread).get(fd);
  if (info !== undefined) info.oldName = info.name;
  return info;
}

export function cwdOf(thread: ThreadInfo): string {
  return mainThreadOf(thread)?.cwd ?? './';
}

/** Moves the process to `path`, relative to the current directory, with a trailing '/'. */
export function changeDirectory(thread: ThreadInfo, path: string): void {
  const main = mainThreadOf(thread);
  if (main === undefined) return;
  let cwd = concatenatePaths(thread.cwd, path);
  if (!cwd.endsWith('/')) cwd += '/';
  main.cwd = cwd;
}

export function envOf(thread: ThreadInfo): string[] {
  return (mainThreadOf(thread) ?? thread).env;
}

/** Value of environment variable `name`, trimmed of blanks; '' when unset. */
export function envValue(thread: ThreadInfo, name: string): string {
  for (const entry of envOf(thread)) {
    if (entry.length > name.length + 1 && entry[name.length] === '=' && entry.startsWith(name)) {
      return entry.slice(name.length + 1).trim();
    }
  }
  return '';
}

/**
 * The `generation`-th ancestor process (0: the thread's own process), walking main threads
 * through `ptid`; undefined when the chain breaks first.
 */
export function ancestorProcess(thread: ThreadInfo, generation: number): ThreadInfo | undefined {
  let current = mainThreadOf(thread);
  for (let i = 0; i < generation && current !== undefined; i++) {
    const parent = current.state.findThread(current.ptid);
    current = parent === undefined ? undefined : mainThreadOf(parent);
  }
  return current;
}

/**
 * Calls `visit` on each ancestor thread from the parent up, until it returns false, the chain
 * ends, or a loop is found (checked with a second pointer moving twice as fast, as libsinsp).
 */
export function visitAncestors(thread: ThreadInfo, visit: (ancestor: ThreadInfo) => boolean): void {
  const parentOf = (t: ThreadInfo | undefined): ThreadInfo | undefined =>
    t === undefined ? undefined : t.state.findThread(t.ptid);
  let slow = parentOf(thread);
  let fast = parentOf(slow);
  while (slow !== undefined && slow.tid !== -1) {
    if (!visit(slow)) return;
    slow = parentOf(slow);
    for (let i = 0; i < 2; i++) {
      fast = parentOf(fast);
      if (slow !== undefined && (slow === fast || slow.tid === slow.ptid)) return;
    }
  }
}

/**
 * The session or process-group leader: the thread whose id is the thread's `id`, or when the
 * id is namespaced, the oldest ancestor still sharing it (libsinsp's oldest matching ancestor).
 */
export function groupLeader(
  thread: ThreadInfo,
  idOf: (t: ThreadInfo) => number,
  isVirtualId: boolean,
): ThreadInfo | undefined {
  const id = idOf(thread);
  if (id === -1) return undefined;
  if (!isVirtualId || !isInPidNamespace(thread)) {
    const leader = thread.state.findThread(id);
    if (leader !== undefined) return leader;
  }
  let leader: ThreadInfo | undefined;
  visitAncestors(thread, (ancestor) => {
    if (idOf(ancestor) !== id) return false;
    leader = ancestor;
    return true;
  });
  return leader;
}
