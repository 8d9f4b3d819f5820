/**
 * The `.scap` writer: a section header, the capture's host and process tables (machine info,
 * interfaces, users and groups, process list V9, fd lists V2), then event blocks, streamed to
 * a file (optionally gzip) or any writable stream. What it writes reads back through
 * `readScapRecords` record for record and through today's libscap; sysdig 0.29's libscap reads
 * only the `legacy` layout.
 *
 * Two layouts of the process list exist. `current` writes every field today's libs write;
 * `legacy` writes the entry as libs before 0.10 did (sysdig 0.29 reads that one exactly: in
 * the current layout it would take the pidns start time for the login uid), leaving out the
 * pidns start time, tty, exe inode facts and pgid. `legacy` also writes fd types that libs
 * before 0.10 do not know (bpf, userfaultfd, io_uring, memfd, pidfd) as `unsupported`.
 *
 * @example
 * const writer = await ScapWriter.create('live.scap.gz', { threads, fds, users, groups });
 * for await (const record of probe) {
 *   if (record.kind === 'event' && !writer.writeEvent(record)) await writer.drain();
 * }
 * await writer.close();
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BYTE_ORDER_MAGIC, SECTION_HEADER_BLOCK } from './block-types.js';
import type {
  EventRecord,
  FdRecord,
  FdTypeName,
  GroupRecord,
  InterfaceRecord,
  MachineRecord,
  ScapRecord,
  ThreadRecord,
  UserRecord,
} from './records.js';
import { FD_TYPE_NAMES } from './records.js';
import {
  BlockEncoder,
  encodeIpv4,
  encodeIpv6,
  encodeStringList,
  textBytes,
} from './scap-encoding.js';

/** Process-list layout; see the module comment. */
export type ScapLayout = 'current' | 'legacy';

type Plain<T> = Omit<T, 'kind' | 'offset'>;

/** The capturing host; fields left out are written as 0 or empty. */
type ScapMachine = Partial<Plain<MachineRecord>>;
/** A thread alive when the capture starts; fields left out take libscap's "unknown" values. */
export type ScapThread = Partial<Omit<Plain<ThreadRecord>, 'version'>> & { tid: number };
/** An fd open in `tid` when the capture starts (`tid` must be in the thread list). */
export type ScapFd = Partial<Omit<Plain<FdRecord>, 'typeCode'>> & {
  tid: number;
  fd: number;
  type: FdTypeName;
};
type ScapInterface = Omit<Plain<InterfaceRecord>, 'linkSpeed'> & { linkSpeed?: bigint };
type ScapUser = Plain<UserRecord>;
type ScapGroup = Plain<GroupRecord>;

/** The tables written before the first event; every one is optional. */
export interface ScapHeader {
  machine?: ScapMachine;
  interfaces?: readonly ScapInterface[];
  users?: readonly ScapUser[];
  groups?: readonly ScapGroup[];
  threads?: readonly ScapThread[];
  fds?: readonly ScapFd[];
}

/**
 * One event to write. `ProbeEventRecord`s fit as they are. The event header's `len` field
 * (bytes 16-19) says how many bytes of `rawBytes` are written.
 */
export interface ScapEventInput {
  /** libscap event: ts u64, tid i64, len u32, type u16, [nparams u32], lengths, values. */
  rawBytes: Uint8Array;
  /** Capturing CPU; default 0. */
  cpu?: number;
  /** When set, the event goes in an event-with-flags block carrying these 32 bits. */
  flags?: number;
  /** False for V1 events, whose header has no parameter count; default true. */
  hasParamCount?: boolean;
  /** Use a large block (events with 32-bit parameter lengths); default: only when needed. */
  large?: boolean;
}

export interface ScapWriterOptions {
  /** Compress with gzip; default: when the path ends in `.gz`. Ignored for a stream target. */
  gzip?: boolean;
  /** Default `current`. */
  layout?: ScapLayout;
  /** Bytes gathered before one write to the stream; default 1 MiB. */
  bufferSize?: number;
}

/** libscap's non-large event blocks must fit its 64 KiB read buffer (block header excluded). */
const MAX_SMALL_BLOCK_BODY = 65536;
const V2_HEADER_SIZE = 26;
const V1_HEADER_SIZE = 22;
const MAX_PATH = 1024;
const MAX_LIST = 4096;
/** Fd and interface names must stay below libscap's 1024-byte buffer. */
const MAX_FD_NAME = 1023;
const MAX_CREDENTIAL = 255;
/** `scap_fd_type` values libs before 0.10 know: up to FILE_V2. */
const LEGACY_FD_TYPE_LIMIT = 16;
const UNSUPPORTED_FD_TYPE = 10;

