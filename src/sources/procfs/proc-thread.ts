/**
 * One thread from `/proc/PID/task/TID` as a process-list record, the way libscap's /proc scan
 * fills `scap_threadinfo`: ids and namespaces' ids from `status`, session, group, tty and
 * page faults from `stat`, credentials, capabilities, command line, working directory, root,
 * login uid, cgroups, fd limit and the executable's inode facts.
 *
 * LIMIT: overlayfs layers of the executable are not read; proc.is_exe_upper_layer and
 * proc.is_exe_lower_layer are false for processes started before Harrier.
 * @internal
 */
import type { ThreadRecord } from '../scap/index.js';
import { readBytes, readLink, readText, splitNul, statOf, statusFields } from './proc-files.js';
import { startTsOf, statFields } from './thread-start.js';

/** How the scan treats what it may not need: environments can be large and hold secrets. */
export interface ThreadReadOptions {
  /** Bytes of `environ` read per process; 0 (default) leaves environments empty. */
  envBytes: number;
  /** Host boot time, ns since the epoch, to turn `stat` start times into epoch times. */
  bootTimeNs: bigint;
  /** Controllers of the unified (v2) hierarchy, one cgroup entry each. */
  unifiedControllers: readonly string[];
}

/** libscap's PPM_CL_CLONE_FILES | PPM_CL_CLONE_THREAD, assumed for every non-main thread. */
const THREAD_FLAGS = (1 << 2) | (1 << 15);
const UNKNOWN_UID = 0xffffffff;

/** A thread record with the start time the process list cannot carry. */
export interface ProcThreadRecord extends ThreadRecord {
  /** Thread start time from `stat`, ns since the epoch; 0 when unknown. */
  startTs: bigint;
}

/** The numbers of a `Key: a b c` status line. */
function numbers(fields: Map<string, string>, key: string): number[] {
  return (fields.get(key) ?? '').split(/\s+/).filter(Boolean).map(Number);
}

function hexBig(fields: Map<string, string>, key: string): bigint {
  const text = fields.get(key);
  return text ? BigInt(`0x${text}`) : 0n;
}

/** `/proc/PID/cgroup` as `controller=path` entries; v2 lines get one per unified controller. */
export function cgroupEntries(text: string | undefined, unified: readonly string[]): string[] {
  const entries: string[] = [];
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    const [, , controllers, path] = match;
    const names = controllers === '' ? unified : controllers.split(',');
    for (const name of names) entries.push(`${name}=${path}`);
  }
  return entries;
}

/** The soft `Max open files` limit; -1 when unknown or unlimited. */
function fdLimit(limits: string | undefined): number {
  const match = /^Max open files\s+(\d+)/m.exec(limits ?? '');
  return match === null ? -1 : Number(match[1]);
}

interface ExeFacts {
  exeIno: bigint;
  exeInoCtime: bigint;
  exeInoMtime: bigint;
  exeWritable: boolean;
  exeFromMemfd: boolean;
}

/**
 * Inode, times and writability of the executable seen from the process's root. Writability
 * is libscap's rule for the owner; for others the mode bits stand in for its access check.
 */
function exeFacts(directory: string, exepath: string, uid: number, gid: number): ExeFacts {
  const info = statOf(`${directory}/exe`);
  const facts = {
    exeIno: 0n,
    exeInoCtime: 0n,
    exeInoMtime: 0n,
    exeWritable: false,
    exeFromMemfd: exepath.startsWith('/memfd:'),
  };
  if (info === undefined) return facts;
  const mode = Number(info.mode);
  const owner = Number(info.uid) === uid;
  // LIMIT: writability for non-owners comes from mode bits, not an access check as that user;
  // ACLs and read-only mounts are not seen, so proc.is_exe_writable may differ for such files.
  const writable =
    owner || uid === 0 || (Number(info.gid) === gid ? (mode & 0o020) !== 0 : (mode & 0o002) !== 0);
  return {
    ...facts,
    exeIno: info.ino,
    exeInoCtime: info.ctimeNs,
    exeInoMtime: info.mtimeNs,
    exeWritable: writable,
  };
}

/**
 * The record of thread `tid` of process `pid`, or undefined when it is a kernel thread (no
 * command line and no executable) or has gone away.
 */
export function readThread(
  pid: number,
  tid: number,
  options: ThreadReadOptions,
): ProcThreadRecord | undefined {
  const directory = pid === tid ? `/proc/${pid}` : `/proc/${pid}/task/${tid}`;
  const statusText = readText(`${directory}/status`);
  if (statusText === undefined) return undefined;
  const args = splitNul(readBytes(`${directory}/cmdline`));
  const exepath = readLink(`${directory}/exe`);
  if (args.length === 0 && exepath === undefined) return undefined;

  const status = statusFields(statusText);
  const stat = statFields(readText(`${directory}/stat`));
  const uid = numbers(status, 'Uid')[1] ?? UNKNOWN_UID;
  const gid = numbers(status, 'Gid')[1] ?? UNKNOWN_UID;
  const nsPid = numbers(status, 'NSpid');
  const nsTgid = numbers(status, 'NStgid');
  const nsPgid = numbers(status, 'NSpgid');
  const loginuid = Number(readText(`${directory}/loginuid`)?.trim() ?? UNKNOWN_UID);
  const pidnsInit = statOf(`${directory}/root/proc/1/cmdline`);

  return {
    kind: 'thread', offset: 0, version: 9, tid, pid: numbers(status, 'Tgid')[0] ?? pid,
    ptid: numbers(status, 'PPid')[0] ?? -1, sid: Number(stat[3] ?? 0),
    vpgid: nsPgid.length >= 2 ? nsPgid[nsPgid.length - 1] : 0,
    pgid: nsPgid.length >= 1 ? nsPgid[0] : Number(stat[2] ?? -1),
    comm: (readText(`${directory}/comm`) ?? '').replace(/\n$/, ''),
    exe: args[0] ?? '', exepath: exepath ?? '', args: args.slice(1),
    env: options.envBytes > 0 ? splitNul(readBytes(`/proc/${pid}/environ`, options.envBytes)) : [],
    cwd: readLink(`${directory}/cwd`) ?? '', fdlimit: fdLimit(readText(`/proc/${pid}/limits`)),
    flags: pid === tid ? 0 : THREAD_FLAGS, uid, gid,
    loginuid: Number.isFinite(loginuid) ? loginuid : UNKNOWN_UID,
    vmsizeKb: numbers(status, 'VmSize')[0] ?? 0, vmrssKb: numbers(status, 'VmRSS')[0] ?? 0,
    vmswapKb: numbers(status, 'VmSwap')[0] ?? 0, pageFaultsMajor: Number(stat[9] ?? 0),
    pageFaultsMinor: Number(stat[7] ?? 0),
    vtid: nsPid.length > 0 ? nsPid[nsPid.length - 1] : tid, vpid: nsTgid.length > 0 ? nsTgid[nsTgid.length - 1] : pid,
    cgroups: cgroupEntries(readText(`${directory}/cgroup`), options.unifiedControllers),
    root: readLink(`${directory}/root`) ?? '/', pidnsInitStartTimestamp: pidnsInit?.ctimeNs ?? 0n,
    tty: Number(stat[4] ?? 0), exeUpperLayer: false, exeLowerLayer: false,
    capInheritable: hexBig(status, 'CapInh'), capPermitted: hexBig(status, 'CapPrm'),
    capEffective: hexBig(status, 'CapEff'), ...exeFacts(directory, exepath ?? '', uid, gid),
    startTs: startTsOf(stat, options.bootTimeNs),
  }; // prettier-ignore
}
