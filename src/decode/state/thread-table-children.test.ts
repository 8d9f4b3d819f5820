import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadTable } from './thread-table.js';
import { THREAD_FLAGS } from './thread.js';
import type { ThreadInfo } from './types.js';
import {
  cloneExit, execveExit, procexit, StateDriver, threadRecord,
} from '../../testing/state-driver.js'; // prettier-ignore

/** The table as it was before its children index: an exit scans every thread for its children. */
class ScanningThreadTable extends ThreadTable {
  protected override childrenOf(tid: number): ThreadInfo[] {
    return [...this.allThreads()].filter((thread) => thread.ptid === tid);
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

type Step = (driver: StateDriver) => void;

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
  const indexed = new StateDriver(new ThreadTable({ maxThreads: MAX_THREADS }));
  const model = new StateDriver(new ScanningThreadTable({ maxThreads: MAX_THREADS }));
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