const EVENT_BLOCK = { plain: 0x204, plainV2: 0x216, plainLarge: 0x221 } as const;
const FLAGS_BLOCK = { plain: 0x208, plainV2: 0x217, plainLarge: 0x222 } as const;

function sectionHeader(): Uint8Array {
  const block = new BlockEncoder(SECTION_HEADER_BLOCK);
  block.u32(BYTE_ORDER_MAGIC).u16(1).u16(2).i64(-1);
  return block.finish();
}

function machineInfo(machine: ScapMachine): Uint8Array {
  const block = new BlockEncoder(0x201);
  block
    .u32(machine.cpuCount ?? 0)
    .u64(machine.memorySizeBytes ?? 0n)
    .u64(machine.maxPid ?? 0n);
  block.fixedText(machine.hostname ?? '', 128);
  block
    .u64(machine.bootTimestamp ?? 0n)
    .u64(machine.flags ?? 0n)
    .u64(0n)
    .u64(0n);
  return block.finish();
}

function interfaceList(interfaces: readonly ScapInterface[]): Uint8Array {
  const block = new BlockEncoder(0x219);
  for (const entry of interfaces) {
    const isInet = entry.family === 'inet';
    const encode = isInet ? encodeIpv4 : encodeIpv6;
    const name = textBytes(entry.name, MAX_FD_NAME);
    const lengthAt = block.reserveU32();
    block.u16(isInet ? 1 : 2).u16(name.length);
    block.bytes(encode(entry.address)).bytes(encode(entry.netmask));
    block
      .bytes(encode(entry.broadcast))
      .u64(entry.linkSpeed ?? 0n)
      .bytes(name);
    // Interface entry lengths leave out the length field itself.
    block.patchU32(lengthAt, block.length - lengthAt - 4);
  }
  return block.finish();
}

function userList(users: readonly ScapUser[], groups: readonly ScapGroup[]): Uint8Array {
  const block = new BlockEncoder(0x220);
  for (const user of users) {
    const lengthAt = block.reserveU32();
    block.u8(0).u32(user.uid).u32(user.gid);
    block.text16(user.name, MAX_CREDENTIAL).text16(user.homedir, MAX_CREDENTIAL);
    block.text16(user.shell, MAX_CREDENTIAL);
    block.patchU32(lengthAt, block.length - lengthAt);
  }
  for (const group of groups) {
    const lengthAt = block.reserveU32();
    block.u8(1).u32(group.gid).text16(group.name, MAX_CREDENTIAL);
    block.patchU32(lengthAt, block.length - lengthAt);
  }
  return block.finish();
}

function writeThreadBase(block: BlockEncoder, thread: ScapThread): void {
  const pid = thread.pid ?? thread.tid;
  block
    .i64(thread.tid)
    .i64(pid)
    .i64(thread.ptid ?? 0)
    .i64(thread.sid ?? -1);
  block.i64(thread.vpgid ?? -1);
  block.text16(thread.comm ?? '', MAX_PATH).text16(thread.exe ?? '', MAX_PATH);
  block.text16(thread.exepath ?? '', MAX_PATH);
  block.bytes16(encodeStringList(thread.args ?? [], MAX_LIST));
  block.text16(thread.cwd ?? '', MAX_PATH);
  block
    .i64(thread.fdlimit ?? 0)
    .u32(thread.flags ?? 0)
    .u32(thread.uid ?? 0)
    .u32(thread.gid ?? 0);
  block
    .u32(thread.vmsizeKb ?? 0)
    .u32(thread.vmrssKb ?? 0)
    .u32(thread.vmswapKb ?? 0);
  block.i64(thread.pageFaultsMajor ?? 0).i64(thread.pageFaultsMinor ?? 0);
  block.bytes16(encodeStringList(thread.env ?? [], MAX_LIST));
  block.i64(thread.vtid ?? thread.tid).i64(thread.vpid ?? pid);
  block.bytes16(encodeStringList(thread.cgroups ?? [], MAX_LIST));
  block.text16(thread.root ?? '/', MAX_PATH);
}

