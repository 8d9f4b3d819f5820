/**
 * Values of the process and thread fields (`proc.*`, `thread.*`), read from the thread the
 * state engine attached to the event, with libsinsp's rules for ancestors, session and group
 * leaders, and `<NA>` (undefined) exactly where libsinsp extracts nothing.
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { capabilitiesText } from '../../../decode/state/capabilities.js';
import {
  ancestorProcess, cwdOf, envOf, envValue, fdTableOf, groupLeader, isMainThread, mainThreadOf,
  visitAncestors,
} from '../../../decode/state/thread.js'; // prettier-ignore
import { fdTypeName } from '../../../decode/state/fd-info.js';
import type { FdInfo, ThreadInfo } from '../../../decode/state/types.js';
import type { FieldValue } from '../types.js';
import type { SyscallFieldValues } from './types.js';

type ThreadRead = (
  thread: ThreadInfo,
  event: SyscallEvent,
  argument: string | undefined,
) => FieldValue | undefined;

/** A field read from the event's thread; `<NA>` when the event has none. */
function fromThread(read: ThreadRead): SyscallFieldValues[string] {
  return { extract: (event, argument) => (event.thread === undefined ? undefined : read(event.thread, event, argument)) };
} // prettier-ignore

/** libsinsp hides ids that cannot be host ids (outside -1 .. 2^32-1). */
function visibleId(id: number): number | undefined {
  return id >= -1 && id <= 0xffffffff ? id : undefined;
}

function commandLine(thread: ThreadInfo): string {
  return [thread.comm, ...thread.args].join(' ');
}

function argumentIndex(argument: string | undefined): number {
  return argument === undefined ? -1 : Number.parseInt(argument, 10);
}

/** Space-joined values of every ancestor (`proc.aname` without index), or one ancestor's. */
function ancestorField(read: (thread: ThreadInfo) => string) {
  const all = (thread: ThreadInfo): string | undefined => {
    const main = mainThreadOf(thread);
    if (main === undefined) return undefined;
    const values: string[] = [];
    visitAncestors(main, (ancestor) => {
      values.push(read(ancestor));
      return true;
    });
    return values.length === 0 ? undefined : values.join(' ');
  };
  const entry: SyscallFieldValues[string] = {
    extract: (event, argument) => {
      const thread = event.thread;
      if (thread === undefined) return undefined;
      const generation = argumentIndex(argument);
      if (generation < 0) return all(thread);
      const ancestor = ancestorProcess(thread, generation);
      return ancestor === undefined ? undefined : read(ancestor);
    },
    candidates: (event, argument) => {
      const thread = event.thread;
      if (thread === undefined) return undefined;
      if (argumentIndex(argument) >= 0) return entry.extract?.(event, argument);
      const main = mainThreadOf(thread);
      if (main === undefined) return undefined;
      const values: string[] = [];
      visitAncestors(main, (ancestor) => values.push(read(ancestor)) > 0);
      return values;
    },
  };
  return entry;
}

function parent(thread: ThreadInfo): ThreadInfo | undefined {
  return ancestorProcess(thread, 1);
}

