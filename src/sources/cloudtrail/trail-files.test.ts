import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { readTrailBytes, readTrailFile } from './trail-files.js';

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
  // A gzip file stopping early may still be being written.
  assert.deepEqual(cut, {
    records: [],
    errors: [{ origin: { file: 'cut.json.gz' }, reason: 'gzip stream truncated' }],
    incomplete: true,
  });
  const corrupt = Buffer.from(gzipped);
  corrupt[3] = 0xe0; // reserved header flags
  const bad = readTrailBytes(corrupt, 'bad.json.gz');
  assert.deepEqual(bad.errors, [
    { origin: { file: 'bad.json.gz' }, reason: 'corrupt gzip data at compressed byte 3' },
  ]);
});

test('a zip archive named is read member by member, whatever its name', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-trail-zip-'));
  const archive = path.join(directory, 'stratus.bin');
  writeFileSync(
    archive,
    zipSync({
      'a/one.json': Buffer.from(log),
      'a/two.json.gz': gzipSync(log),
      'a/README.txt': Buffer.from('notes'),
      'a/cut.json': Buffer.from(log.slice(0, 20)),
    }),
  );
  const reads = await readTrailFile(archive);
  assert.deepEqual(
    reads.map((read) => [read.records.length, read.errors.map((error) => error.reason)]),
    [
      [2, []],
      [2, []],
      [0, ['not read: neither gzip nor JSON, expected a CloudTrail log file']],
      [0, ['invalid JSON: unexpected end of input inside a string']],
    ],
  );
  assert.equal(reads[0].records[1].origin.file, `${archive}:a/one.json`);
  const empty = path.join(directory, 'empty.zip');
  writeFileSync(empty, zipSync({}));
  assert.deepEqual(
    (await readTrailFile(empty)).flatMap((read) => read.errors),
    [{ origin: { file: empty }, reason: 'no files in the zip archive' }],
  );
});