function writeThreadTail(block: BlockEncoder, thread: ScapThread, layout: ScapLayout): void {
  const isCurrent = layout === 'current';
  if (isCurrent) block.u64(thread.pidnsInitStartTimestamp ?? 0n).u32(thread.tty ?? 0);
  block.u32(thread.loginuid ?? 0xffffffff).u8(thread.exeWritable ? 1 : 0);
  block.u64(thread.capInheritable ?? 0n).u64(thread.capPermitted ?? 0n);
  block.u64(thread.capEffective ?? 0n);
  if (!isCurrent) return;
  block.u8(thread.exeUpperLayer ? 1 : 0).u64(thread.exeIno ?? 0n);
  block.u64(thread.exeInoCtime ?? 0n).u64(thread.exeInoMtime ?? 0n);
  block.u8(thread.exeFromMemfd ? 1 : 0).u8(thread.exeLowerLayer ? 1 : 0);
  block.i64(thread.pgid ?? -1);
}

function procList(threads: readonly ScapThread[], layout: ScapLayout): Uint8Array {
  const block = new BlockEncoder(0x215);
  for (const thread of threads) {
    const lengthAt = block.reserveU32();
    writeThreadBase(block, thread);
    writeThreadTail(block, thread, layout);
    block.patchU32(lengthAt, block.length - lengthAt);
  }
  return block.finish();
}

function fdTypeCode(fd: ScapFd, layout: ScapLayout): number {
  const code = FD_TYPE_NAMES.indexOf(fd.type);
  if (code < 0) throw new RangeError(`unknown fd type '${fd.type}' for fd ${fd.fd}`);
  return layout === 'legacy' && code > LEGACY_FD_TYPE_LIMIT ? UNSUPPORTED_FD_TYPE : code;
}

function writeFdData(block: BlockEncoder, fd: ScapFd, code: number): void {
  const name = fd.name ?? '';
  switch (code) {
    case 3:
    case 4: {
      const encode = code === 3 ? encodeIpv4 : encodeIpv6;
      block.bytes(encode(fd.sourceAddress ?? '')).bytes(encode(fd.destinationAddress ?? ''));
      block
        .u16(fd.sourcePort ?? 0)
        .u16(fd.destinationPort ?? 0)
        .u8(fd.l4proto ?? 0);
      return;
    }
    case 5:
    case 6: {
      const encode = code === 5 ? encodeIpv4 : encodeIpv6;
      block
        .bytes(encode(fd.sourceAddress ?? ''))
        .u16(fd.sourcePort ?? 0)
        .u8(fd.l4proto ?? 0);
      return;
    }
    case 8:
      block
        .u64(fd.unixSource ?? 0n)
        .u64(fd.unixDestination ?? 0n)
        .text16(name, MAX_FD_NAME);
      return;
    case 16:
      block
        .u32(fd.openFlags ?? 0)
        .text16(name, MAX_FD_NAME)
        .u32(fd.dev ?? 0);
      return;
    default:
      block.text16(name, MAX_FD_NAME);
  }
}

/** One fd-list block per thread, in the order the threads' fds first appear. */
function fdLists(fds: readonly ScapFd[], layout: ScapLayout): Uint8Array[] {
  const byThread = new Map<number, ScapFd[]>();
  for (const fd of fds) {
    // libscap never writes fds of unknown type: they carry nothing to read back.
    if (fd.type === 'unknown') continue;
    const list = byThread.get(fd.tid);
    if (list === undefined) byThread.set(fd.tid, [fd]);
    else list.push(fd);
  }
  return [...byThread].map(([tid, list]) => {
    const block = new BlockEncoder(0x218);
    block.i64(tid);
    for (const fd of list) {
      const code = fdTypeCode(fd, layout);
      const lengthAt = block.reserveU32();
      block
        .i64(fd.fd)
        .u64(fd.ino ?? 0n)
        .u8(code);
      writeFdData(block, fd, code);
      block.patchU32(lengthAt, block.length - lengthAt);
    }
    return block.finish();
  });
}

/**
 * The blocks that open a capture, in the order libscap writes them: section header, machine
 * info, interfaces, users, process list, fd lists. Throws `RangeError` for an fd whose thread
 * is not in `header.threads` (libscap refuses such a capture) or of an unknown type.
 */
function encodeScapHeader(header: ScapHeader, layout: ScapLayout = 'current'): Uint8Array[] {
  const threads = header.threads ?? [];
  const known = new Set(threads.map((thread) => thread.tid));
  for (const fd of header.fds ?? []) {
    if (!known.has(fd.tid))
      throw new RangeError(`fd ${fd.fd} belongs to unlisted thread ${fd.tid}`);
  }
  const blocks = [sectionHeader()];
  if (header.machine !== undefined) blocks.push(machineInfo(header.machine));
  if (header.interfaces?.length) blocks.push(interfaceList(header.interfaces));
  if (header.users?.length || header.groups?.length) {
    blocks.push(userList(header.users ?? [], header.groups ?? []));
  }
  if (threads.length > 0) blocks.push(procList(threads, layout));
  blocks.push(...fdLists(header.fds ?? [], layout));
  return blocks;
}