/** Process fields: identity, command line, environment, parents. */
export const PROCESS_VALUES: SyscallFieldValues = {
  'proc.pid': fromThread((t) => visibleId(t.pid)),
  'proc.exe': fromThread((t) => t.exe),
  'proc.name': fromThread((t) => t.comm),
  'proc.exepath': fromThread((t) => t.exePath),
  'proc.args': fromThread((t, _event, argument) => {
    const index = argumentIndex(argument);
    return index >= 0 ? (t.args[index] ?? '') : t.args.join(' ');
  }),
  'proc.cmdline': fromThread(commandLine),
  'proc.exeline': fromThread((t) => `${t.exe} ${t.args.join(' ')}`),
  'proc.cmdnargs': fromThread((t) => t.args.length),
  'proc.cmdlenargs': fromThread((t) => t.args.reduce((sum, arg) => sum + arg.length, 0)),
  'proc.env': fromThread((t, _event, argument) =>
    argument === undefined ? envOf(t).join(' ') : envValue(t, argument),
  ),
  'proc.cwd': fromThread((t) => cwdOf(t)),
  'proc.tty': fromThread((t) => t.tty),
  'proc.sid': fromThread((t) => t.sid),
  'proc.vpgid': fromThread((t) => t.vpgid),
  'proc.pgid': fromThread((t) => t.pgid),
  'proc.vpid': fromThread((t) => (t.vpid === -1 ? undefined : t.vpid)),
  'proc.ppid': fromThread((t) => {
    const p = parent(t);
    return p === undefined ? undefined : visibleId(p.pid);
  }),
  'proc.pname': fromThread((t) => parent(t)?.comm),
  'proc.pexe': fromThread((t) => parent(t)?.exe),
  'proc.pexepath': fromThread((t) => parent(t)?.exePath),
  'proc.pcmdline': fromThread((t) => {
    const p = parent(t);
    return p === undefined ? undefined : commandLine(p);
  }),
  'proc.pvpid': fromThread((t) => t.state.findThread(t.ptid)?.vpid),
  'proc.aname': ancestorField((t) => t.comm),
  'proc.aexe': ancestorField((t) => t.exe),
  'proc.aexepath': ancestorField((t) => t.exePath),
  'proc.acmdline': ancestorField(commandLine),
  'proc.apid': {
    extract: (event, argument) => {
      if (event.thread === undefined) return undefined;
      const ancestor = ancestorProcess(event.thread, Math.max(0, argumentIndex(argument)));
      return ancestor === undefined ? undefined : visibleId(ancestor.pid);
    },
    candidates: (event, argument) => {
      const thread = event.thread;
      if (thread === undefined) return undefined;
      if (argumentIndex(argument) >= 0) return PROCESS_VALUES['proc.apid'].extract?.(event, argument);
      const main = mainThreadOf(thread);
      if (main === undefined) return undefined;
      const pids: number[] = [];
      visitAncestors(main, (ancestor) => pids.push(ancestor.pid) > 0);
      return pids;
    },
  },
  'proc.sname': fromThread((t) => groupLeader(t, (x) => x.sid, true)?.comm ?? ''),
  'proc.sid.exe': fromThread((t) => groupLeader(t, (x) => x.sid, true)?.exe ?? ''),
  'proc.sid.exepath': fromThread((t) => groupLeader(t, (x) => x.sid, true)?.exePath ?? ''),
  'proc.vpgid.name': fromThread((t) => groupLeader(t, (x) => x.vpgid, true)?.comm ?? ''),
  'proc.vpgid.exe': fromThread((t) => groupLeader(t, (x) => x.vpgid, true)?.exe ?? ''),
  'proc.vpgid.exepath': fromThread((t) => groupLeader(t, (x) => x.vpgid, true)?.exePath ?? ''),
  'proc.pgid.name': fromThread((t) => groupLeader(t, (x) => x.pgid, false)?.comm ?? ''),
  'proc.pgid.exe': fromThread((t) => groupLeader(t, (x) => x.pgid, false)?.exe ?? ''),
  'proc.pgid.exepath': fromThread((t) => groupLeader(t, (x) => x.pgid, false)?.exePath ?? ''),
  'proc.is_sid_leader': fromThread((t) => t.sid === t.vpid),
  'proc.is_vpgid_leader': fromThread((t) => t.vpgid === t.vpid),
  'proc.is_pgid_leader': fromThread((t) => t.pgid === t.pid),
  'proc.duration': fromThread((t, event) => (t.cloneTs === 0n ? undefined : event.ts - t.cloneTs)),
  'proc.ppid.duration': fromThread((t, event) => {
    const p = parent(t);
    return p === undefined || p.cloneTs === 0n ? undefined : event.ts - p.cloneTs;
  }),
  'proc.pid.ts': fromThread((t) => (t.cloneTs === 0n ? undefined : t.cloneTs)),
  'proc.ppid.ts': fromThread((t) => t.state.findThread(t.ptid)?.cloneTs),
  'proc.is_exe_writable': fromThread((t) => t.exeWritable),
  'proc.is_exe_upper_layer': fromThread((t) => t.exeUpperLayer),
  'proc.is_exe_lower_layer': fromThread((t) => t.exeLowerLayer),
  'proc.is_exe_from_memfd': fromThread((t) => t.exeFromMemfd),
  'proc.exe_ino': fromThread((t) => (t.exeIno === 0n ? undefined : t.exeIno)),
  'proc.exe_ino.ctime': fromThread((t) => (t.exeInoCtime === 0n ? undefined : t.exeInoCtime)),
  'proc.exe_ino.mtime': fromThread((t) => (t.exeInoMtime === 0n ? undefined : t.exeInoMtime)),
  'proc.exe_ino.ctime_duration_proc_start': fromThread((t) =>
    t.exeInoCtimeDurationCloneTs === 0n ? undefined : t.exeInoCtimeDurationCloneTs,
  ),
  'proc.exe_ino.ctime_duration_pidns_start': fromThread((t) =>
    t.exeInoCtimeDurationPidnsStart === 0n ? undefined : t.exeInoCtimeDurationPidnsStart,
  ),
  'proc.pidns_init_start_ts': fromThread((t) => (t.pidnsInitStartTs === 0n ? undefined : t.pidnsInitStartTs)),
  'proc.loginshellid': fromThread((t) => {
    const main = mainThreadOf(t);
    if (main === undefined) return undefined;
    let shell: number | undefined;
    const check = (candidate: ThreadInfo): boolean => {
      if (candidate.comm.endsWith('sh')) shell = candidate.pid;
      return true;
    };
    check(main);
    visitAncestors(main, check);
    return shell;
  }),
  'proc.fdopencount': fromThread((t) => fdTableOf(t).size),
  'proc.fdlimit': fromThread((t) => t.fdLimit),
  'proc.fdusage': fromThread((t) => (t.fdLimit > 0 ? (fdTableOf(t).size * 100) / t.fdLimit : 0)),
  'proc.vmsize': fromThread((t) => t.vmSizeKb),
  'proc.vmrss': fromThread((t) => t.vmRssKb),
  'proc.vmswap': fromThread((t) => t.vmSwapKb),
  'proc.nthreads': fromThread((t) => t.state.findThread(t.pid) === undefined ? 0 : countThreads(t, true)),
  'proc.nchilds': fromThread((t) => countThreads(t, false)),
  'proc.stdin.type': stdFd(0, fdTypeName),
  'proc.stdout.type': stdFd(1, fdTypeName),
  'proc.stderr.type': stdFd(2, fdTypeName),
  'proc.stdin.name': stdFd(0, (fd) => fd.name),
  'proc.stdout.name': stdFd(1, (fd) => fd.name),
  'proc.stderr.name': stdFd(2, (fd) => fd.name),
}; // prettier-ignore

