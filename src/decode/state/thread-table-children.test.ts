import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from '../event.js';
import { EVENT_TABLE } from '../event-table.js';
import type { ThreadRecord } from '../../sources/scap/index.js';
import { linkBootstrap, threadFromRecord } from './bootstrap.js';
import type { DeferredRemovals, ParseContext } from './context.js';
import { parserFor } from './parser-table.js';
import { ThreadTable } from './thread-table.js';
import { THREAD_FLAGS } from './thread.js';
import type { ThreadInfo } from './types.js';

/** The table as it was before its children index: an exit scans every thread for its children. */
class ScanningThreadTable extends ThreadTable {
  protected override childrenOf(tid: number): ThreadInfo[] {
    return [...this.allThreads()].filter((thread) => thread.ptid === tid);
  }
}

/** libscap event codes: clone exit (20 layout), execve exit (19 layout), procexit. */
const CODE = { cloneExit: 223, execveExit: 293, procexit: 186 } as const;

function int64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return bytes;
}

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

interface CloneIds {
  pid: number;
  ptid: number;
  flags: number;
}

/** A clone exit in the caller (`result` the child's tid) or in the child (`result` 0). */
function cloneExit(tid: number, result: number, ids: CloneIds, ts: bigint): SyscallEvent {
  const { pid, ptid, flags } = ids;
  return event(CODE.cloneExit, tid, ts, [
    int64(result), text('p'), text('a'), int64(tid), int64(pid), int64(ptid), text('/'),
    int64(1024), int64(0), int64(0), uint32(0), uint32(0), uint32(0), text('p'), text(''),
    uint32(flags), uint32(0), uint32(0), int64(tid), int64(pid), int64(0),
  ]); // prettier-ignore
}

/** An execve exit carrying only the leading parameters (as old probes sent). */
function execveExit(tid: number, pid: number, ptid: number, ts: bigint): SyscallEvent {
  return event(CODE.execveExit, tid, ts, [
    int64(0), text('x'), text('b'), int64(tid), int64(pid), int64(ptid),
  ]); // prettier-ignore
}

/** A procexit naming `reaper`, or in the older layout without the reaper when undefined. */
function procexit(tid: number, reaper: number | undefined, ts: bigint): SyscallEvent {
  const params = [int64(0), int64(0), Uint8Array.of(0), Uint8Array.of(0)];
  if (reaper !== undefined) params.push(int64(reaper));
  return event(CODE.procexit, tid, ts, params);
}

function threadRecord(tid: number, pid: number, ptid: number): ThreadRecord {
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
class Driver {
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

/** mulberry32: a small seeded generator, so that a failing sequence can be replayed. */
function randomSource(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000) * below);
  };
}

/** Tids from 1 to this, so that they collide, get reused and name threads long gone. */
const TID_SPACE = 48;
/** Below `TID_SPACE`, so that the table fills and drops threads too. */
const MAX_THREADS = 36;
const CLONE_FLAG_CHOICES = [
  0, 0, 0, THREAD_FLAGS.CLONE_THREAD, THREAD_FLAGS.CLONE_THREAD, THREAD_FLAGS.CLONE_VFORK,
  THREAD_FLAGS.CLONE_NEWPID, THREAD_FLAGS.CLONE_PARENT,
]; // prettier-ignore

type Step = (driver: Driver) => void;

/** One random operation, the same for both tables; `label` says what it was. */
function randomStep(random: (below: number) => number, known: number[], ts: bigint) {
  const anyTid = (): number => 1 + random(TID_SPACE);
  const someTid = (): number =>
    known.length > 0 && random(4) !== 0 ? known[random(known.length)] : anyTid();
  const kind = random(100);
  if (kind < 30) {
    const [tid, child, pid, ptid] = [someTid(), anyTid(), someTid(), someTid()];
    const flags = CLONE_FLAG_CHOICES[random(CLONE_FLAG_CHOICES.length)];
    const ids = { pid: random(2) === 0 ? tid : pid, ptid, flags };
    return step(`clone ${tid} -> ${child} ${JSON.stringify(ids)}`, (d) =>
      d.event(cloneExit(tid, child, ids, ts)),
    );
  }
  if (kind < 45) {
    const [tid, parent, pid] = [anyTid(), someTid(), someTid()];
    const flags = CLONE_FLAG_CHOICES[random(CLONE_FLAG_CHOICES.length)];
    const ids = { pid: (flags & THREAD_FLAGS.CLONE_THREAD) !== 0 ? pid : tid, ptid: parent, flags };
    return step(`child ${tid} ${JSON.stringify(ids)}`, (d) => d.event(cloneExit(tid, 0, ids, ts)));
  }
  if (kind < 58) {
    const [tid, ptid] = [random(2) === 0 ? anyTid() : someTid(), someTid()];
    const pid = random(3) === 0 ? someTid() : tid;
    return step(`execve ${tid} pid ${pid} ptid ${ptid}`, (d) =>
      d.event(execveExit(tid, pid, ptid, ts)),
    );
  }
  if (kind < 80) {
    const tid = someTid();
    const choice = random(4);
    const reaper = choice === 0 ? undefined : choice === 1 ? 0 : someTid();
    return step(`procexit ${tid} reaper ${reaper}`, (d) => d.event(procexit(tid, reaper, ts)));
  }
  if (kind < 88) {
    const tid = someTid();
    return step(`gone ${tid}`, (d) => d.removeGone(tid));
  }
  if (kind < 96) {
    const [tid, ptid] = [anyTid(), someTid()];
    const pid = random(3) === 0 ? someTid() : tid;
    return step(`record ${tid} pid ${pid} ptid ${ptid}`, (d) =>
      d.record(threadRecord(tid, pid, ptid)),
    );
  }
  const [pid, isReaper] = [someTid(), random(2) === 0];
  return step(`subreaper ${pid} ${isReaper}`, (d) => d.table.setReaper(pid, isReaper));
}

