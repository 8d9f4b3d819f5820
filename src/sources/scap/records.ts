/**
 * What the `.scap` reader yields: one typed record per section header, machine description,
 * process-list entry, fd-list entry, interface, user, group and event, in file order. Event
 * records stay raw bytes; `decode/event-decoder.ts` turns them into `SyscallEvent`s.
 */

/** A capture that cannot be read on: says where (byte offset) and in which block. */
export class ScapFormatError extends Error {
  /** What is wrong, without the position. */
  readonly reason: string;
  /** Offset of the offending block's first byte, counted in the uncompressed stream. */
  readonly offset: number;
  /** The block's type number, or undefined when its header could not be read. */
  readonly blockType: number | undefined;
  /** Whether the capture is a gzip file: the message then says the offset is uncompressed. */
  readonly uncompressed: boolean;

  constructor(
    reason: string,
    offset: number,
    blockType?: number,
    options?: ErrorOptions & { uncompressed?: boolean },
  ) {
    const where = blockType === undefined ? '' : ` in block 0x${blockType.toString(16)}`;
    const uncompressed = options?.uncompressed === true;
    super(`${reason} at ${uncompressed ? 'uncompressed ' : ''}byte ${offset}${where}`, options);
    this.name = 'ScapFormatError';
    this.reason = reason;
    this.offset = offset;
    this.blockType = blockType;
    this.uncompressed = uncompressed;
  }

  /** This error, its offset said to count bytes of a gzip file's uncompressed stream. */
  inUncompressedStream(): ScapFormatError {
    if (this.uncompressed) return this;
    const options = { cause: this.cause, uncompressed: true };
    return new ScapFormatError(this.reason, this.offset, this.blockType, options);
  }
}

/**
 * A capture file that cannot be read at all or whose gzip stream is broken: the message says
 * what is wrong with the file (`no such file`,
 * `corrupt gzip data at compressed byte 120 (uncompressed byte 4096)`).
 */
export class CaptureFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CaptureFileError';
  }
}

interface SectionRecord {
  kind: 'section';
  offset: number;
  majorVersion: number;
  minorVersion: number;
  /** Section length as written; -1 means "unknown" in pcapng terms. */
  sectionLength: bigint;
}

export interface MachineRecord {
  kind: 'machine';
  offset: number;
  cpuCount: number;
  memorySizeBytes: bigint;
  maxPid: bigint;
  hostname: string;
  /** Host boot time, nanoseconds since the epoch; 0 when the capture predates the field. */
  bootTimestamp: bigint;
  flags: bigint;
}

/** One process-list entry: a thread alive when the capture started. */
export interface ThreadRecord {
  kind: 'thread';
  offset: number;
  /** Process-list block version, 1 to 9: what the entry could carry. */
  version: number;
  tid: number;
  pid: number;
  ptid: number;
  /** Session id; -1 before version 6. */
  sid: number;
  /** Process group id in the pid namespace; -1 before version 8. */
  vpgid: number;
  /** Process group id in the host namespace; -1 when the capture does not carry it. */
  pgid: number;
  comm: string;
  exe: string;
  /** Full executable path; empty before version 7. */
  exepath: string;
  args: string[];
  env: string[];
  cwd: string;
  fdlimit: number;
  /** libscap `PPM_CL_*` thread flags. */
  flags: number;
  uid: number;
  gid: number;
  /** Audit login uid; 0xffffffff when unknown or absent. */
  loginuid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pageFaultsMajor: number;
  pageFaultsMinor: number;
  /** Thread and process ids inside the pid namespace; -1 before version 4. */
  vtid: number;
  vpid: number;
  /** `subsystem=path` entries. */
  cgroups: string[];
  root: string;
  pidnsInitStartTimestamp: bigint;
  tty: number;
  exeWritable: boolean;
  exeUpperLayer: boolean;
  exeLowerLayer: boolean;
  exeFromMemfd: boolean;
  capInheritable: bigint;
  capPermitted: bigint;
  capEffective: bigint;
  exeIno: bigint;
  /** Executable inode change and modification times, nanoseconds since the epoch. */
  exeInoCtime: bigint;
  exeInoMtime: bigint;
}

/** libscap's `scap_fd_type` names, by number. */
export const FD_TYPE_NAMES = [
  'unknown', 'file', 'directory', 'ipv4', 'ipv6', 'ipv4_server', 'ipv6_server', 'fifo',
  'unix', 'event', 'unsupported', 'signalfd', 'eventpoll', 'inotify', 'timerfd', 'netlink',
  'file_v2', 'bpf', 'userfaultfd', 'io_uring', 'memfd', 'pidfd',
] as const; // prettier-ignore

export type FdTypeName = (typeof FD_TYPE_NAMES)[number];

/** One fd-list entry: a file descriptor open in `tid` when the capture started. */
export interface FdRecord {
  kind: 'fd';
  offset: number;
  tid: number;
  fd: number;
  ino: bigint;
  type: FdTypeName;
  /** The raw `scap_fd_type` number (types newer than this reader read as 'unsupported'). */
  typeCode: number;
  /** File or socket name; for unknown types `unknown-type:[N]` as libscap names them. */
  name: string;
  /** FILE_V2 only: `PPM_O_*` open flags and device number. */
  openFlags?: number;
  dev?: number;
  /** Sockets: addresses (text), ports and `scap_l4_proto` number. */
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
  l4proto?: number;
  /** Unix sockets: kernel addresses of both ends. */
  unixSource?: bigint;
  unixDestination?: bigint;
}

export interface InterfaceRecord {
  kind: 'interface';
  offset: number;
  family: 'inet' | 'inet6';
  name: string;
  address: string;
  netmask: string;
  broadcast: string;
  /** Link speed; 0 when the capture's entry has none. */
  linkSpeed: bigint;
}

export interface UserRecord {
  kind: 'user';
  offset: number;
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupRecord {
  kind: 'group';
  offset: number;
  gid: number;
  name: string;
}

/** An event block, undecoded: the event header and parameters are in `bytes`. */
export interface EventRecord {
  kind: 'event';
  offset: number;
  blockType: number;
  /** Capturing CPU (the block's device id). */
  cpu: number;
  /** 32-bit flags of event-with-flags blocks; 0 otherwise. */
  flags: number;
  /** Whether the header has the 32-bit parameter count (V2 and large blocks). */
  hasParamCount: boolean;
  /**
   * The chunk the event lies in: the event header and parameters are `bytes[start, end)`
   * (`end` is the end of the block body). Shared by every record of a chunk, with `view`,
   * so reading an event allocates no views.
   */
  bytes: Uint8Array;
  start: number;
  end: number;
  view: DataView;
}

/** A block this reader does not know (newer format), skipped whole. */
export interface UnknownBlockRecord {
  kind: 'unknown-block';
  offset: number;
  blockType: number;
  length: number;
}

export type ScapRecord =
  | SectionRecord
  | MachineRecord
  | ThreadRecord
  | FdRecord
  | InterfaceRecord
  | UserRecord
  | GroupRecord
  | EventRecord
  | UnknownBlockRecord;

/** Where block parsers put what they read: any array of a wider record type will do. */
export interface RecordSink<T> {
  push(record: T): unknown;
}
