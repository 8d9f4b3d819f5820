import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder } from '../event-decoder.js';
import { StateEngine } from './engine.js';
import { eventBytes, int64 } from '../../testing/event-bytes.js';

/** libscap's PPME_PROCEXIT_1_E: status, ret, sig, core, reaper_tid. */
const PROCEXIT = 186;
/** libscap's PPME_SYSCALL_PRCTL_X: res, option, arg2_str, arg2_int. */
const PRCTL_EXIT = 401;
const PR_SET_CHILD_SUBREAPER = 36;

/** A procexit event of `tid` in the V2 layout, naming `reaper` when given. */
function procexit(tid: number, reaper?: number): Uint8Array {
  const params = [int64(0), int64(0), Uint8Array.of(0), Uint8Array.of(0)];
  if (reaper !== undefined) params.push(int64(reaper));
  return eventBytes(PROCEXIT, tid, params);
}

/** `tid` calling prctl(PR_SET_CHILD_SUBREAPER, 1). */
function setSubreaper(tid: number): Uint8Array {
  const option = new Uint8Array(4);
  new DataView(option.buffer).setUint32(0, PR_SET_CHILD_SUBREAPER, true);
  return eventBytes(PRCTL_EXIT, tid, [int64(0), option, new Uint8Array(0), int64(1)]);
}

/** init (1), conmon (50, a child subreaper), runc (60 with thread 61), the program runc started (70). */
function podmanExec(): StateEngine {
  const engine = new StateEngine();
  const add = (tid: number, pid: number, ptid: number, comm: string) => {
    const thread = engine.table.newThread(tid);
    Object.assign(thread, { pid, ptid, comm, exe: comm });
    assert.ok(engine.table.add(thread));
  };
  add(1, 1, 0, 'init');
  add(50, 50, 1, 'conmon');
  add(60, 60, 50, 'runc');
  add(61, 60, 50, 'runc');
  add(70, 70, 61, 'sh');
  return engine;
}

function feed(engine: StateEngine, ...events: Uint8Array[]): void {
  const decoder = new EventDecoder();
  for (const bytes of events) {
    const event = decoder.decode({ bytes, cpu: 0, flags: 0, hasParamCount: true });
    assert.ok(event, 'the event decodes');
    engine.processEvent(event);
  }
}

test("a program whose runc exits goes to the reaper named by runc's exit events (conmon)", () => {
  const engine = podmanExec();
  // The last event only applies the removal the one before it deferred.
  feed(engine, procexit(61, 60), procexit(60, 50), procexit(999));
  const program = engine.table.findThread(70);
  assert.equal(program?.ptid, 50);
  assert.equal(engine.table.findThread(program.ptid)?.comm, 'conmon');
});

test('without a reaper in the exit event, the program goes to init as before', () => {
  const engine = podmanExec();
  feed(engine, procexit(61), procexit(60), procexit(999));
  assert.equal(engine.table.findThread(70)?.ptid, 1);
});

test('a subreaper known from its prctl adopts the program when no exit event names a reaper', () => {
  // runc's threads exit together: the last one's exit event comes before the kernel gave it the
  // program, so it names no reaper; conmon said it was a subreaper when it started.
  const engine = podmanExec();
  feed(engine, setSubreaper(50), procexit(61, 60), procexit(60), procexit(999));
  assert.equal(engine.table.findThread(70)?.ptid, 50);
});

test('an exit event that comes after its thread was removed as gone makes no placeholder', () => {
  const engine = podmanExec();
  const program = engine.table.findThread(70)!;
  assert.equal(engine.removeGone([program]), 1);
  const added = engine.table.counters.threadsAdded;
  feed(engine, procexit(70), procexit(999));
  assert.equal(engine.table.findThread(70), undefined);
  assert.equal(engine.table.size, 4);
  assert.equal(engine.table.counters.threadsAdded, added);
  assert.equal(engine.table.counters.threadsReapedGone, 1);
});

test('removing gone threads first applies the exit the last event deferred, with its reaper', () => {
  // runc's exits came and /proc no longer shows it: its removal stays the exit's, so the
  // program still goes to conmon, and no lost exit is counted.
  const engine = podmanExec();
  const runc = [engine.table.findThread(60)!, engine.table.findThread(61)!];
  feed(engine, procexit(61, 60), procexit(60, 50));
  assert.equal(engine.removeGone(runc), 0);
  assert.equal(engine.table.findThread(60), undefined);
  assert.equal(engine.table.findThread(70)?.ptid, 50);
  assert.equal(engine.table.counters.threadsReapedGone, 0);
});
