/**
 * The state of the host when a live capture starts, read from `/proc`: every process and
 * thread, their open descriptors, the users and groups, the interfaces and the machine. It is
 * made of the same records a `.scap` file's header holds, so the state engine takes it exactly
 * as it takes a capture's process list, and `harrier record` writes it as that header.
 *
 * @example
 * const snapshot = readProcSnapshot();
 * for (const record of snapshotRecords(snapshot)) engine.applyRecord(record);
 */
import { readdirSync } from 'node:fs';
import type {
  FdRecord,
  GroupRecord,
  InterfaceRecord,
  MachineRecord,
  UserRecord,
} from '../scap/index.js';
import { readBootTimeNs, readInterfaces, readMachine, readUsersAndGroups } from './host-tables.js';
import { readText, statOf } from './proc-files.js';
import { readProcessFds } from './proc-fds.js';
import { readThread, type ProcThreadRecord, type ThreadReadOptions } from './proc-thread.js';
import { readSocketTables, type SocketEntry } from './socket-tables.js';

export interface ProcSnapshotOptions {
  /** Bytes of each process's environment to read; 0 (default) reads none. */
  envBytes?: number;
  /** Most descriptors read per process; default 65536. */
  maxFdsPerProcess?: number;
}

/** What `/proc` said when it was read, in the order a capture header lists it. */
export interface ProcSnapshot {
  machine: MachineRecord;
  interfaces: InterfaceRecord[];
  users: UserRecord[];
  groups: GroupRecord[];
  /** Main threads first within each process; processes in `/proc` order. */
  threads: ProcThreadRecord[];
  /** Descriptors of each process's main thread, grouped by process, in thread order. */
  fds: FdRecord[];
  /**
   * Processes left out: kernel threads (which have no command line or executable to record)
   * and processes that went away or could not be read while the snapshot was taken.
   */
  skipped: number;
}

function numericEntries(directory: string): number[] {
  try {
    return readdirSync(directory)
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Socket tables per network namespace, read once per namespace. */
class SocketCache {
  private readonly byNamespace = new Map<bigint, Map<bigint, SocketEntry>>();

  forProcess(pid: number): Map<bigint, SocketEntry> {
    const namespace = statOf(`/proc/${pid}/ns/net`)?.ino ?? 0n;
    let sockets = this.byNamespace.get(namespace);
    if (sockets === undefined) {
      sockets = readSocketTables(`/proc/${pid}/net`);
      this.byNamespace.set(namespace, sockets);
    }
    return sockets;
  }
}

/** The controllers of the unified cgroup hierarchy (cgroup v2), or none. */
function unifiedControllers(): string[] {
  const text = readText('/sys/fs/cgroup/cgroup.controllers');
  return text === undefined ? [] : text.trim().split(/\s+/).filter(Boolean);
}

/**
 * Reads the snapshot. Kernel threads and processes that exit while it is read are left out
 * (counted in `skipped`); nothing here throws for a vanished process.
 */
export function readProcSnapshot(options: ProcSnapshotOptions = {}): ProcSnapshot {
  const bootTimeNs = readBootTimeNs();
  const threadOptions: ThreadReadOptions = {
    envBytes: options.envBytes ?? 0,
    bootTimeNs,
    unifiedControllers: unifiedControllers(),
  };
  const sockets = new SocketCache();
  const threads: ProcThreadRecord[] = [];
  const fds: FdRecord[] = [];
  let skipped = 0;

  for (const pid of numericEntries('/proc')) {
    const main = readThread(pid, pid, threadOptions);
    if (main === undefined) {
      skipped++;
      continue;
    }
    threads.push(main);
    for (const tid of numericEntries(`/proc/${pid}/task`)) {
      if (tid === pid) continue;
      const thread = readThread(pid, tid, threadOptions);
      if (thread !== undefined) threads.push(thread);
    }
    const limit = options.maxFdsPerProcess ?? 65536;
    fds.push(...readProcessFds(`/proc/${pid}`, pid, sockets.forProcess(pid), limit));
  }
  return {
    machine: readMachine(bootTimeNs),
    interfaces: readInterfaces(),
    ...readUsersAndGroups(),
    threads,
    fds,
    skipped,
  };
}

/** The snapshot's records in capture-header order: machine, interfaces, users, groups, threads, fds. */
export function snapshotRecords(
  snapshot: ProcSnapshot,
): Array<MachineRecord | InterfaceRecord | UserRecord | GroupRecord | ProcThreadRecord | FdRecord> {
  return [
    snapshot.machine,
    ...snapshot.interfaces,
    ...snapshot.users,
    ...snapshot.groups,
    ...snapshot.threads,
    ...snapshot.fds,
  ];
}
