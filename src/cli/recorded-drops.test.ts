import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScapWriter } from '../sources/scap/scap-writer.js';
import type { ProbeCounters } from '../sources/ebpf/frame-reader.js';
import { eventBytes, int64 } from '../testing/event-bytes.js';
import { replayCloses } from '../testing/replay-closes.js';
import { asyncEvent, dropNoteEvent } from './drop-notes.js';

const counters = (seen: number, drops: number): ProbeCounters => ({
  eventsSeen: seen, eventsSent: seen - drops, dropsFullProcess: 0, dropsFullFile: 0,
  dropsFullNetwork: 0, dropsFullClose: drops, dropsFullOther: 0, dropsTooLarge: 0,
  dropsNoScratch: 0, noHandler: 0, skippedFailed: 0, framesWritten: 0,
}); // prettier-ignore

const SECOND = 1_000_000_000n;
const START = 1_700_000_000n * SECOND;
/** PPME_SYSCALL_CLOSE_X: res, fd. */
const CLOSE_X = 5;

function close(ts: bigint): Uint8Array {
  const bytes = eventBytes(CLOSE_X, 42, [int64(0), int64(3)]);
  new DataView(bytes.buffer).setBigUint64(0, ts, true);
  return bytes;
}

test('a replay raises the drop alerts its recording noted, numbers the notes as events and warns of the gap', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-drops-'));
  const capture = path.join(directory, 'gaps.scap');
  const writer = await ScapWriter.create(capture);
  const text = new TextEncoder();
  for (const rawBytes of [
    close(START),
    dropNoteEvent({
      ts: START + SECOND,
      previous: counters(10, 0),
      counters: counters(60, 40),
      userspace: 0,
    }),
    // 2 s later: a new drop but within Falco's 30 s between drop alerts.
    dropNoteEvent({
      ts: START + 3n * SECOND,
      previous: counters(70, 40),
      counters: counters(80, 45),
      userspace: 2,
    }),
    asyncEvent(
      START + 4n * SECOND,
      text.encode('harrier_drops\0'),
      text.encode('{"userspace": "x"}'),
    ),
    close(START + 5n * SECOND),
  ])
    writer.writeEvent({ rawBytes });
  await writer.close();

  const { alerts, result } = await replayCloses(capture, 'close %evt.num');
  assert.deepEqual(
    alerts.map((alert) => alert.output),
    [
      '2023-11-14T22:13:20.000000000+0000: Notice close 1',
      '2023-11-14T22:13:21.000000000+0000: Debug Falco internal: syscall event drop. 40 system calls dropped in last second.',
      // the three notes were events 2 to 4, as live numbered them
      '2023-11-14T22:13:25.000000000+0000: Notice close 5',
    ],
  );
  assert.equal(alerts[1].outputFields.get('n_evts'), 50);
  const [stats] = result.captures;
  assert.equal(stats.events, 2);
  assert.equal(stats.alerts, 3);
  assert.equal(stats.recordedDrops.totals.kernel, 45);
  assert.equal(stats.recordedDrops.totals.userspace, 2);
  assert.deepEqual(stats.recordedDrops.warnings(capture), [
    `${capture}: the live capture lost 47 events while this was recorded (buffer_full_close 45, not decodable by Harrier 2): alerts on them are missing here, as they were live`,
    `${capture}: 1 drop note unreadable, skipped (the first, event 4: harrier_drops event: expected a number at "userspace")`,
  ]);
});
