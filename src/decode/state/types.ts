/**
 * Thread and file-descriptor state, as the state engine keeps it. The state engine owns these
 * shapes; the field table reads them.
 */

export interface ThreadInfo {
  tid: number;
  /** Thread group id: the process id (`proc.pid`). */
  pid: number;
  ppid: number;
  /** Executable name (`proc.name`), the comm. */
  comm: string;
  /** `proc.exe`: argv[0] as the process gave it. */
  exe: string;
  /** `proc.exepath`: the full path of the executable. */
  exePath: string;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  loginUid: number;
  sid: number;
  vpgid: number;
  tty: number;
  /** Start time in nanoseconds since the epoch. */
  cloneTs: bigint;
  containerId: string;
  fds: Map<number, FdInfo>;
}

/** File-descriptor kinds with libsinsp's one-letter `fd.typechar`. */
export type FdKind =
  | 'file'
  | 'directory'
  | 'ipv4'
  | 'ipv6'
  | 'unix'
  | 'pipe'
  | 'event'
  | 'signalfd'
  | 'eventpoll'
  | 'inotify'
  | 'timerfd'
  | 'netlink'
  | 'bpf'
  | 'userfaultfd'
  | 'io_uring'
  | 'memfd'
  | 'pidfd'
  | 'unknown';

export interface FdInfo {
  kind: FdKind;
  /** `fd.name`: path for files, tuple text for sockets. */
  name: string;
  openFlags: number;
  /** Sockets: local and remote ends. */
  clientAddress?: string;
  clientPort?: number;
  serverAddress?: string;
  serverPort?: number;
  l4Protocol?: 'tcp' | 'udp' | 'icmp' | 'raw';
  device?: number;
  inode?: bigint;
}
