/**
 * Thread and file-descriptor state, as the state engine keeps it and the field table reads it.
 * The shapes follow libsinsp's `sinsp_threadinfo` and `sinsp_fdinfo`: a thread belongs to a
 * thread group (its process, `pid`), threads share their main thread's fd table, cwd and
 * environment, and ancestors are found through `ptid` in the same table.
 */
import type { SyscallEvent } from '../event.js';
import type { ContainerInfo } from '../../sources/container-runtime/index.js';
import type { HealthProbeType } from '../../sources/container-runtime/health-probes.js';

/** libscap's `scap_fd_type`: what kind of object a descriptor refers to. */
export type FdKind =
  | 'unknown'
  | 'file'
  | 'directory'
  | 'ipv4'
  | 'ipv6'
  | 'ipv4_server'
  | 'ipv6_server'
  | 'fifo'
  | 'unix'
  | 'event'
  | 'unsupported'
  | 'signalfd'
  | 'eventpoll'
  | 'inotify'
  | 'timerfd'
  | 'netlink'
  | 'bpf'
  | 'userfaultfd'
  | 'io_uring'
  | 'memfd'
  | 'pidfd';

/** Transport protocol of a socket, as libscap's `scap_l4_proto`. */
export type L4Protocol = 'unknown' | 'tcp' | 'udp' | 'icmp' | 'raw';

/** Which end of a connection this process is, once libsinsp has decided. */
type SocketRole = 'none' | 'client' | 'server';

export interface FdInfo {
  kind: FdKind;
  /** `fd.name`: the normalised path for files, tuple text for sockets. */
  name: string;
  /** `fd.nameraw`: the path exactly as the call gave it. */
  nameRaw: string;
  /** libscap `PPM_O_*` open flags. */
  openFlags: number;
  device: number;
  inode: bigint;
  /**
   * Socket ends. For connected sockets `source*` is the client end and `destination*` the
   * server end (libsinsp's sip/sport and dip/dport); server sockets keep their bound address in
   * `source*`. Addresses are text, IPv6 in inet_ntop form.
   */
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
  l4Protocol: L4Protocol;
  role: SocketRole;
  isConnected: boolean;
  /** Unix sockets: kernel addresses of both ends. */
  unixSource?: bigint;
  unixDestination?: bigint;
  /** The name when the fd was last looked up; `fd.name_changed` compares against it. */
  oldName: string;
  /** pidfd: the process it refers to. */
  pid?: number;
  isOverlayUpper: boolean;
  isOverlayLower: boolean;
  /** Created by guess: a send on an fd the engine never saw created (assumed UDP). */
  inferredFromSend?: boolean;
}

/** A user or group entry, from a capture's user list or the live host. */
export interface UserInfo {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupInfo {
  gid: number;
  name: string;
}

/** What a thread needs from its table to answer ancestor, user and group questions. */
export interface StateView {
  /** The thread with `tid`, without creating one. */
  findThread(tid: number): ThreadInfo | undefined;
  user(uid: number): UserInfo | undefined;
  group(gid: number): GroupInfo | undefined;
  /** Whether `address` belongs to one of the capturing host's interfaces. */
  isLocalAddress(address: string): boolean;
  /** The local address a socket towards `destination` most likely has (interface guess). */
  inferLocalAddress(destination: string, family: 'inet' | 'inet6'): string | undefined;
  /** The threads of process `pid`, dead ones too, for counts over a process. */
  threadsOfProcess(pid: number): ThreadInfo[];
  /** Time of the stream's first event that is not a meta event, which `evt.reltime` counts from. */
  readonly firstEventTs: bigint | undefined;
  /** The capturing host's name from the machine block (`evt.hostname`); undefined when empty. */
  readonly machineHostname: string | undefined;
}

/**
 * Why a thread runs (libsinsp's `m_category`, see `thread-category.ts`): `container` for a
 * container's own process tree, a probe type for the processes of a container health check
 * or a Kubernetes liveness or readiness probe, `none` otherwise.
 */
export type ThreadCategory = 'none' | 'container' | HealthProbeType;

export interface ThreadInfo {
  tid: number;
  /**
   * Thread group id: the process id (`proc.pid`); -1 for a thread the engine knows nothing of.
   * Changed only with `ThreadTable.setPid`, which keeps the table's index of processes exact.
   */
  readonly pid: number;
  /**
   * Parent thread id; after a parent dies, its reaper. Changed only with
   * `ThreadTable.setParent`, which keeps the table's index of children exact.
   */
  readonly ptid: number;
  sid: number;
  vpgid: number;
  pgid: number;
  vtid: number;
  vpid: number;
  /** `proc.name`: the comm, at most 16 characters. */
  comm: string;
  /** `proc.exe`: argv[0] as the process gave it. */
  exe: string;
  /** `proc.exepath`: the full path of the executable. */
  exePath: string;
  args: string[];
  /** Environment; threads other than the main one read their main thread's. */
  env: string[];
  /** Working directory with a trailing '/'; threads other than the main one use the main's. */
  cwd: string;
  root: string;
  uid: number;
  gid: number;
  /** Audit login uid; 0xffffffff when unset. */
  loginUid: number;
  tty: number;
  /** libscap `PPM_CL_*` flags. */
  flags: number;
  fdLimit: number;
  /** Start time in nanoseconds since the epoch; 0 when unknown. */
  cloneTs: bigint;
  lastExecTs: bigint;
  pidnsInitStartTs: bigint;
  capInheritable: bigint;
  capPermitted: bigint;
  capEffective: bigint;
  exeIno: bigint;
  exeInoCtime: bigint;
  exeInoMtime: bigint;
  exeInoCtimeDurationCloneTs: bigint;
  exeInoCtimeDurationPidnsStart: bigint;
  exeWritable: boolean;
  exeUpperLayer: boolean;
  exeLowerLayer: boolean;
  exeFromMemfd: boolean;
  vmSizeKb: number;
  vmRssKb: number;
  vmSwapKb: number;
  pageFaultsMajor: bigint;
  pageFaultsMinor: bigint;
  /** `subsystem=path` pairs, in the order the kernel gave them. */
  cgroups: Array<[string, string]>;
  /**
   * The thread's container as the runtime describes it (name, image, labels), attached by the
   * live pipeline once fetched; undefined for the host and while unknown.
   */
  container?: ContainerInfo;
  /** Set at clone and exec by `identifyCategory`. */
  category: ThreadCategory;
  /** This thread's own fd table; threads other than the main one use the main's. */
  fds: Map<number, FdInfo>;
  /** The fd the current event concerns (libsinsp's `m_lastevent_fd`); -1 for none. */
  lastEventFd: number;
  /** Code of the last enter event, for pairing it with its exit. */
  lastEnterCode: number;
  /** Name of the last enter event, for pairing it with its exit. */
  lastEnterName: string;
  /** The last enter event whose data an exit may need (open, execve, connect). */
  lastEnter?: SyscallEvent;
  /** Whether `lastEnter` belongs to the exit being parsed. */
  lastEnterValid: boolean;
  /** Changed only with `ThreadTable.markDead` and `resurrect`, which keep its live counts. */
  readonly isDead: boolean;
  /** The table the thread lives in. */
  state: StateView;
}
