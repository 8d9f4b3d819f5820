import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCounters } from '../cli/run.js';
import type { LiveCounters } from '../cli/live-pipeline.js';
import { parseExitCounters } from './harrier-process.js';

const counters = {
  events: 468, alerts: 1, dropAlerts: 0, kernelEventsSeen: 470, kernelEventsSent: 468,
  noHandler: 0, kernelSkippedFailed: 8, recorded: 0, snapshotThreads: 93, snapshotFds: 685,
  reloads: 0,
  drops: {
    kernel: 2, userspace: 3,
    byReason: { buffer_full_process: 2, buffer_full_file: 0, buffer_full_network: 0, buffer_full_close: 0,
      buffer_full_other: 0, event_too_large: 0, no_scratch_space: 0 },
  },
} as unknown as LiveCounters; // prettier-ignore

const expected = { events: 468, kernelSeen: 470, kernelDrops: 2, userspaceDrops: 3 };

test('exit counters are read from the NDJSON stopped line of --json', () => {
  const stderr = [
    JSON.stringify({ level: 30, msg: 'live capture started' }),
    JSON.stringify({ level: 30, counters, failedReloads: 0, msg: 'stopped' }),
  ].join('\n');
  assert.deepEqual(parseExitCounters(stderr), expected);
});

test('exit counters are read from the text stop summary', () => {
  const text = formatCounters(counters, new Map(), 754, 0);
  assert.deepEqual(parseExitCounters(text), expected);
  assert.equal(parseExitCounters('no summary here'), undefined);
});
