import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ThreadTable } from './thread-table.js';
import { isInvalidThread, THREAD_FLAGS } from './thread.js';
import type { ThreadInfo } from './types.js';
import {
  cloneExit, execveExit, procexit, StateDriver, threadRecord,
} from '../../testing/state-driver.js'; // prettier-ignore

/** The table with its reaper search open to the test. */
class ProbedThreadTable extends ThreadTable {
  reaperOf(thread: ThreadInfo): ThreadInfo | undefined {
    return this.findReaper(thread);
  }
}

/**
 * The table with its process index replaced by a scan of every thread, as the reaper search and
 * an exec's removal of the other threads did before the index.
 */
class ScanningThreadTable extends ProbedThreadTable {
  override threadsOfProcess(pid: number): ThreadInfo[] {
    return [...this.allThreads()].filter((thread) => thread.pid === pid);
  }
}

/** Tids (and pids) from 1 to this, so that they collide, get reused and name threads long gone. */
const TID_SPACE = 40;
/** Below `TID_SPACE`, so that the table fills and drops threads too. */
const MAX_THREADS = 20;
/** Threads more often than in the children test, so that processes have several. */
const CLONE_FLAGS = fc.constantFrom(
  0, 0, THREAD_FLAGS.CLONE_THREAD, THREAD_FLAGS.CLONE_THREAD, THREAD_FLAGS.CLONE_THREAD,
  THREAD_FLAGS.CLONE_VFORK, THREAD_FLAGS.CLONE_NEWPID, THREAD_FLAGS.CLONE_PARENT,
); // prettier-ignore

/** A tid in the table when the step runs (`known`, an index into its tids), or any tid. */
type TidChoice = { known: number } | { any: number };

const anyTid = fc.integer({ min: 1, max: TID_SPACE });
const tidChoice: fc.Arbitrary<TidChoice> = fc.oneof(
  { arbitrary: fc.record({ known: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ any: anyTid }), weight: 1 },
);
/** A pid: the thread's own tid (a new process) or a tid chosen as above. */
const pidChoice = fc.oneof(fc.constant('self' as const), tidChoice);

type Operation =
  | { kind: 'clone'; tid: TidChoice; child: number; pid: TidChoice; ptid: TidChoice; flags: number }
  | { kind: 'child'; tid: number; parent: TidChoice; pid: TidChoice; flags: number }
  | { kind: 'execve'; tid: TidChoice; pid: TidChoice | 'self'; ptid: TidChoice }
  | { kind: 'exit'; tid: TidChoice; reaper: TidChoice | 'none' | 'old layout' }
  | { kind: 'gone'; tid: TidChoice }
  | { kind: 'record'; tid: number; pid: TidChoice | 'self'; ptid: TidChoice }
  | { kind: 'subreaper'; pid: TidChoice; isReaper: boolean };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('clone' as const), tid: tidChoice, child: anyTid, pid: tidChoice,
      ptid: tidChoice, flags: CLONE_FLAGS,
    }), // prettier-ignore
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('child' as const), tid: anyTid, parent: tidChoice, pid: tidChoice,
      flags: CLONE_FLAGS,
    }), // prettier-ignore
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('execve' as const),
      tid: tidChoice,
      pid: pidChoice,
      ptid: tidChoice,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('exit' as const),
      tid: tidChoice,
      reaper: fc.oneof(fc.constantFrom('none' as const, 'old layout' as const), tidChoice),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('gone' as const), tid: tidChoice }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      tid: anyTid,
      pid: pidChoice,
      ptid: tidChoice,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('subreaper' as const),
      pid: tidChoice,
      isReaper: fc.boolean(),
    }),
  },
);

function resolveTid(choice: TidChoice, known: readonly number[]): number {
  if ('any' in choice) return choice.any;
  return known.length === 0 ? 1 + (choice.known % TID_SPACE) : known[choice.known % known.length];
}

