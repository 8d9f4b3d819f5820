/**
 * Sockets of one network namespace, by inode, from the kernel's tables under
 * `/proc/PID/net/`: TCP, UDP and raw sockets (IPv4 and IPv6), unix, netlink and packet
 * sockets. A descriptor's link `socket:[INODE]` is looked up here to learn its addresses.
 * @internal
 */
import type { FdTypeName } from '../scap/index.js';
import { readText } from './proc-files.js';

/** libscap's `scap_l4_proto` numbers. */
const L4 = { tcp: 1, udp: 2, raw: 4 } as const;

/** What a socket table says of one socket, in the fd-list record's terms. */
export interface SocketEntry {
  type: FdTypeName;
  name: string;
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
  l4proto?: number;
  unixSource?: bigint;
  unixDestination?: bigint;
}

/** `0100007F` (kernel byte order) as `127.0.0.1`. */
export function ipv4FromHex(hex: string): string {
  const value = parseInt(hex, 16) >>> 0;
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24].join('.');
}

/**
 * 32 hex digits, four 32-bit words in kernel byte order, as eight hex groups without padding
 * (the fd-list reader's IPv6 text, which the state engine renders).
 */
export function ipv6FromHex(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const value = parseInt(hex.slice(word * 8, word * 8 + 8), 16) >>> 0;
    bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

function isZeroAddress(hex: string): boolean {
  return /^0+$/.test(hex);
}

/** Rows of a table, header line dropped, split on whitespace. */
function rows(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((row) => row.length > 1);
}

/**
 * tcp/udp/raw tables: `sl local rem st ... uid timeout inode`. A socket with no remote end is
 * a server socket (its own address only), as libscap reads them.
 */
function readInetTable(
  text: string | undefined,
  family: 4 | 6,
  l4proto: number,
  into: Map<bigint, SocketEntry>,
): void {
  const address = family === 4 ? ipv4FromHex : ipv6FromHex;
  for (const row of rows(text)) {
    const [localHex, localPort] = row[1].split(':');
    const [remoteHex, remotePort] = row[2].split(':');
    const inode = BigInt(row[9] ?? '0');
    if (inode === 0n) continue;
    const sourcePort = parseInt(localPort, 16);
    const destinationPort = parseInt(remotePort, 16);
    if (isZeroAddress(remoteHex) && destinationPort === 0) {
      const type = family === 4 ? 'ipv4_server' : 'ipv6_server';
      into.set(inode, { type, name: '', sourceAddress: address(localHex), sourcePort, l4proto });
      continue;
    }
    into.set(inode, {
      type: family === 4 ? 'ipv4' : 'ipv6',
      name: '',
      sourceAddress: address(localHex),
      sourcePort,
      destinationAddress: address(remoteHex),
      destinationPort,
      l4proto,
    });
  }
}

/** `Num RefCount Protocol Flags Type St Inode [Path]`; Num is the kernel address (often 0). */
function readUnixTable(text: string | undefined, into: Map<bigint, SocketEntry>): void {
  for (const row of rows(text)) {
    const inode = BigInt(row[6] ?? '0');
    const source = BigInt(`0x${row[0].replace(/:$/, '') || '0'}`);
    into.set(inode, { type: 'unix', name: row[7] ?? '', unixSource: source, unixDestination: 0n });
  }
}

/** netlink (`... Inode` last) and packet (`... User Inode` last) tables. */
function readLastColumnTable(
  text: string | undefined,
  type: FdTypeName,
  into: Map<bigint, SocketEntry>,
): void {
  for (const row of rows(text)) {
    const inode = BigInt(row[row.length - 1]);
    if (!into.has(inode)) into.set(inode, { type, name: '' });
  }
}

/**
 * Every socket of the network namespace `/proc/PID/net` shows, by inode. Tables that cannot
 * be read (a kernel without IPv6) are skipped.
 */
export function readSocketTables(netDirectory: string): Map<bigint, SocketEntry> {
  const sockets = new Map<bigint, SocketEntry>();
  const read = (name: string) => readText(`${netDirectory}/${name}`);
  readInetTable(read('tcp'), 4, L4.tcp, sockets);
  readInetTable(read('udp'), 4, L4.udp, sockets);
  readInetTable(read('raw'), 4, L4.raw, sockets);
  readInetTable(read('tcp6'), 6, L4.tcp, sockets);
  readInetTable(read('udp6'), 6, L4.udp, sockets);
  readInetTable(read('raw6'), 6, L4.raw, sockets);
  readUnixTable(read('unix'), sockets);
  readLastColumnTable(read('netlink'), 'netlink', sockets);
  // libsinsp keeps packet sockets as fds of unknown type: they have no addresses to show.
  readLastColumnTable(read('packet'), 'unknown', sockets);
  return sockets;
}