function countThreads(thread: ThreadInfo, withMain: boolean): number {
  let count = 0;
  for (const other of thread.state.threadsOfProcess(thread.pid)) {
    if (!other.isDead && (withMain || !isMainThread(other))) count++;
  }
  return count;
}

function stdFd(fd: number, read: (info: FdInfo) => string) {
  return fromThread((t) => {
    const info = fdTableOf(t).get(fd);
    return info === undefined ? undefined : read(info);
  });
}

/** Thread fields. */
export const THREAD_VALUES: SyscallFieldValues = {
  'thread.tid': { extract: (event) => visibleId(event.tid) },
  'thread.vtid': fromThread((t) => (t.vtid === -1 ? undefined : t.vtid)),
  'thread.ismain': fromThread((t) => isMainThread(t)),
  'thread.nametid': fromThread((t, event) => `${t.comm}${event.tid}`),
  'thread.cap_permitted': fromThread((t) => capabilitiesText(t.capPermitted)),
  'thread.cap_inheritable': fromThread((t) => capabilitiesText(t.capInheritable)),
  'thread.cap_effective': fromThread((t) => capabilitiesText(t.capEffective)),
  'thread.pfmajor': fromThread((t) => t.pageFaultsMajor),
  'thread.pfminor': fromThread((t) => t.pageFaultsMinor),
  'thread.vmsize': fromThread((t) => (isMainThread(t) ? t.vmSizeKb : 0)),
  'thread.vmrss': fromThread((t) => (isMainThread(t) ? t.vmRssKb : 0)),
  'thread.vmsize.b': fromThread((t) => (isMainThread(t) ? t.vmSizeKb * 1024 : 0)),
  'thread.vmrss.b': fromThread((t) => (isMainThread(t) ? t.vmRssKb * 1024 : 0)),
  'thread.cgroups': fromThread((t) =>
    t.cgroups.length === 0 ? undefined : t.cgroups.map(([name, path]) => `${name}=${path}`).join(' '),
  ),
  'thread.cgroup': fromThread((t, _event, argument) => t.cgroups.find(([name]) => name === argument)?.[1]),
}; // prettier-ignore