/**
 * The tables of a capture's records (machine, interface, user, group, thread and fd records;
 * others are ignored), ready to be written again.
 */
export function scapHeaderOf(records: Iterable<ScapRecord>): ScapHeader {
  let machine: ScapMachine | undefined;
  const interfaces: ScapInterface[] = [];
  const users: ScapUser[] = [];
  const groups: ScapGroup[] = [];
  const threads: ScapThread[] = [];
  const fds: ScapFd[] = [];
  for (const record of records) {
    if (record.kind === 'machine') machine = record;
    else if (record.kind === 'interface') interfaces.push(record);
    else if (record.kind === 'user') users.push(record);
    else if (record.kind === 'group') groups.push(record);
    else if (record.kind === 'thread') threads.push(record);
    else if (record.kind === 'fd') fds.push(record);
  }
  return { machine, interfaces, users, groups, threads, fds };
}

/** Event-with-flags block types. */
const FLAGS_BLOCK_TYPES: ReadonlySet<number> = new Set(Object.values(FLAGS_BLOCK));

/**
 * The writer's input for an event record read from a capture: the same bytes, CPU, flags
 * (when it was in an event-with-flags block) and header version. The bytes are copied.
 */
export function eventInputOf(record: EventRecord): ScapEventInput {
  const length = record.view.getUint32(record.start + 16, true);
  const event: ScapEventInput = {
    rawBytes: record.bytes.slice(record.start, record.start + length),
    cpu: record.cpu,
    hasParamCount: record.hasParamCount,
  };
  if (FLAGS_BLOCK_TYPES.has(record.blockType)) event.flags = record.flags;
  return event;
}

/** Bytes of the event block for `event`, or throws `RangeError` for a malformed event. */
function eventBlockSize(event: ScapEventInput): number {
  return (12 + eventBodyPrefix(event) + eventLength(event) + 3) & ~3;
}

