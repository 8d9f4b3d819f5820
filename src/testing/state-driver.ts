/**
 * Decoded clone, execve and exit events, process-list records, and a driver that applies them
 * to any thread table as the state engine does, for the model tests of the table's indexes.
 */
import type { SyscallEvent } from '../decode/event.js';
import { EVENT_TABLE } from '../decode/event-table.js';
import type { ThreadRecord } from '../sources/scap/index.js';
import { linkBootstrap, threadFromRecord } from '../decode/state/bootstrap.js';
import type { DeferredRemovals, ParseContext } from '../decode/state/context.js';
import { parserFor } from '../decode/state/parser-table.js';
import type { ThreadTable } from '../decode/state/thread-table.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { int64 } from './event-bytes.js';

/** libscap event codes: clone exit (20 layout), execve exit (19 layout), procexit. */
const CODE = { cloneExit: 223, execveExit: 293, procexit: 186 } as const;

function uint32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(`${value}\0`);
}

function event(code: number, tid: number, ts: bigint, rawParams: Uint8Array[]): SyscallEvent {
  return { source: 'syscall', num: 0, ts, tid, cpu: 0, info: EVENT_TABLE[code], rawParams };
}

export interface CloneIds {
  pid: number;
  ptid: number;
  flags: number;
  /** The thread's ids in its pid namespace; its tid and pid when not in one. */
  vtid?: number;
  vpid?: number;
}

/** A clone exit in the caller (`result` the child's tid) or in the child (`result` 0). */
export function cloneExit(tid: number, result: number, ids: CloneIds, ts: bigint): SyscallEvent {
  const { pid, ptid, flags, vtid = tid, vpid = pid } = ids;
  return event(CODE.cloneExit, tid, ts, [
    int64(result), text('p'), text('a'), int64(tid), int64(pid), int64(ptid), text('/'),
    int64(1024), int64(0), int64(0), uint32(0), uint32(0), uint32(0), text('p'), text(''),
    uint32(flags), uint32(0), uint32(0), int64(vtid), int64(vpid), int64(0),
  ]); // prettier-ignore
}

/** An execve exit carrying only the leading parameters (as old probes sent). */
export function execveExit(tid: number, pid: number, ptid: number, ts: bigint): SyscallEvent {
  return event(CODE.execveExit, tid, ts, [
    int64(0), text('x'), text('b'), int64(tid), int64(pid), int64(ptid),
  ]); // prettier-ignore
}

/** A procexit naming `reaper`, or in the older layout without the reaper when undefined. */
export function procexit(tid: number, reaper: number | undefined, ts: bigint): SyscallEvent {
  const params = [int64(0), int64(0), Uint8Array.of(0), Uint8Array.of(0)];
  if (reaper !== undefined) params.push(int64(reaper));
  return event(CODE.procexit, tid, ts, params);
}

/** A process-list entry for thread `tid`. */
export function threadRecord(tid: number, pid: number, ptid: number): ThreadRecord {
  return {
    kind: 'thread', offset: 0, version: 9, tid, pid, ptid, sid: -1, vpgid: -1, pgid: -1,
    comm: 'r', exe: 'r', exepath: '/r', args: [], env: [], cwd: '/', fdlimit: 0, flags: 0, uid: 0,
    gid: 0, loginuid: 0xffffffff, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pageFaultsMajor: 0,
    pageFaultsMinor: 0, vtid: tid, vpid: pid, cgroups: [], root: '/', pidnsInitStartTimestamp: 0n,
    tty: 0, exeWritable: false, exeUpperLayer: false, exeLowerLayer: false, exeFromMemfd: false,
    capInheritable: 0n, capPermitted: 0n, capEffective: 0n, exeIno: 0n, exeInoCtime: 0n,
    exeInoMtime: 0n,
  }; // prettier-ignore
}

/** What the state engine does around the parsers for these events, on any table. */
export class StateDriver {
  private readonly deferred: DeferredRemovals = {
    reaperTid: 0,
    fdsToRemove: [],
    fdsToRemoveLength: 0,
  };
  private pending: ThreadInfo[] = [];

  constructor(readonly table: ThreadTable) {}

  record(record: ThreadRecord): void {
    const thread = threadFromRecord(this.table, record);
    if (this.table.add(thread, false) !== undefined) this.pending.push(thread);
  }

  event(event: SyscallEvent): void {
    if (this.pending.length > 0) linkBootstrap(this.table, this.pending);
    this.pending = [];
    this.applyDeferred();
    const { table } = this;
    const mayCreate = event.info.name === 'execve';
    const thread = mayCreate ? table.threadOrPlaceholder(event.tid) : table.findThread(event.tid);
    const context: ParseContext = {
      event, thread, fd: undefined, table, bootTs: 0n, deferred: this.deferred,
    }; // prettier-ignore
    parserFor(event.info)?.(context);
  }

  removeGone(tid: number): void {
    this.applyDeferred();
    const thread = this.table.findThread(tid);
    if (thread !== undefined) this.table.removeGone(thread);
  }

  /** The reaper named by the exit applied now; 0 when none was pending or it named none. */
  applyDeferred(): number {
    const { deferred } = this;
    if (deferred.threadToRemove === undefined) return 0;
    const reaper = deferred.reaperTid;
    this.table.remove(deferred.threadToRemove, reaper);
    deferred.threadToRemove = undefined;
    deferred.reaperTid = 0;
    return reaper;
  }
}