/** The step an operation makes on a table whose tids are `known`, and its label. */
function stepOf(op: Operation, known: readonly number[], ts: bigint) {
  const tid = (choice: TidChoice): number => resolveTid(choice, known);
  const pidFor = (self: number, choice: TidChoice | 'self'): number =>
    choice === 'self' ? self : tid(choice);
  switch (op.kind) {
    case 'clone': {
      const ids = { pid: tid(op.pid), ptid: tid(op.ptid), flags: op.flags };
      const caller = tid(op.tid);
      const label = `clone ${caller} -> ${op.child} ${JSON.stringify(ids)}`;
      return step(label, (d) => d.event(cloneExit(caller, op.child, ids, ts)));
    }
    case 'child': {
      const isThread = (op.flags & THREAD_FLAGS.CLONE_THREAD) !== 0;
      const ids = { pid: isThread ? tid(op.pid) : op.tid, ptid: tid(op.parent), flags: op.flags };
      const label = `child ${op.tid} ${JSON.stringify(ids)}`;
      return step(label, (d) => d.event(cloneExit(op.tid, 0, ids, ts)));
    }
    case 'execve': {
      const [thread, ptid] = [tid(op.tid), tid(op.ptid)];
      const pid = pidFor(thread, op.pid);
      const label = `execve ${thread} pid ${pid} ptid ${ptid}`;
      return step(label, (d) => d.event(execveExit(thread, pid, ptid, ts)));
    }
    case 'exit': {
      const thread = tid(op.tid);
      const reaper =
        op.reaper === 'old layout' ? undefined : op.reaper === 'none' ? 0 : tid(op.reaper);
      const label = `procexit ${thread} reaper ${reaper}`;
      return step(label, (d) => d.event(procexit(thread, reaper, ts)));
    }
    case 'gone': {
      const thread = tid(op.tid);
      return step(`gone ${thread}`, (d) => d.removeGone(thread));
    }
    case 'record': {
      const [pid, ptid] = [pidFor(op.tid, op.pid), tid(op.ptid)];
      const label = `record ${op.tid} pid ${pid} ptid ${ptid}`;
      return step(label, (d) => d.record(threadRecord(op.tid, pid, ptid)));
    }
    case 'subreaper': {
      const [pid, isReaper] = [tid(op.pid), op.isReaper];
      return step(`subreaper ${pid} ${isReaper}`, (d) => d.table.setReaper(pid, isReaper));
    }
  }
}

function step(label: string, apply: (driver: StateDriver) => void) {
  return { label, apply };
}

/** Every thread of the table with its process, parent and death, in table order. */
function describeTable(table: ThreadTable): string {
  return [...table.allThreads()]
    .map((thread) => `${thread.tid}:${thread.pid}^${thread.ptid}${thread.isDead ? '+' : ''}`)
    .join(' ');
}

function tidsOf(threads: Iterable<ThreadInfo>): number[] {
  return [...threads].map((thread) => thread.tid).sort((a, b) => a - b);
}

/** How often the sequences reached the cases the index must get right. */
interface Reached {
  pidChangedInTable: number;
  resurrected: number;
  replaced: number;
  removedByExec: number;
  siblingReapers: number;
  /** Children whose parent left them to another thread of its process. */
  adoptedBySibling: number;
  ancestorReapers: number;
  dropped: number;
}

/**
 * The process index of `indexed` against a scan of its threads, for every pid the sequences
 * use; its live counts against a count of the scan; its reaper search against the model's.
 */
function checkIndex(
  indexed: ProbedThreadTable,
  model: ProbedThreadTable,
  reached: Reached,
  where: string,
): void {
  const threads = [...indexed.allThreads()];
  for (const thread of threads) {
    assert.ok(thread.pid >= -1 && thread.pid <= TID_SPACE, `${where}: pid ${thread.pid} checked`);
  }
  for (let pid = -1; pid <= TID_SPACE; pid++) {
    const scanned = threads.filter((thread) => thread.pid === pid);
    const members = indexed.threadsOfProcess(pid);
    assert.deepEqual(tidsOf(members), tidsOf(scanned), `${where}: threads of process ${pid}`);
    for (const member of members) {
      assert.equal(indexed.findThread(member.tid), member, `${where}: ${member.tid} is current`);
    }
    const live = scanned.filter((thread) => !thread.isDead && !isInvalidThread(thread));
    assert.equal(indexed.groupSize(pid), live.length, `${where}: live threads of ${pid}`);
  }
  for (const thread of threads) {
    const reaper = indexed.reaperOf(thread);
    const twin = model.findThread(thread.tid);
    assert.ok(twin !== undefined, `${where}: ${thread.tid} in the model`);
    assert.equal(reaper?.tid, model.reaperOf(twin)?.tid, `${where}: reaper of ${thread.tid}`);
    if (reaper?.pid === thread.pid) reached.siblingReapers++;
    else if (reaper !== undefined) reached.ancestorReapers++;
  }
}

interface ThreadSnapshot {
  thread: ThreadInfo;
  pid: number;
  ptid: number;
  isDead: boolean;
}

function snapshot(table: ThreadTable): Map<number, ThreadSnapshot> {
  const threads = [...table.allThreads()];
  return new Map(threads.map((thread) => [thread.tid, { ...thread, thread }]));
}

