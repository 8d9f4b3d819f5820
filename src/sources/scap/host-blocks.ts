/**
 * Blocks that describe the capturing host: machine info, network interfaces, and the user and
 * group lists. Version-2 interface and user lists prefix each entry with its own length so
 * that later fields can be skipped by older readers.
 */
import { BlockCursor, decodeText } from './block-cursor.js';
import { INTERFACE_LIST_BLOCK_V2, USER_LIST_BLOCK_V2 } from './block-types.js';
import type {
  GroupRecord,
  InterfaceRecord,
  MachineRecord,
  RecordSink,
  UserRecord,
} from './records.js';

const MAX_CREDENTIAL_LENGTH = 256;
const MAX_INTERFACE_NAME = 1024;

/** Machine info: fields are read while the body has room (old writers wrote fewer). */
export function readMachineInfo(cursor: BlockCursor): MachineRecord {
  const has = (size: number): boolean => cursor.remaining >= size;
  const record: MachineRecord = {
    kind: 'machine', offset: cursor.blockOffset, cpuCount: 0, memorySizeBytes: 0n, maxPid: 0n,
    hostname: '', bootTimestamp: 0n, flags: 0n,
  }; // prettier-ignore
  if (has(4)) record.cpuCount = cursor.u32('cpu count');
  if (has(8)) record.memorySizeBytes = cursor.u64('memory size');
  if (has(8)) record.maxPid = cursor.u64('max pid');
  if (has(128)) record.hostname = decodeText(cursor.slice(128, 'hostname'));
  if (has(8)) record.bootTimestamp = cursor.u64('boot time');
  if (has(8)) record.flags = cursor.u64('flags');
  return record;
}

function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

/** One interface entry of type 1-4 (IPv4/IPv6, with or without link speed). */
function readInterface(cursor: BlockCursor, type: number, nameLength: number): InterfaceRecord {
  const isInet = type === 1 || type === 3;
  const addressSize = isInet ? 4 : 16;
  const text = isInet ? ipv4Text : ipv6Text;
  const address = text(cursor.slice(addressSize, 'interface address'));
  const netmask = text(cursor.slice(addressSize, 'interface netmask'));
  const broadcast = text(cursor.slice(addressSize, 'interface broadcast'));
  const linkSpeed = type <= 2 ? cursor.u64('link speed') : 0n;
  const name = decodeText(cursor.slice(nameLength, 'interface name'));
  const family = isInet ? 'inet' : 'inet6';
  return {
    kind: 'interface',
    offset: cursor.blockOffset,
    family,
    name,
    address,
    netmask,
    broadcast,
    linkSpeed,
  };
}

/** Parse an interface-list block body. */
export function readInterfaceList(cursor: BlockCursor, out: RecordSink<InterfaceRecord>): void {
  const hasLength = cursor.blockType === INTERFACE_LIST_BLOCK_V2;
  while (cursor.remaining >= 4) {
    const length = hasLength ? cursor.u32('interface entry length') : 0;
    const entryStart = cursor.position;
    const type = cursor.u16('interface type');
    const nameLength = cursor.u16('interface name length');
    if (type < 1 || type > 4) cursor.fail(`unknown interface type ${type}`);
    if (nameLength >= MAX_INTERFACE_NAME)
      cursor.fail(`interface name length ${nameLength} is invalid`);
    out.push(readInterface(cursor, type, nameLength));
    if (length > 0) {
      if (entryStart + length > cursor.end)
        cursor.fail(`interface entry length ${length} is invalid`);
      cursor.position = Math.max(cursor.position, entryStart + length);
    }
  }
}

function readCredentialText(cursor: BlockCursor, what: string): string {
  const length = cursor.u16(`${what} length`);
  if (length >= MAX_CREDENTIAL_LENGTH) cursor.fail(`${what} length ${length} is invalid`);
  return decodeText(cursor.slice(length, what));
}

function readUser(cursor: BlockCursor): UserRecord {
  const uid = cursor.u32('uid');
  const gid = cursor.u32('gid');
  const name = readCredentialText(cursor, 'user name');
  const homedir = readCredentialText(cursor, 'user homedir');
  const shell = readCredentialText(cursor, 'user shell');
  return { kind: 'user', offset: cursor.blockOffset, uid, gid, name, homedir, shell };
}

function readGroup(cursor: BlockCursor): GroupRecord {
  const gid = cursor.u32('gid');
  const name = readCredentialText(cursor, 'group name');
  return { kind: 'group', offset: cursor.blockOffset, gid, name };
}

/** Parse a user-list block body: users (type byte 0) and groups (any other type byte). */
export function readUserList(cursor: BlockCursor, out: RecordSink<UserRecord | GroupRecord>): void {
  const hasLength = cursor.blockType === USER_LIST_BLOCK_V2;
  while (cursor.remaining >= 4) {
    const entryStart = cursor.position;
    const length = hasLength ? cursor.u32('user entry length') : 0;
    const type = cursor.u8('user entry type');
    out.push(type === 0 ? readUser(cursor) : readGroup(cursor));
    if (length > 0) {
      const entryEnd = entryStart + length;
      if (entryEnd > cursor.end || cursor.position > entryEnd) {
        cursor.fail(`user entry length ${length} is invalid`);
      }
      cursor.position = entryEnd;
    }
  }
}
