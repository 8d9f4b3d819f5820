import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFd } from './fd-info.js';
import { ThreadTable } from './thread-table.js';
import type { ThreadInfo } from './types.js';

function process(table: ThreadTable, tid: number, pid = tid, ptid = 1): ThreadInfo {
  const thread = table.newThread(tid);
  Object.assign(thread, { pid, ptid, comm: `p${tid}` });
  const added = table.add(thread);
  assert.ok(added, `thread ${tid} was added`);
  return added;
}

test('refuses new threads when full and counts each drop', () => {
  const table = new ThreadTable({ maxThreads: 3 });
  process(table, 1, 1, 0);
  process(table, 2);
  process(table, 3);
  assert.equal(table.add(table.newThread(4)), undefined);
  assert.equal(table.threadOrPlaceholder(5), undefined);
  assert.equal(table.size, 3);
  assert.equal(table.counters.threadsDroppedTableFull, 2);
});

test('refuses new descriptors past the per-process limit and counts each drop', () => {
  const table = new ThreadTable({ maxFdsPerProcess: 2 });
  const thread = process(table, 10);
  assert.ok(table.addFd(thread, 0, createFd('file')));
  assert.ok(table.addFd(thread, 1, createFd('file')));
  assert.equal(table.addFd(thread, 2, createFd('file')), undefined);
  // Replacing an existing number is not growth.
  assert.ok(table.addFd(thread, 1, createFd('fifo')));
  assert.equal(thread.fds.size, 2);
  assert.equal(table.counters.fdsDroppedTableFull, 1);
  assert.equal(thread.lastEventFd, 1);
});

test('removes a dead process with its fds, and keeps a main thread while a thread lives', () => {
  const table = new ThreadTable();
  process(table, 1, 1, 0);
  const main = process(table, 20);
  const worker = process(table, 21, 20, 1);
  table.addFd(main, 3, createFd('file'));
  table.remove(20);
  assert.equal(table.findThread(20), main, 'main thread stays while 21 lives');
  assert.equal(main.isDead, true);
  table.remove(worker.tid);
  assert.equal(table.findThread(21), undefined);
  assert.equal(table.findThread(20), undefined, 'the last thread takes the process along');
  assert.equal(table.counters.threadsRemoved, 2);
});

test('gives the children of an exiting process to init', () => {
  const table = new ThreadTable();
  process(table, 1, 1, 0);
  process(table, 30);
  const child = process(table, 31, 31, 30);
  table.remove(30);
  assert.equal(child.ptid, 1);
});

test('evicts idle and placeholder threads by age and counts them', () => {
  const table = new ThreadTable({ threadTimeoutNs: 100n });
  const init = process(table, 1, 1, 0);
  const idle = process(table, 40);
  const busy = process(table, 41);
  table.threadOrPlaceholder(42);
  init.lastAccessTs = 1000n;
  idle.lastAccessTs = 10n;
  busy.lastAccessTs = 990n;
  table.evictIdle(1000n);
  assert.deepEqual([...table.allThreads()].map((t) => t.tid).sort(), [1, 41]);
  assert.equal(table.counters.threadsEvictedIdle, 2);
});
