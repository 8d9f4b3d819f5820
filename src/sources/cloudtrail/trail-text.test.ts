import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readTrailText } from './trail-text.js';
import { readTrailBytes } from './trail-files.js';
import { readTrailStream } from './trail-stream.js';
import type { TrailRead } from './trail-text.js';

const log = '{"Records": [\n  {"eventName": "A",\n   "x": {"y": 1}},\n  {"eventName": "B"}\n]}';

test('records of a log file keep the line they start on', () => {
  const read = readTrailText(log, 'f.json');
  assert.deepEqual(
    read.records.map((record) => record.origin),
    [
      { file: 'f.json', line: 2, column: 3, index: 0 },
      { file: 'f.json', line: 4, column: 3, index: 1 },
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

test('records of a one-line log and of an array line keep their column', () => {
  const oneLine = '{"Records":[{"eventName":"A"},{"eventName":{"x":1}},7]}';
  assert.deepEqual(
    readTrailText(oneLine, 'mixed.json').records.map((record) => record.origin),
    // 7 is no object: the scan finds two starts for three records, so only the index is sure.
    [0, 1, 2].map((index) => ({ file: 'mixed.json', line: 1, index })),
  );
  const objects = '{"Records":[{"eventName":"A"},{"eventName":{"x":1}}]}';
  assert.deepEqual(
    readTrailText(objects, 'mixed.json').records.map((record) => record.origin.column),
    [13, 31],
  );
  const lines = '{"eventName":"A"}\n[{"eventName":"B"}, {"eventName":"C"}]\n';
  assert.deepEqual(
    readTrailText(lines, 'f.jsonl').records.map((record) => record.origin),
    [
      { file: 'f.jsonl', line: 1, index: 0 },
      { file: 'f.jsonl', line: 2, column: 2, index: 0 },
      { file: 'f.jsonl', line: 2, column: 21, index: 1 },
    ],
  );
});

test('a text that stops inside a value, or is empty, is incomplete; other faults are not', () => {
  const whole = '{"Records": [\n  {"eventName": "StopLogging"}\n]}';
  assert.equal(readTrailText(whole.slice(0, 30), 'f.json').incomplete, true);
  assert.equal(readTrailText('', 'f.json').incomplete, true);
  const invalid = readTrailText('{"Records": [}', 'f.json');
  assert.equal(invalid.incomplete, undefined);
  assert.deepEqual(invalid.errors, [
    { origin: { file: 'f.json', line: 1, column: 14 }, reason: "invalid JSON: unexpected '}'" },
  ]);
  // JSON lines: a last line without its end is still being written; a bad line before is not.
  const cutLine = readTrailText('{"eventName":"A"}\n{"eventName":"B', 'f.jsonl');
  assert.deepEqual([cutLine.records.length, cutLine.incomplete], [1, true]);
  const badLine = readTrailText('{"eventName":"A"}\n{"eventName":"B\n', 'f.jsonl');
  assert.deepEqual([badLine.records.length, badLine.incomplete], [1, undefined]);
});

test('a gzip stream on stdin is read, and a broken one is one error after its lines', async () => {
  const lines = '{"eventName":"A"}\n{"eventName":"B"}\n';
  const reads: TrailRead[] = [];
  const gzipped = gzipSync(lines);
  // The magic split over two chunks is still found.
  await readTrailStream(Readable.from([gzipped.subarray(0, 1), gzipped.subarray(1)]), '-', (read) =>
    reads.push(read),
  );
  assert.deepEqual(
    reads.flatMap((read) => read.records.map((record) => record.origin.line)),
    [1, 2],
  );
  const cut: TrailRead[] = [];
  const big = gzipSync(lines.repeat(2000));
  await readTrailStream(Readable.from([big.subarray(0, big.length - 10)]), '-', (read) =>
    cut.push(read),
  );
  const errors = cut.flatMap((read) => read.errors);
  assert.deepEqual(errors, [{ origin: { file: '-' }, reason: 'gzip stream truncated' }]);
  assert.ok(cut.flatMap((read) => read.records).length > 3000);
});
