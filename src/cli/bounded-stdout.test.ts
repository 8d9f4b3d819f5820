import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { capturingLogger } from '../testing/capturing-logger.js';
import { BoundedStdout } from './bounded-stdout.js';

/** A stream whose reader has stopped: nothing is written until `release` is called. */
function stalledStream() {
  const held: (() => void)[] = [];
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      held.push(done);
    },
  });
  // Writes complete one at a time: release until nothing is held.
  const release = async () => {
    while (held.length > 0) {
      held.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { stream, written, release };
}

const line = (index: number) => `${String(index).padStart(99, '0')}\n`;

test('an unread stdout holds at most the limit; the rest is dropped, counted and logged (F8)', async () => {
  const { stream, written, release } = stalledStream();
  const { logger, lines } = capturingLogger();
  const stdout = new BoundedStdout(logger, stream, 1000);

  for (let index = 0; index < 1000; index++) stdout.write(line(index));

  assert.ok(stream.writableLength <= 1000, `${stream.writableLength} bytes held`);
  // Ten lines of 100 bytes fill the limit.
  assert.equal(stdout.dropped, 990);
  assert.deepEqual(
    lines.map((entry) => [entry.level, entry.msg]),
    [
      [
        40,
        'stdout is not being read; alert lines are dropped from it until it is (the store has them)',
      ],
    ],
  );

  await release();
  stdout.write(line(1000));
  await release();

  assert.deepEqual(written.slice(-2), [line(9), line(1000)]);
  assert.equal(written.length, 11);
  assert.deepEqual(
    [lines[1].msg, lines[1].dropped, lines[1].droppedTotal],
    ['alert lines dropped from stdout while it was not read (the store has them)', 990, 990],
  );
});

test('a stdout that keeps up drops nothing and logs nothing', () => {
  const written: string[] = [];
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => done(void written.push(chunk.toString())),
  });
  const { logger, lines } = capturingLogger();
  const stdout = new BoundedStdout(logger, stream, 1000);

  for (let index = 0; index < 100; index++) stdout.write(line(index));
  stdout.reportDropped();

  assert.equal(written.length, 100);
  assert.equal(stdout.dropped, 0);
  assert.deepEqual(lines, []);
});

test('without a store the drop warning says the lines are lost', () => {
  const { stream } = stalledStream();
  const { logger, lines } = capturingLogger();
  const stdout = new BoundedStdout(logger, stream, 10);
  stdout.storing = false;
  stdout.write(line(0));
  stdout.write(line(1));
  stdout.reportDropped();
  assert.deepEqual(
    lines.map((entry) => entry.msg),
    [
      'stdout is not being read; alert lines are dropped from it until it is (no store: they are lost)',
      'alert lines dropped from stdout while it was not read (no store: they are lost)',
    ],
  );
});
