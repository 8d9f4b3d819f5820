import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GZIP_LOCATE_LIMIT, GzipError } from '../files/index.js';
import { corpusPath } from '../../testing/corpus.js';
import { CaptureFileChunks } from './byte-stream.js';
import { CaptureFileError } from './records.js';

const catWrite = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');

async function scratchFile(name: string, bytes: Uint8Array): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-capture-'));
  const file = path.join(directory, name);
  await writeFile(file, bytes);
  return file;
}

/** Every byte `file` yields, and the error that ended it, if any. */
async function readAll(file: CaptureFileChunks) {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of file) chunks.push(chunk);
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
  return { bytes: Buffer.concat(chunks), error: undefined };
}

test('a plain capture comes as it is, not compressed, every byte counted as read', async () => {
  const plain = gunzipSync(readFileSync(catWrite));
  const file = new CaptureFileChunks(await scratchFile('plain.scap', plain));
  const { bytes, error } = await readAll(file);
  assert.equal(error, undefined);
  assert.deepEqual(bytes, plain);
  assert.equal(file.compressed, false);
  assert.equal(file.fileBytesRead, plain.length);
});

test('a gzip capture in memory is decompressed, its compressed bytes counted as read', async () => {
  const gzipped = readFileSync(catWrite);
  const file = new CaptureFileChunks('archive.zip:cat_write.scap', gzipped);
  const { bytes, error } = await readAll(file);
  assert.equal(error, undefined);
  assert.deepEqual(bytes, gunzipSync(gzipped));
  assert.equal(file.compressed, true);
  assert.equal(file.fileBytesRead, gzipped.length);
});

test('corrupt gzip data in memory is placed in both streams, after the bytes before it', async () => {
  const gzipped = Buffer.from(readFileSync(catWrite));
  gzipped[3] = 0xe0; // reserved header flags: zlib refuses the header on its flags byte
  const { bytes, error } = await readAll(new CaptureFileChunks('archive.zip:bad.scap', gzipped));
  assert.equal(bytes.length, 0);
  assert.ok(error instanceof CaptureFileError);
  assert.ok(error.cause instanceof GzipError && error.cause.kind === 'corrupt');
  assert.equal(error.message, 'corrupt gzip data at compressed byte 3 (uncompressed byte 0)');
});

test('a checksum fault past the locate limit still gives every byte the data holds', async () => {
  // Incompressible, so the compressed file is larger than the limit.
  const data = randomBytes(GZIP_LOCATE_LIMIT + 512 * 1024);
  const gzipped = gzipSync(data, { level: 1 });
  assert.ok(gzipped.length > GZIP_LOCATE_LIMIT);
  gzipped[gzipped.length - 5] ^= 0xff; // the stored CRC-32
  const file = new CaptureFileChunks(await scratchFile('checksum.scap.gz', gzipped));
  const { bytes, error } = await readAll(file);
  assert.deepEqual(bytes, data);
  assert.ok(error instanceof CaptureFileError);
  assert.ok(error.cause instanceof GzipError && error.cause.kind === 'checksum');
  assert.equal(
    error.message,
    'corrupt gzip data somewhere: the checksum in its trailer does not match',
  );
});
