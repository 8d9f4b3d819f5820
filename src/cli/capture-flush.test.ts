import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScapWriter } from '../sources/scap/scap-writer.js';
import { eventBytes } from '../testing/event-bytes.js';
import { CAPTURE_FLUSH_MS, CaptureFlusher, type FlushableCapture } from './capture-flush.js';

test('each tick writes the buffered events to the file, with no close', async (context) => {
  context.mock.timers.enable({ apis: ['setInterval'] });
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-flush-'));
  const file = path.join(directory, 'live.scap');
  const writer = await ScapWriter.create(file);
  const flusher = new CaptureFlusher(writer);
  try {
    writer.writeEvent({ rawBytes: eventBytes(3, 10, [new Uint8Array([1, 2, 3])]) });
    assert.equal(statSync(file).size, 0, 'the header and event wait in the buffer');

    context.mock.timers.tick(CAPTURE_FLUSH_MS);
    await flusher.flush();
    const flushed = statSync(file).size;
    assert.ok(flushed > 0, 'the tick wrote the buffer out');

    writer.writeEvent({ rawBytes: eventBytes(3, 10, [new Uint8Array([4, 5, 6])]) });
    context.mock.timers.tick(CAPTURE_FLUSH_MS);
    await flusher.flush();
    const second = statSync(file).size;
    assert.ok(second > flushed, 'the next tick wrote the second event');

    await flusher.stop();
    const summary = await writer.close();
    assert.equal(summary.events, 2);
    assert.equal(second, summary.bytes, 'close had nothing left to write');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a tick while a flush is under way starts no second flush', async (context) => {
  context.mock.timers.enable({ apis: ['setInterval'] });
  let started = 0;
  let finish = () => {};
  const capture: FlushableCapture = {
    flush: () => {
      started++;
      return new Promise<void>((resolve) => (finish = resolve));
    },
  };
  const flusher = new CaptureFlusher(capture);
  context.mock.timers.tick(CAPTURE_FLUSH_MS);
  context.mock.timers.tick(CAPTURE_FLUSH_MS);
  assert.equal(started, 1);
  finish();
  await flusher.stop();
  context.mock.timers.tick(CAPTURE_FLUSH_MS);
  assert.equal(started, 1, 'no flush after stop');
});
