/**
 * The host-wide tables a live capture starts with, as capture records: the machine (host name,
 * CPUs, memory, boot time), network interfaces, and users and groups from `/etc/passwd` and
 * `/etc/group`.
 * @internal
 */
import { cpus, networkInterfaces, totalmem } from 'node:os';
import { localHostname } from '../../host-name.js';
import type { GroupRecord, InterfaceRecord, MachineRecord, UserRecord } from '../scap/index.js';
import { readText } from './proc-files.js';

/** Boot time in ns since the epoch, from `btime` in `/proc/stat` (whole seconds). */
export function readBootTimeNs(): bigint {
  const match = /^btime\s+(\d+)/m.exec(readText('/proc/stat') ?? '');
  return match === null ? 0n : BigInt(match[1]) * 1_000_000_000n;
}

/** The machine record of this host. */
export function readMachine(bootTimestamp: bigint): MachineRecord {
  const maxPid = Number(readText('/proc/sys/kernel/pid_max')?.trim() ?? 0);
  return {
    kind: 'machine',
    offset: 0,
    cpuCount: cpus().length,
    memorySizeBytes: BigInt(totalmem()),
    maxPid: BigInt(Number.isFinite(maxPid) ? maxPid : 0),
    hostname: localHostname(),
    bootTimestamp,
    flags: 0n,
  };
}

/** One record per interface address. */
export function readInterfaces(): InterfaceRecord[] {
  const records: InterfaceRecord[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const entry of addresses ?? []) {
      const family = entry.family === 'IPv4' ? 'inet' : 'inet6';
      const broadcast = family === 'inet' ? broadcastOf(entry.address, entry.netmask) : '';
      records.push({
        kind: 'interface', offset: 0, family, name, address: entry.address.replace(/%.*$/, ''),
        netmask: entry.netmask, broadcast, linkSpeed: 0n,
      }); // prettier-ignore
    }
  }
  return records;
}

function broadcastOf(address: string, netmask: string): string {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  return a.map((part, i) => (part | (~m[i] & 0xff)) & 0xff).join('.');
}

/** Users from a passwd-format text (`name:x:uid:gid:gecos:home:shell`). */
export function parsePasswd(text: string | undefined): UserRecord[] {
  const users: UserRecord[] = [];
  for (const line of (text ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts.length < 7 || line.startsWith('#')) continue;
    const [name, , uid, gid, , homedir, shell] = parts;
    users.push({
      kind: 'user',
      offset: 0,
      uid: Number(uid),
      gid: Number(gid),
      name,
      homedir,
      shell,
    });
  }
  return users;
}

/** Groups from a group-format text (`name:x:gid:members`). */
export function parseGroups(text: string | undefined): GroupRecord[] {
  const groups: GroupRecord[] = [];
  for (const line of (text ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts.length < 3 || line.startsWith('#')) continue;
    groups.push({ kind: 'group', offset: 0, gid: Number(parts[2]), name: parts[0] });
  }
  return groups;
}

/** The host's users and groups. */
export function readUsersAndGroups(root = '/'): { users: UserRecord[]; groups: GroupRecord[] } {
  return {
    users: parsePasswd(readText(`${root}etc/passwd`)),
    groups: parseGroups(readText(`${root}etc/group`)),
  };
}