/** Counts the changes a step made that move threads in the process index. */
function countChanges(
  before: Map<number, ThreadSnapshot>,
  table: ThreadTable,
  reached: Reached,
): void {
  for (const [tid, old] of before) {
    const now = table.findThread(tid);
    if (now === undefined) continue;
    if (now !== old.thread) reached.replaced++;
    else if (now.pid !== old.pid) reached.pidChangedInTable++;
    else if (old.isDead && !now.isDead) reached.resurrected++;
    const [oldParent, newParent] = [before.get(old.ptid), table.findThread(now.ptid)];
    const isAdoption = now === old.thread && oldParent !== undefined && newParent !== undefined;
    if (isAdoption && newParent !== oldParent.thread && newParent.pid === oldParent.pid) {
      reached.adoptedBySibling++;
    }
  }
}

/** Runs `operations` on a table with the process index and on one that scans, step by step. */
function runOperations(operations: Operation[], reached: Reached): void {
  const [indexedTable, modelTable] = [
    new ProbedThreadTable({ maxThreads: MAX_THREADS }),
    new ScanningThreadTable({ maxThreads: MAX_THREADS }),
  ];
  const [indexed, model] = [new StateDriver(indexedTable), new StateDriver(modelTable)];
  const history: string[] = [];
  for (const driver of [indexed, model]) driver.record(threadRecord(1, 1, 0));
  let ts = 1_700_000_000_000_000_000n;
  operations.forEach((op, i) => {
    ts += 1_000_000n;
    const { label, apply } = stepOf(
      op,
      [...model.table.allThreads()].map((t) => t.tid),
      ts,
    );
    history.push(label);
    const before = snapshot(model.table);
    model.applyDeferred();
    indexed.applyDeferred();
    const removedBefore = model.table.counters.threadsRemoved;
    apply(model);
    apply(indexed);
    const where = `step ${i}; last steps:\n  ${history.slice(-6).join('\n  ')}\n`;
    assert.equal(describeTable(indexed.table), describeTable(model.table), where);
    assert.deepEqual(indexed.table.counters, model.table.counters, where);
    checkIndex(indexedTable, modelTable, reached, where);
    countChanges(before, model.table, reached);
    if (label.startsWith('execve')) {
      reached.removedByExec += model.table.counters.threadsRemoved - removedBefore;
    }
  });
  reached.dropped += model.table.counters.threadsDroppedTableFull;
}

test('the process index matches a scan of the table through random clones, execs, exits, records and removals, and so do the reaper and exec removals', () => {
  const reached: Reached = {
    pidChangedInTable: 0, resurrected: 0, replaced: 0, removedByExec: 0, siblingReapers: 0,
    adoptedBySibling: 0, ancestorReapers: 0, dropped: 0,
  }; // prettier-ignore
  fc.assert(
    fc.property(fc.array(operation, { minLength: 1, maxLength: 200, size: 'max' }), (operations) =>
      runOperations(operations, reached),
    ),
    { numRuns: 60 },
  );
  // The sequences must reach each case, or matching the scan would prove little.
  const summary = JSON.stringify(reached);
  assert.ok(reached.pidChangedInTable > 100, summary);
  assert.ok(reached.resurrected > 2, summary);
  assert.ok(reached.replaced > 100, summary);
  assert.ok(reached.removedByExec > 50, summary);
  assert.ok(reached.siblingReapers > 5000, summary);
  assert.ok(reached.adoptedBySibling > 80, summary);
  assert.ok(reached.ancestorReapers > 1500, summary);
  assert.ok(reached.dropped > 10, summary);
});

test('an exiting thread leaves its children to its main thread, else to the live thread with the lowest tid', () => {
  const table = new ProbedThreadTable();
  const add = (tid: number, pid: number, ptid: number): ThreadInfo => {
    const thread = table.newThread(tid);
    table.setPid(thread, pid);
    table.setParent(thread, ptid);
    const added = table.add(thread);
    assert.ok(added, `thread ${tid} was added`);
    return added;
  };
  add(1, 1, 0);
  const main = add(10, 10, 1);
  add(14, 10, 1);
  add(12, 10, 1);
  const exiting = add(13, 10, 1);
  add(20, 20, 13);
  assert.equal(table.reaperOf(exiting), main);
  table.markDead(main);
  assert.equal(table.reaperOf(exiting)?.tid, 12);
  assert.deepEqual(tidsOf(table.threadsOfProcess(10)), [10, 12, 13, 14]);
  assert.equal(table.groupSize(10), 3);
});