function eventLength(event: ScapEventInput): number {
  const bytes = event.rawBytes;
  const minimum = event.hasParamCount === false ? V1_HEADER_SIZE : V2_HEADER_SIZE;
  if (bytes.length < minimum) throw new RangeError(`event of ${bytes.length} bytes has no header`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(16, true);
  if (length < minimum || length > bytes.length) {
    throw new RangeError(`event length field ${length} does not fit its ${bytes.length} bytes`);
  }
  return length;
}

function eventBodyPrefix(event: ScapEventInput): number {
  return event.flags === undefined ? 2 : 6;
}

function eventBlockType(event: ScapEventInput, blockSize: number): number {
  const types = event.flags === undefined ? EVENT_BLOCK : FLAGS_BLOCK;
  if (event.hasParamCount === false) return types.plain;
  const isLarge = event.large === true || blockSize - 8 > MAX_SMALL_BLOCK_BODY;
  return isLarge ? types.plainLarge : types.plainV2;
}

/**
 * Writes the event block for `event` into `target` at `at` (which must have
 * `eventBlockSize(event)` bytes free) and returns the block's size.
 */
function encodeEventBlock(event: ScapEventInput, target: Uint8Array, at: number): number {
  const length = eventLength(event);
  const size = (12 + eventBodyPrefix(event) + length + 3) & ~3;
  const view = new DataView(target.buffer, target.byteOffset, target.length);
  view.setUint32(at, eventBlockType(event, size), true);
  view.setUint32(at + 4, size, true);
  view.setUint16(at + 8, event.cpu ?? 0, true);
  let position = at + 10;
  if (event.flags !== undefined) {
    view.setUint32(position, event.flags >>> 0, true);
    position += 4;
  }
  target.set(event.rawBytes.subarray(0, length), position);
  target.fill(0, position + length, at + size - 4);
  view.setUint32(at + size - 4, size, true);
  return size;
}

interface Sink {
  stream: Writable;
  /** Resolves once everything reached its destination; rejects with the stream's error. */
  done: Promise<void>;
  gzip?: ReturnType<typeof createGzip>;
  /** The file behind `gzip`. */
  file?: Writable;
}

async function openSink(target: string | Writable, options: ScapWriterOptions): Promise<Sink> {
  if (typeof target !== 'string') return { stream: target, done: finished(target) };
  // Only Harrier's user may read it: a capture holds command lines, environments and paths.
  const file = createWriteStream(target, { mode: 0o600 });
  try {
    await once(file, 'open');
  } catch (error) {
    throw new Error(`cannot create capture ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!(options.gzip ?? target.endsWith('.gz'))) return { stream: file, done: finished(file) };
  const gzip = createGzip();
  return { stream: gzip, done: pipeline(gzip, file), gzip, file };
}

/** What a closed writer wrote. */
export interface ScapWriterSummary {
  events: number;
  /** Uncompressed bytes, header blocks included. */
  bytes: number;
}

/**
 * A capture being written. The header tables go out when it is created; events follow one
 * block each, gathered in a buffer and handed to the stream in large writes. `writeEvent`
 * returns false when the stream is backed up: await `drain()` before writing more, as with a
 * Node stream. Nothing is safe on disk until `flush()` or `close()` resolves.
 */
export class ScapWriter {
  private buffer: Uint8Array;
  private used = 0;
  private failure: Error | undefined;
  private events = 0;
  private bytes = 0;

  private constructor(
    private readonly sink: Sink,
    private readonly bufferSize: number,
  ) {
    this.buffer = new Uint8Array(bufferSize);
    sink.stream.on('error', (error: Error) => (this.failure ??= error));
    sink.done.catch((error: Error) => (this.failure ??= error));
  }

  /**
   * Opens `target` (a path, or a stream the writer ends on `close`) and writes the section
   * header and `header`'s tables. Throws `RangeError` for an inconsistent header (see
   * `encodeScapHeader`) before anything is created, and an error with `cause` when the file
   * cannot be created.
   */
  static async create(
    target: string | Writable,
    header: ScapHeader = {},
    options: ScapWriterOptions = {},
  ): Promise<ScapWriter> {
    const blocks = encodeScapHeader(header, options.layout ?? 'current');
    const writer = new ScapWriter(await openSink(target, options), options.bufferSize ?? 1 << 20);
    for (const block of blocks) writer.pushBytes(block);
    return writer;
  }

  /** Events written so far. */
  get eventCount(): number {
    return this.events;
  }

  /**
   * Appends one event block. Returns false when the caller should await `drain()` first.
   * Throws `RangeError` for an event whose length field does not fit its bytes, and the
   * stream's error once the stream has failed.
   */
  writeEvent(event: ScapEventInput): boolean {
    if (this.failure !== undefined) throw this.failure;
    const size = eventBlockSize(event);
    if (this.used + size > this.buffer.length) this.handOver(size);
    this.used += encodeEventBlock(event, this.buffer, this.used);
    this.events++;
    return !this.isBackedUp;
  }

  /**
   * Whether the stream is backed up, so that the caller should await `drain()`. The stream's
   * own flag: a hand-over by `flush()` can back it up and see it drain while no one waits.
   */
  get isBackedUp(): boolean {
    return this.sink.stream.writableNeedDrain;
  }

  /** Resolves when the stream has room again (at once when it is not backed up). */
  async drain(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.isBackedUp) await once(this.sink.stream, 'drain');
  }

  /**
   * Hands the buffered events to the stream and, for gzip, ends the compressed block so that
   * a reader of the file so far sees every event written before this call.
   */
  async flush(): Promise<void> {
    this.handOver(0);
    const { gzip, file } = this.sink;
    if (gzip !== undefined && file !== undefined) {
      await new Promise<void>((resolve) => gzip.flush(() => resolve()));
      // The flushed bytes reach the file through the pipe on later turns: wait until the pipe
      // has handed them all over, then until the file has written them.
      while (gzip.readableLength > 0 && this.failure === undefined)
        await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => file.write(new Uint8Array(0), () => resolve()));
    } else {
      // A stream calls a write back once the writes before it are done: the file holds them.
      await new Promise<void>((resolve) =>
        this.sink.stream.write(new Uint8Array(0), () => resolve()),
      );
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes what is buffered, ends the stream and resolves once it is all written. */
  async close(): Promise<ScapWriterSummary> {
    this.handOver(0);
    this.sink.stream.end();
    await this.sink.done;
    if (this.failure !== undefined) throw this.failure;
    return { events: this.events, bytes: this.bytes };
  }

  private pushBytes(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.handOver(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Gives the filled buffer to the stream and starts a new one of at least `room` bytes. */
  private handOver(room: number): void {
    if (this.used > 0) {
      this.sink.stream.write(this.buffer.subarray(0, this.used));
      this.bytes += this.used;
      this.used = 0;
      this.buffer = new Uint8Array(Math.max(this.bufferSize, room));
    } else if (room > this.buffer.length) {
      this.buffer = new Uint8Array(room);
    }
  }
}
