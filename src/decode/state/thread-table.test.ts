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

test('removes a thread gone from the host as its exit would, giving its children to init', () => {
  const table = new ThreadTable();
  process(table, 1, 1, 0);
  const gone = process(table, 40);
  const child = process(table, 41, 41, 40);
  assert.equal(table.removeGone(gone), 1);
  assert.equal(table.findThread(40), undefined);
  assert.equal(child.ptid, 1);
  assert.equal(table.counters.threadsReapedGone, 1);
  assert.equal(table.counters.threadsRemoved, 1);
});

test("leaves alone a thread that took the gone one's tid, and one already removed", () => {
  const table = new ThreadTable();
  const gone = process(table, 40);
  const reused = process(table, 40);
  assert.equal(table.removeGone(gone), 0);
  assert.equal(table.findThread(40), reused);
  table.remove(40);
  assert.equal(table.removeGone(reused), 0);
  assert.equal(table.counters.threadsReapedGone, 0);
});

test('keeps a gone main thread while a thread of its process is left, then both leave', () => {
  const table = new ThreadTable();
  const main = process(table, 50);
  const worker = process(table, 51, 50);
  assert.equal(table.removeGone(main), 0);
  assert.equal(table.findThread(50)?.isDead, true);
  assert.equal(table.removeGone(worker), 2);
  assert.equal(table.size, 0);
  assert.equal(table.counters.threadsReapedGone, 2);
});

test('gives the children of an exiting process to the reaper its exit names, a subreaper', () => {
  // podman exec: runc (60, threads 60 and 61) starts the program (70) and exits; the kernel
  // hands the program to conmon (50), a child subreaper, not to init.
  const table = new ThreadTable();
  process(table, 1, 1, 0);
  process(table, 50);
  process(table, 60, 60, 50);
  process(table, 61, 60, 50);
  const program = process(table, 70, 70, 61);
  table.remove(61, 60);
  assert.equal(program.ptid, 60, 'first to a live thread of its process');
  table.remove(60, 50);
  assert.equal(program.ptid, 50);
});

test('falls back on an ancestor known to have adopted orphans before init', () => {
  const table = new ThreadTable();
  process(table, 1, 1, 0);
  process(table, 50);
  process(table, 60, 60, 50);
  process(table, 61, 61, 60);
  table.remove(60, 50);
  // An exit event without a reaper (an older capture): conmon is remembered as a reaper.
  process(table, 80, 80, 50);
  const orphan = process(table, 81, 81, 80);
  table.remove(80);
  assert.equal(orphan.ptid, 50);
  // A reaper the table does not know is ignored for the search.
  process(table, 90, 90, 50);
  const another = process(table, 91, 91, 90);
  table.remove(90, 12345);
  assert.equal(another.ptid, 50);
});
