import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import fc from 'fast-check';
import { silentLogger } from '../log.js';
import type { Alert } from '../alerts/alert.js';
import type { ProbeCounters, ProbeStatsRecord } from '../sources/ebpf/frame-reader.js';
import { DROP_RULE, DropMonitor } from './live-drops.js';
import type { DropNote } from './drop-notes.js';

function stats(ts: bigint, counters: Partial<ProbeCounters>): ProbeStatsRecord {
  const zero: ProbeCounters = {
    eventsSeen: 0, eventsSent: 0, dropsFullProcess: 0, dropsFullFile: 0, dropsFullNetwork: 0,
    dropsFullClose: 0, dropsFullOther: 0, dropsTooLarge: 0, dropsNoScratch: 0, noHandler: 0,
    skippedFailed: 0, framesWritten: 0,
  }; // prettier-ignore
  return { kind: 'stats', ts, token: 0, counters: { ...zero, ...counters } };
}

test("raises Falco's drop alert with the second's numbers, at most once per interval", () => {
  const alerts: Alert[] = [];
  const monitor = new DropMonitor({
    logger: silentLogger(),
    onAlert: (alert) => alerts.push(alert),
    hostname: 'h',
    timeFormat: 'iso8601',
  });
  monitor.take(stats(1_000_000_000n, { eventsSeen: 100 }), 0);
  monitor.take(
    stats(2_000_000_000n, { eventsSeen: 300, dropsFullFile: 7, dropsTooLarge: 1 }),
    1000,
  );
  monitor.take(
    stats(3_000_000_000n, { eventsSeen: 400, dropsFullFile: 9, dropsTooLarge: 1 }),
    2000,
  );
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule, DROP_RULE);
  assert.equal(alerts[0].priority, 'Debug');
  assert.equal(
    alerts[0].output,
    '1970-01-01T00:00:02.000000000+0000: Debug Falco internal: syscall event drop. 8 system calls dropped in last second.',
  );
  assert.equal(alerts[0].outputFields.get('n_evts'), 200);
  assert.equal(alerts[0].outputFields.get('n_drops_buffer_total'), 7);
  assert.equal(alerts[0].outputFields.get('n_drops_too_large'), 1);
  assert.deepEqual(monitor.totals.byReason.buffer_full_file, 9);
  assert.equal(monitor.totals.kernel, 10);

  monitor.take(
    stats(40_000_000_000n, { eventsSeen: 500, dropsFullFile: 10, dropsTooLarge: 1 }),
    40_000,
  );
  assert.equal(alerts.length, 2);
  assert.equal(alerts[1].outputFields.get('n_drops'), 1);
});

test('stays quiet without drops and counts userspace drops apart', () => {
  const alerts: Alert[] = [];
  const monitor = new DropMonitor({
    logger: silentLogger(),
    onAlert: (alert) => alerts.push(alert),
    hostname: 'h',
  });
  monitor.take(stats(1n, { eventsSeen: 10 }), 0);
  monitor.take(stats(2n, { eventsSeen: 20 }), 1000);
  monitor.countUserspace(3);
  monitor.take(stats(3n, { eventsSeen: 30 }), 2000);
  assert.equal(alerts.length, 0);
  assert.deepEqual(monitor.totals, {
    kernel: 0,
    userspace: 3,
    byReason: {
      buffer_full_process: 0, buffer_full_file: 0, buffer_full_network: 0, buffer_full_close: 0,
      buffer_full_other: 0, event_too_large: 0, no_scratch_space: 0,
    },
  }); // prettier-ignore
});

test('the drop log line says what goes on without the events: detection, or recording', () => {
  for (const activity of [undefined, 'recording'] as const) {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const monitor = new DropMonitor({ logger, onAlert: () => {}, hostname: 'h', activity });
    monitor.take(stats(1_000_000_000n, { eventsSeen: 100 }), 0);
    monitor.take(stats(2_000_000_000n, { eventsSeen: 300, dropsFullFile: 7 }), 1000);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      [`syscall events dropped; ${activity ?? 'detection'} goes on without them`],
    );
  }
});

test('a replay of the drop notes raises the alerts the live frames raised, at the same times', () => {
  const counterNames = ['dropsFullFile', 'dropsFullClose', 'dropsTooLarge'] as const;
  const frame = fc.record({
    gapMs: fc.integer({ min: 100, max: 20_000 }),
    events: fc.nat(5000),
    drops: fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }),
    userspace: fc.nat(2),
  });
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 40 }), (frames) => {
      const liveAlerts: Alert[] = [];
      const notes: DropNote[] = [];
      const live = new DropMonitor({
        onAlert: (alert) => liveAlerts.push(alert),
        onNote: (note) => notes.push(note),
        hostname: 'h',
      });
      let ts = 1_700_000_000_000_000_000n;
      const counters = stats(0n, {}).counters;
      for (const { gapMs, events, drops, userspace } of frames) {
        ts += BigInt(gapMs) * 1_000_000n;
        counters.eventsSeen += events;
        counterNames.forEach((name, index) => (counters[name] += drops[index]));
        live.countUserspace(userspace);
        live.take({ kind: 'stats', ts, token: 0, counters: { ...counters } });
      }
      const replayedAlerts: Alert[] = [];
      const replay = new DropMonitor({
        onAlert: (alert) => replayedAlerts.push(alert),
        hostname: 'h',
      });
      for (const note of notes) replay.replayNote(note);
      assert.deepEqual(replayedAlerts, liveAlerts);
      assert.deepEqual(replay.totals, live.totals);
      // A note for every frame with new drops, and none for the others.
      const withDrops = frames.filter(
        ({ drops, userspace }) => drops.some((count) => count > 0) || userspace > 0,
      );
      assert.equal(notes.length, withDrops.length);
    }),
  );
});
