/**
 * Fd-list blocks: the file descriptors one thread had open when the capture started. Each
 * entry is fd number, inode, a `scap_fd_type` byte and the per-type data (addresses and
 * ports for sockets, open flags and device for files, a name for the rest).
 */
import { BlockCursor } from './block-cursor.js';
import { FD_LIST_BLOCK_V2 } from './block-types.js';
import { FD_TYPE_NAMES, type FdRecord, type RecordSink } from './records.js';

const MAX_PATH = 1024;

function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** IPv6 bytes as eight full hex groups; consumers re-render as they need. */
function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

function readName(cursor: BlockCursor): string {
  const length = cursor.u16('fd name length');
  if (length >= MAX_PATH) cursor.fail(`fd name length ${length} exceeds ${MAX_PATH - 1}`);
  const bytes = cursor.slice(length, 'fd name');
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Read the type-specific part of an entry into `entry`. */
function readTypeData(cursor: BlockCursor, entry: FdRecord, entryEnd: number): void {
  switch (entry.typeCode) {
    case 3: // IPv4 socket
      entry.sourceAddress = ipv4Text(cursor.slice(4, 'source ip'));
      entry.destinationAddress = ipv4Text(cursor.slice(4, 'destination ip'));
      entry.sourcePort = cursor.u16('source port');
      entry.destinationPort = cursor.u16('destination port');
      entry.l4proto = cursor.u8('l4 protocol');
      return;
    case 5: // IPv4 server socket
      entry.sourceAddress = ipv4Text(cursor.slice(4, 'server ip'));
      entry.sourcePort = cursor.u16('server port');
      entry.l4proto = cursor.u8('l4 protocol');
      return;
    case 4: // IPv6 socket
      entry.sourceAddress = ipv6Text(cursor.slice(16, 'source ip'));
      entry.destinationAddress = ipv6Text(cursor.slice(16, 'destination ip'));
      entry.sourcePort = cursor.u16('source port');
      entry.destinationPort = cursor.u16('destination port');
      entry.l4proto = cursor.u8('l4 protocol');
      return;
    case 6: // IPv6 server socket
      entry.sourceAddress = ipv6Text(cursor.slice(16, 'server ip'));
      entry.sourcePort = cursor.u16('server port');
      entry.l4proto = cursor.u8('l4 protocol');
      return;
    case 8: // unix socket
      entry.unixSource = cursor.u64('unix source');
      entry.unixDestination = cursor.u64('unix destination');
      entry.name = readName(cursor);
      return;
    case 16: // file with open flags
      entry.openFlags = cursor.u32('open flags');
      entry.name = readName(cursor);
      if (entryEnd >= 0 && cursor.position + 4 <= entryEnd) entry.dev = cursor.u32('dev');
      return;
    case 0:
      return;
    default:
      if (entry.typeCode < FD_TYPE_NAMES.length) {
        entry.name = readName(cursor);
        return;
      }
      // A type from a newer writer: libscap keeps the fd with a placeholder name.
      entry.type = 'unsupported';
      entry.name = `unknown-type:[${entry.typeCode}]`;
  }
}

function readEntry(cursor: BlockCursor, tid: number, hasLength: boolean): FdRecord {
  const entryStart = cursor.position;
  const length = hasLength ? cursor.u32('fd entry length') : 0;
  const entryEnd = length > 0 ? entryStart + length : -1;
  if (entryEnd > cursor.end) cursor.fail(`fd entry length ${length} runs past its block`);
  const fd = cursor.i64('fd');
  const ino = cursor.u64('inode');
  const typeCode = cursor.u8('fd type');
  const type = FD_TYPE_NAMES[typeCode] ?? 'unsupported';
  const entry: FdRecord = {
    kind: 'fd',
    offset: cursor.blockOffset,
    tid,
    fd,
    ino,
    type,
    typeCode,
    name: '',
  };
  readTypeData(cursor, entry, entryEnd);
  if (entryEnd >= 0) {
    if (cursor.position > entryEnd) cursor.fail(`fd entry overruns its length ${length}`);
    cursor.position = entryEnd;
  }
  return entry;
}

/** Parse an fd-list block body: the owning thread id, then its entries. */
export function readFdList(cursor: BlockCursor, out: RecordSink<FdRecord>): void {
  const tid = cursor.i64('tid');
  const hasLength = cursor.blockType === FD_LIST_BLOCK_V2;
  while (cursor.remaining >= 4) out.push(readEntry(cursor, tid, hasLength));
}
