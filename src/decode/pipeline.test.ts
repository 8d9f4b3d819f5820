import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { corpusPath } from '../testing/corpus.js';
import { ScapFormatError } from '../sources/scap/index.js';
import type { SyscallEvent } from './event.js';
import { readCaptureBatches } from './event-decoder.js';
import { itemStream, syscallEventBatches, syscallEvents } from './pipeline.js';
import { StateEngine } from './state/engine.js';

const catWrite = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
const curl = corpusPath('falco/scap/curl_google.scap');

test('attaches the opened file to an open exit and drops it after the close', async () => {
  const engine = new StateEngine();
  const seen: string[] = [];
  for await (const event of syscallEvents(catWrite, { engine })) {
    if (event.num === 141) seen.push(`${event.fdNumber} ${event.fd?.name} ${event.fdNameChanged}`);
    if (event.num === 147) seen.push(`close ${event.fd?.name} ${event.thread?.fds.has(3)}`);
    if (event.num === 148) seen.push(`after ${event.thread?.fds.has(3)}`);
  }
  assert.deepEqual(seen, ['3 /etc/ld.so.cache true', 'close /etc/ld.so.cache true', 'after false']);
});

test('links an exec of an unknown thread to its parent from the process list', async () => {
  for await (const event of syscallEvents(catWrite)) {
    if (event.num !== 131) continue;
    const thread = event.thread;
    const parent = thread?.state.findThread(thread.ptid);
    assert.equal(thread?.comm, 'cat');
    assert.equal(parent?.comm, 'bash');
    assert.deepEqual(thread?.args, ['/dev/null']);
    return;
  }
  assert.fail('no event');
});

test('stays within the thread limit on a real capture and counts what it dropped', async () => {
  const engine = new StateEngine({ maxThreads: 40, maxFdsPerProcess: 8 });
  let events = 0;
  for await (const event of syscallEvents(curl, { engine })) {
    events++;
    assert.ok(engine.table.size <= 40);
    if (event.thread !== undefined) assert.ok(event.thread.fds.size <= 8);
  }
  assert.ok(events > 1000);
  assert.ok(engine.table.counters.threadsDroppedTableFull > 0);
  assert.ok(engine.table.counters.fdsDroppedTableFull > 0);
});

test('removes exited threads on the event after their exit', async () => {
  const engine = new StateEngine();
  let exited: number | undefined;
  for await (const event of syscallEvents(curl, { engine })) {
    if (exited !== undefined) {
      assert.equal(engine.table.findThread(exited)?.isDead ?? true, true);
      exited = undefined;
    }
    if (event.info.name === 'procexit') {
      assert.ok(event.thread !== undefined, 'the exit event still sees its thread');
      exited = event.tid;
    }
  }
  assert.ok(engine.table.counters.threadsRemoved > 0);
});

test('batches give the events of syscallEvents, with the same state attached', async () => {
  const expected: string[] = [];
  for await (const event of syscallEvents(curl)) {
    expected.push(`${event.num} ${event.info.name} ${event.thread?.comm} ${event.fd?.name}`);
  }
  const seen: string[] = [];
  for await (const batch of syscallEventBatches(curl)) {
    for (const event of batch) {
      seen.push(`${event.num} ${event.info.name} ${event.thread?.comm} ${event.fd?.name}`);
    }
  }
  assert.ok(expected.length > 1000);
  assert.deepEqual(seen, expected);
});

test('events left in a batch are applied and skipped, and the next batch goes on', async () => {
  const engine = new StateEngine();
  const firsts: number[] = [];
  for await (const batch of syscallEventBatches(curl, { engine })) {
    for (const event of batch) {
      firsts.push(event.num);
      break;
    }
  }
  const all = new StateEngine();
  for await (const event of syscallEvents(curl, { engine: all })) void event;
  assert.equal(firsts[0], 1);
  assert.deepEqual(engine.table.counters, all.table.counters);
});

test('a corrupt capture fails the batch after the events before the fault', async () => {
  const bytes = new Uint8Array(gunzipSync(readFileSync(catWrite)));
  const cut = bytes.subarray(0, bytes.length - 5);
  let events = 0;
  await assert.rejects(async () => {
    for await (const batch of syscallEventBatches([cut])) events += [...batch].length;
  }, ScapFormatError);
  let expected = 0;
  await assert.rejects(async () => {
    for await (const event of syscallEvents([cut])) if (event) expected++;
  }, ScapFormatError);
  assert.ok(events > 0);
  assert.equal(events, expected);
});

test('decoded item batches (the live probe path) give the events of the capture', async () => {
  const describe = (event: SyscallEvent): string =>
    `${event.num} ${event.info.name} ${event.thread?.comm} ${event.fd?.name}`;
  const expected: string[] = [];
  for await (const event of syscallEvents(catWrite)) expected.push(describe(event));
  const seen: string[] = [];
  for await (const event of syscallEvents(itemStream(readCaptureBatches(catWrite)))) {
    seen.push(describe(event));
  }
  assert.ok(expected.length > 300);
  assert.deepEqual(seen, expected);
});
