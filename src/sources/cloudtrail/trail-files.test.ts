import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readTrailBytes } from './trail-files.js';

const log = JSON.stringify({
  Records: [
    { eventTime: '2024-05-01T10:00:00Z', eventName: 'StopLogging', eventSource: 'x' },
    { eventTime: '2024-05-01T10:00:01Z', eventName: 'CreateUser', eventSource: 'y' },
  ],
});

test('a gzip trail file is read by its content, whatever its name', () => {
  for (const name of ['a.json.gz', 'a.json'])
    assert.equal(readTrailBytes(gzipSync(log), name).records.length, 2, name);
  assert.equal(readTrailBytes(Buffer.from(log), 'plain.json.gz').records.length, 2);
});

test("a broken gzip trail file is one error in Harrier's words, not zlib's", () => {
  const gzipped = gzipSync(log);
  const cut = readTrailBytes(gzipped.subarray(0, gzipped.length - 4), 'cut.json.gz');
  assert.deepEqual(cut, {
    records: [],
    errors: [{ origin: { file: 'cut.json.gz' }, reason: 'gzip stream truncated' }],
  });
  const corrupt = Buffer.from(gzipped);
  corrupt[3] = 0xe0; // reserved header flags
  const bad = readTrailBytes(corrupt, 'bad.json.gz');
  assert.deepEqual(bad.errors, [
    { origin: { file: 'bad.json.gz' }, reason: 'corrupt gzip data at compressed byte 3' },
  ]);
});