function step(label: string, apply: Step): { label: string; apply: Step } {
  return { label, apply };
}

/** Every thread of the table with what reparenting decides, in table order. */
function parentsOf(table: ThreadTable): string {
  return [...table.allThreads()]
    .map((thread) => `${thread.tid}:${thread.pid}^${thread.ptid}${thread.isDead ? '+' : ''}`)
    .join(' ');
}

function ptidByTid(table: ThreadTable): Map<number, number> {
  return new Map([...table.allThreads()].map((thread) => [thread.tid, thread.ptid]));
}

/** How often the sequences reached the cases the index must get right. */
interface Reached {
  reparented: number;
  toNamedReaper: number;
  parentSetInTable: number;
  dropped: number;
}

function runSequence(seed: number, steps: number, reached: Reached): void {
  const random = randomSource(seed);
  const indexed = new Driver(new ThreadTable({ maxThreads: MAX_THREADS }));
  const model = new Driver(new ScanningThreadTable({ maxThreads: MAX_THREADS }));
  const history: string[] = [];
  for (const driver of [indexed, model]) driver.record(threadRecord(1, 1, 0));
  let ts = 1_700_000_000_000_000_000n;
  for (let i = 0; i < steps; i++) {
    ts += BigInt(random(1_500_000_000));
    const { label, apply } = randomStep(random, [...ptidByTid(model.table).keys()], ts);
    history.push(label);
    const before = ptidByTid(model.table);
    const named = model.applyDeferred();
    indexed.applyDeferred();
    apply(model);
    apply(indexed);
    assert.equal(
      parentsOf(indexed.table),
      parentsOf(model.table),
      `seed ${seed}, step ${i}; last steps:\n  ${history.slice(-6).join('\n  ')}`,
    );
    assert.deepEqual(indexed.table.counters, model.table.counters, `seed ${seed}, step ${i}`);
    for (const [tid, ptid] of ptidByTid(model.table)) {
      const old = before.get(tid);
      if (old === undefined || old === ptid) continue;
      if (label.startsWith('execve') || label.startsWith('clone')) reached.parentSetInTable++;
      else reached.reparented++;
      if (named > 0 && ptid === named) reached.toNamedReaper++;
    }
  }
  reached.dropped += model.table.counters.threadsDroppedTableFull;
}

test('the ptid of every thread matches a table that scans for children, through random clones, execs, exits, records and removals', () => {
  const reached: Reached = { reparented: 0, toNamedReaper: 0, parentSetInTable: 0, dropped: 0 };
  for (let seed = 1; seed <= 40; seed++) runSequence(seed, 300, reached);
  // The sequences must reach each case, or matching the model would prove little.
  assert.ok(reached.reparented > 1000, `children reparented ${reached.reparented} times`);
  assert.ok(reached.toNamedReaper > 100, `to a named reaper ${reached.toNamedReaper} times`);
  assert.ok(reached.parentSetInTable > 200, `ptid set in the table ${reached.parentSetInTable}`);
  assert.ok(reached.dropped > 10, `threads dropped from a full table ${reached.dropped}`);
});

test('a thread replaced in the table, or never added, stays out of the children index', () => {
  const table = new ThreadTable();
  const thread = (tid: number, ptid: number): ThreadInfo => {
    const created = table.newThread(tid);
    Object.assign(created, { pid: tid, comm: `p${tid}` });
    table.setParent(created, ptid);
    return created;
  };
  const add = (tid: number, ptid: number): ThreadInfo => {
    const added = table.add(thread(tid, ptid));
    assert.ok(added, `thread ${tid} was added`);
    return added;
  };
  add(1, 0);
  add(7, 1);
  const replaced = add(5, 1);
  const current = add(5, 1);
  const neverAdded = thread(6, 1);
  table.setParent(replaced, 7);
  table.setParent(neverAdded, 7);
  const child = add(8, 7);
  table.remove(7);
  assert.equal(child.ptid, 1, "7's child goes to init");
  assert.deepEqual([replaced.ptid, neverAdded.ptid, current.ptid], [7, 7, 1]);
  assert.equal(table.findThread(5), current);
});
