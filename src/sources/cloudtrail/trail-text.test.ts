import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readTrailText } from './trail-text.js';
import { readTrailBytes, listTrailFiles } from './trail-files.js';
import { readTrailStream } from './trail-stream.js';
import { TrailWatch } from './trail-watch.js';
import type { TrailRead } from './trail-text.js';

const log = '{"Records": [\n  {"eventName": "A",\n   "x": {"y": 1}},\n  {"eventName": "B"}\n]}';

test('records of a log file keep the line they start on', () => {
  const read = readTrailText(log, 'f.json');
  assert.deepEqual(
    read.records.map((record) => record.origin),
    [
      { file: 'f.json', line: 2, index: 0 },
      { file: 'f.json', line: 4, index: 1 },
    ],
  );
});

test('braces and escaped quotes inside strings do not move record lines', () => {
  const text = '{"Records": [\n{"a": "x\\\\"},\n{"a": "{[\\"\\\\\\"{"},\n{"b": 1}]}';
  assert.deepEqual(JSON.parse(text).Records.length, 3);
  assert.deepEqual(
    readTrailText(text, 'f').records.map((record) => record.origin.line),
    [2, 3, 4],
  );
});

test('JSON lines: bad lines are errors with their line, the rest are read', () => {
  const read = readTrailText(
    '{"eventName":"A"}\nnope\n[{"eventName":"B"},{"eventName":"C"}]\n',
    'f.jsonl',
  );
  assert.deepEqual(
    read.records.map((record) => (record.value as { eventName: string }).eventName),
    ['A', 'B', 'C'],
  );
  assert.deepEqual(read.errors, [
    { origin: { file: 'f.jsonl', line: 2, column: 1 }, reason: "invalid JSON: unexpected 'n'" },
  ]);
});

test('a .gz file that is not gzip is read as text: one JSON error, not a crash', () => {
  const read = readTrailBytes(Buffer.from('not gzip'), 'x.json.gz');
  assert.equal(read.records.length, 0);
  assert.equal(read.errors[0].reason, "invalid JSON: unexpected 'n'");
  assert.equal(readTrailBytes(gzipSync(log), 'x.json.gz').records.length, 2);
});

test('a stream of JSON lines and a stream of one pretty-printed log are both read', async () => {
  const reads: TrailRead[] = [];
  await readTrailStream(
    Readable.from(['{"eventName":"A"}\n', 'bad\n{"eventName":"B"}\n']),
    '-',
    (read) => reads.push(read),
  );
  assert.deepEqual(
    reads.flatMap((read) => read.records.map((record) => record.origin.line)),
    [1, 3],
  );
  assert.deepEqual(
    reads.flatMap((read) => read.errors.map((error) => error.origin.line)),
    [2],
  );
  const pretty: TrailRead[] = [];
  await readTrailStream(Readable.from([log]), '-', (read) => pretty.push(read));
  assert.deepEqual(
    pretty.flatMap((read) => read.records.map((record) => record.origin.line)),
    [2, 4],
  );
});

test('TrailWatch reads each new file once, after its size settles', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-watch-'));
  const day = path.join(root, 'AWSLogs/1/CloudTrail/eu-west-1/2024/01/02');
  mkdirSync(day, { recursive: true });
  writeFileSync(path.join(day, 'old.json'), log);
  const files: string[] = [];
  const watch = new TrailWatch(root, {
    fromStart: false,
    pollMilliseconds: 60_000,
    onFile: (file, read) => files.push(`${path.basename(file)}:${read.records.length}`),
  });
  await watch.start();
  writeFileSync(path.join(day, 'new.json.gz'), gzipSync(log));
  await watch.scan();
  assert.deepEqual(files, []);
  await watch.scan();
  await watch.scan();
  await watch.stop();
  assert.deepEqual(files, ['new.json.gz:2']);
  assert.deepEqual(
    (await listTrailFiles(root)).map((file) => path.basename(file)),
    ['new.json.gz', 'old.json'],
  );
});
