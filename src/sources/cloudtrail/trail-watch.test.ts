import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { TrailWatch, type TrailWatchOptions } from './trail-watch.js';
import type { TrailRead } from './trail-text.js';

const log = JSON.stringify({
  Records: [
    { eventTime: '2024-05-01T10:00:00Z', eventName: 'StopLogging', eventSource: 'x' },
    { eventTime: '2024-05-01T10:00:01Z', eventName: 'CreateUser', eventSource: 'y' },
  ],
});

/** A watch of a new directory, scanned by hand, noting `name:records:errors` per file read. */
function watchNew(options: Partial<TrailWatchOptions> = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-watch-'));
  const read: string[] = [];
  const skipped: string[] = [];
  const describe = (file: string, got: TrailRead) =>
    `${path.relative(root, file)}:${got.records.length}:${got.errors.map((error) => error.reason).join('|')}`;
  const watch = new TrailWatch(root, {
    pollMilliseconds: 60_000,
    onFile: (file, got) => read.push(describe(file, got)),
    onSkipped: (file, reason) => skipped.push(`${path.relative(root, file)}: ${reason}`),
    ...options,
  });
  return { root, watch, read, skipped };
}

test('TrailWatch reads each new file once, after its size settles', async () => {
  const { root, watch, read } = watchNew();
  const day = path.join(root, 'AWSLogs/1/CloudTrail/eu-west-1/2024/01/02');
  mkdirSync(day, { recursive: true });
  writeFileSync(path.join(day, 'old.json'), log);
  await watch.start();
  // Seen once at start: not read until a second scan finds it unchanged.
  assert.deepEqual(read, []);
  writeFileSync(path.join(day, 'new.json.gz'), gzipSync(log));
  await watch.scan();
  await watch.scan();
  await watch.scan();
  await watch.stop();
  const prefix = 'AWSLogs/1/CloudTrail/eu-west-1/2024/01/02/';
  assert.deepEqual(read, [`${prefix}old.json:2:`, `${prefix}new.json.gz:2:`]);
});

test('a file caught half-written is read again once it is complete, and read once', async () => {
  const { root, watch, read } = watchNew();
  const file = path.join(root, 'slow-write.json');
  writeFileSync(file, log.slice(0, 100));
  await watch.start();
  await watch.scan();
  await watch.scan();
  assert.deepEqual(read, []);
  appendFileSync(file, log.slice(100));
  await watch.scan();
  await watch.scan();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(read, ['slow-write.json:2:']);
});

test('a gzip file caught half-written waits too; an empty file waits for its content', async () => {
  const { root, watch, read } = watchNew();
  const gzipped = gzipSync(log);
  writeFileSync(path.join(root, 'a.json.gz'), gzipped.subarray(0, 20));
  writeFileSync(path.join(root, 'b.json'), '');
  await watch.start();
  await watch.scan();
  appendFileSync(path.join(root, 'a.json.gz'), gzipped.subarray(20));
  writeFileSync(path.join(root, 'b.json'), log);
  await watch.scan();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(read, ['a.json.gz:2:', 'b.json:2:']);
});

test('a file cut short that stays unchanged is reported malformed after the quiet period', async () => {
  const { root, watch, read } = watchNew({ incompleteMilliseconds: 300 });
  writeFileSync(path.join(root, 'cut.json'), log.slice(0, 100));
  await watch.start();
  await watch.scan();
  await watch.scan();
  assert.deepEqual(read, []);
  await new Promise((resolve) => setTimeout(resolve, 350));
  await watch.scan();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(read, ['cut.json:0:invalid JSON: unexpected end of input inside a string']);
});

test('invalid JSON that is no truncation is reported as soon as the file settles', async () => {
  const { root, watch, read } = watchNew();
  writeFileSync(path.join(root, 'bad.json'), '{"Records": [}');
  await watch.start();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(read, ["bad.json:0:invalid JSON: unexpected '}'"]);
});

test('links to files are read once per target; FIFOs, sockets and other names are named once', async (t) => {
  const { root, watch, read, skipped } = watchNew();
  const outside = mkdtempSync(path.join(tmpdir(), 'harrier-watch-target-'));
  writeFileSync(path.join(outside, 'target.json'), log);
  writeFileSync(path.join(root, 'a.json'), log);
  symlinkSync(path.join(root, 'a.json'), path.join(root, 'b-link.json'));
  symlinkSync(path.join(outside, 'target.json'), path.join(root, 'c-link.json'));
  symlinkSync(path.join(outside, 'target.json'), path.join(root, 'd-link.json'));
  symlinkSync(path.join(outside, 'missing.json'), path.join(root, 'e-dangling.json'));
  symlinkSync(outside, path.join(root, 'f-dir-link'));
  writeFileSync(path.join(root, 'notes.txt'), 'hello');
  execFileSync('mkfifo', [path.join(root, 'pipe.json')]);
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(path.join(root, 'sock.json'), resolve));
  t.after(() => socket.close());
  await watch.start();
  await watch.scan();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(read, ['a.json:2:', 'c-link.json:2:']);
  assert.deepEqual(skipped, [
    'e-dangling.json: a symbolic link that cannot be followed: no such file',
    'f-dir-link: a symbolic link to a directory; linked directories are not watched',
    'notes.txt: not a CloudTrail log file name (.json, .json.gz, .jsonl)',
    'pipe.json: a FIFO (named pipe)',
    'sock.json: a socket',
  ]);
});
