import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ThreadTable } from '../decode/state/thread-table.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { readBootTimeNs } from '../sources/procfs/host-tables.js';
import { readThread } from '../sources/procfs/proc-thread.js';
import { GoneThreadScan } from './live-gone-threads.js';

const BOOT_NS = 1_700_000_000n * 1_000_000_000n;
/** 10 ms, one `stat` clock tick. */
const TICK_NS = 10_000_000n;
const roots: string[] = [];

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fake procfs that shows this process, and `tid`s with `stat` start times in ticks. */
function fakeProc(threads: Record<number, number>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-proc-'));
  roots.push(root);
  for (const [tid, ticks] of Object.entries({ ...threads, [process.pid]: 1 }))
    writeStat(root, Number(tid), ticks);
  return root;
}

/** `/proc/TID/stat` with start time `ticks` (field 22) and a command name that has ') '. */
function writeStat(root: string, tid: number, ticks: number): void {
  mkdirSync(path.join(root, String(tid)), { recursive: true });
  const fields = ['S', ...new Array<string>(18).fill('0'), String(ticks), '0', '0'];
  writeFileSync(path.join(root, String(tid), 'stat'), `${tid} (a) b) ${fields.join(' ')}\n`);
}

/** A thread of `table` started `ticks` after boot (0: start unknown, as a placeholder's). */
function thread(table: ThreadTable, tid: number, ticks: number, pid = tid): ThreadInfo {
  const info = table.newThread(tid);
  Object.assign(info, { pid, ptid: 0, comm: `t${tid}` });
  info.cloneTs = ticks === 0 ? 0n : BOOT_NS + BigInt(ticks) * TICK_NS;
  assert.ok(table.add(info));
  return info;
}

const tids = (threads: readonly ThreadInfo[]) => threads.map((t) => t.tid);

test('finds threads missing from /proc and tids that now belong to a later thread', () => {
  const table = new ThreadTable();
  thread(table, 100, 500); // still there, same start
  thread(table, 101, 500); // no /proc entry: exited
  thread(table, 102, 500); // its tid reused by a thread started 2 s later
  thread(table, 103, 500); // 50 ms later in /proc: rounding, not another thread
  thread(table, 104, 0); // start unknown: only its presence counts
  thread(table, 105, 500, 100); // a thread of process 100, exited
  const proc = fakeProc({ 100: 500, 102: 700, 103: 505, 104: 900 });
  const found = new GoneThreadScan(table, { procRoot: proc, bootTimeNs: BOOT_NS }).findGone();
  assert.deepEqual(tids(found.gone), [101, 102, 105]);
  assert.equal(found.checked, 6);
  assert.equal(found.unreadable, 0);
  assert.equal(table.size, 6, 'the scan itself removes nothing');
});

test('finds a thread gone 110 ms after its start but not one 100 ms after', () => {
  const table = new ThreadTable();
  thread(table, 200, 500);
  thread(table, 201, 500);
  const proc = fakeProc({ 200: 510, 201: 511 });
  const found = new GoneThreadScan(table, { procRoot: proc, bootTimeNs: BOOT_NS }).findGone();
  assert.deepEqual(tids(found.gone), [201]);
});

test('an entry it cannot read is counted and kept, not taken for gone', () => {
  const table = new ThreadTable();
  thread(table, 300, 500);
  const proc = fakeProc({});
  // A directory where the stat file should be: reading fails with EISDIR, not ENOENT.
  mkdirSync(path.join(proc, '300', 'stat'), { recursive: true });
  const found = new GoneThreadScan(table, { procRoot: proc, bootTimeNs: BOOT_NS }).findGone();
  assert.deepEqual(found, { gone: [], checked: 1, unreadable: 1 });
});

test('checks at most maxChecks threads a scan, going on where the last scan stopped', () => {
  const table = new ThreadTable();
  for (const tid of [400, 401, 402, 403, 404]) thread(table, tid, 500);
  const scan = new GoneThreadScan(table, { procRoot: fakeProc({ 401: 500 }), bootTimeNs: BOOT_NS, maxChecks: 2 }); // prettier-ignore
  const scans = [scan.findGone(), scan.findGone(), scan.findGone(), scan.findGone()];
  assert.deepEqual(
    scans.map((found) => [tids(found.gone), found.checked]),
    [
      [[400], 2],
      [[402, 403], 2],
      [[404], 1],
      [[400], 2],
    ],
  );
});

test('a thread removed between two scans is skipped and the scan goes on', () => {
  const table = new ThreadTable();
  for (const tid of [500, 501, 502]) thread(table, tid, 500);
  const scan = new GoneThreadScan(table, { procRoot: fakeProc({}), bootTimeNs: BOOT_NS, maxChecks: 1 }); // prettier-ignore
  assert.deepEqual(tids(scan.findGone().gone), [500]);
  table.remove(501);
  assert.deepEqual(tids(scan.findGone().gone), [502]);
});

test('finds nothing when the /proc it reads does not show this process', () => {
  const table = new ThreadTable();
  thread(table, 600, 500);
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-proc-'));
  roots.push(root);
  const found = new GoneThreadScan(table, { procRoot: root, bootTimeNs: BOOT_NS }).findGone();
  assert.deepEqual(found, { gone: [], checked: 0, unreadable: 0 });
});

test('on this host, finds a dead tid and keeps this process with its start time, and its threads', () => {
  const bootTimeNs = readBootTimeNs();
  const options = { envBytes: 0, bootTimeNs, unifiedControllers: [] };
  const table = new ThreadTable();
  // As the live pipeline gives snapshot threads their start time.
  thread(table, process.pid, 0).cloneTs = readThread(process.pid, process.pid, options)!.startTs;
  const workers = readdirSync(`/proc/${process.pid}/task`).map(Number);
  for (const tid of workers.filter((tid) => tid !== process.pid))
    thread(table, tid, 0, process.pid);
  const dead = thread(table, 0x3fffffff, 0); // past any pid_max
  const found = new GoneThreadScan(table, { bootTimeNs }).findGone();
  assert.ok(table.findThread(process.pid)!.cloneTs > 0n);
  assert.ok(workers.length > 1, 'node runs more than one thread');
  assert.deepEqual(found.gone, [dead]);
  assert.equal(found.checked, workers.length + 1);
});
