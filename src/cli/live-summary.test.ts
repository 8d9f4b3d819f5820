import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveCounters } from './live-pipeline.js';
import { formatRecordSummary } from './live-summary.js';
import { formatCounters } from './run.js';

const counters: LiveCounters = {
  events: 10, kernelEventsSeen: 12, kernelEventsSent: 11, alerts: 0, dropAlerts: 0,
  noHandler: 0, reloads: 0, snapshotThreads: 93, snapshotFds: 685, recorded: 10,
  drops: { kernel: 2, userspace: 1, byReason: { buffer_full_process: 2, event_too_large: 0 } },
  threads: 90, threadsReapedGone: 4, threadsDroppedTableFull: 1, fdsDroppedTableFull: 5,
  pendingClonesDropped: 3,
}; // prettier-ignore

test('record stops with its events and drops, then the state counters run prints', () => {
  assert.equal(
    formatRecordSummary(counters, 'host.scap.gz'),
    'harrier: recorded 10 events to host.scap.gz (kernel drops: 2 (buffer_full_process 2, ' +
      'event_too_large 0); userspace drops: 1)\n' +
      '  start-up state: 93 threads, 685 fds\n' +
      '  threads at stop: 90 (removed as gone from /proc, exit not seen: 4; refused, table full: 1)\n' +
      "  state refused: 5 fds (process table full), 3 fork children's fd copies (too many awaited)\n",
  );
});

test("record's state lines are the very lines of run's stop summary", () => {
  const runLines = formatCounters(counters, new Map(), 1000, 0).split('\n');
  const stateLines = formatRecordSummary(counters, 'x.scap').split('\n').slice(1, 4);
  assert.equal(stateLines.length, 3);
  for (const line of stateLines) assert.ok(runLines.includes(line), line);
});

test("run's stop summary names alert lines dropped from an unread stdout, and only then", () => {
  const line = '  stdout: 7 alert lines dropped while it was not read';
  const text = formatCounters(counters, new Map(), 1000, 0, { stdoutDropped: 7 });
  assert.ok(text.split('\n').includes(line));
  assert.ok(!formatCounters(counters, new Map(), 1000, 0).includes('stdout:'));
});

test("run's stop summary gives each output's delivered alerts and those it left behind", () => {
  const base = {
    queued: 0,
    delivered: 0,
    possibleDuplicates: 0,
    failures: 0,
    rejected: 0,
    dropped: 0,
    depth: 0,
  };
  const outputs = {
    screen: { ...base, queued: 5, delivered: 5 },
    hook: { ...base, queued: 5540, delivered: 12, depth: 46, rejected: 2, dropped: 5480, failures: 9 },
  }; // prettier-ignore
  const lines = formatCounters(counters, new Map(), 1000, 0, { outputs }).split('\n');
  assert.deepEqual(
    lines.filter((line) => line.startsWith('  output ')),
    [
      '  output screen: 5 delivered',
      '  output hook: 12 delivered, 46 still queued, sent after the next start, 2 refused by the destination, set aside on disk, 5480 dropped from a full queue',
    ],
  );
});
