import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { formatLogLine, RateLimitedLog } from './log.js';

test('a log line in text form: time, level, subsystem, message, then the fields', () => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2024, 4, 1, 10, 0, 0),
    pid: 7,
    hostname: 'h',
    subsystem: 'cli.replay',
    source: 'k8s_audit',
    file: 'a.log',
    line: 3,
    at: 'a.log:3:1',
    reason: "invalid JSON: unexpected 'x'",
    count: 2,
    msg: 'malformed record skipped; reading goes on',
  });
  assert.equal(
    formatLogLine(line),
    '2024-05-01T10:00:00.000Z WARN cli.replay: malformed record skipped; reading goes on ' +
      `(source=k8s_audit at=a.log:3:1 reason="invalid JSON: unexpected 'x'" count=2)\n`,
  );
});

test('errors show their message, objects their JSON, and a line without fields ends at the message', () => {
  const error = {
    level: 50,
    time: 0,
    msg: 'failed',
    err: { type: 'Error', message: 'boom', stack: 'x' },
  };
  assert.equal(
    formatLogLine(JSON.stringify(error)),
    '1970-01-01T00:00:00.000Z ERROR: failed (err="boom")\n',
  );
  const info = { level: 30, time: 0, subsystem: 's', msg: 'started', stats: { a: 1 } };
  assert.equal(
    formatLogLine(JSON.stringify(info)),
    '1970-01-01T00:00:00.000Z INFO s: started (stats={"a":1})\n',
  );
  assert.equal(
    formatLogLine('{"level":30,"time":0,"msg":"up"}'),
    '1970-01-01T00:00:00.000Z INFO: up\n',
  );
});

test('RateLimitedLog logs the first lines of a minute, then counts the rest in one line', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => done(void lines.push(JSON.parse(String(chunk)))),
  });
  let now = 1_000_000;
  const log = new RateLimitedLog(pino(sink), 3, () => now);
  for (let i = 0; i < 10; i++) log.warn({ i }, 'refused');
  assert.deepEqual(
    lines.map((line) => line.i),
    [0, 1, 2],
  );
  now += 60_000;
  log.warn({ i: 10 }, 'refused');
  assert.deepEqual(
    lines.slice(3).map(({ msg, count, i }) => ({ msg, count, i })),
    [
      { msg: 'lines left out over the per-minute limit: refused', count: 7, i: undefined },
      { msg: 'refused', count: undefined, i: 10 },
    ],
  );
});
