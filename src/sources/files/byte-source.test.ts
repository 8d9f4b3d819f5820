import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  decompressedChunks,
  type ByteSource,
  type ChunkOptions,
  type ReadProgress,
} from './byte-source.js';
import { GzipError } from './gzip-data.js';

const text = Buffer.from(
  Array.from({ length: 3000 }, (_, index) => `record ${index} ${(index * 7919) % 997}`).join('\n'),
);

/** The chunks of `source`, and the error that ended them, if any. */
async function chunksOf(source: ByteSource, options?: ChunkOptions) {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of decompressedChunks(source, options)) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

test('chunkSize bounds the chunks read and decompressed; progress counts the bytes read', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-bytes-')), 'text.gz');
  const gzipped = gzipSync(text);
  writeFileSync(file, gzipped);
  const inputs: [ByteSource, number, boolean][] = [
    [{ name: 'plain', bytes: text }, text.length, false],
    [{ name: 'memory.gz', bytes: gzipped }, gzipped.length, true],
    [{ name: file, path: file }, gzipped.length, true],
  ];
  for (const [source, size, compressed] of inputs) {
    const progress: ReadProgress = { bytesRead: 0, compressed: false };
    const { chunks, error } = await chunksOf(source, { chunkSize: 1000, progress });
    assert.equal(error, undefined);
    assert.deepEqual(Buffer.concat(chunks), text, source.name);
    assert.ok(chunks.length > text.length / 1000, `${chunks.length} chunks from ${source.name}`);
    assert.ok(
      chunks.every((chunk) => chunk.length <= 1000),
      source.name,
    );
    assert.deepEqual(progress, { bytesRead: size, compressed }, source.name);
  }
});

test('a checksum fault in an earlier member gives that member, then places the fault at its trailer', async () => {
  const first = gzipSync(text.subarray(0, 20_000));
  first[first.length - 8] ^= 0xff; // the stored CRC-32: the data decodes, the check fails
  const bytes = Buffer.concat([first, gzipSync(text.subarray(20_000))]);
  const { chunks, error } = await chunksOf({ name: 'members.gz', bytes });
  // zlib dropped what the failing write decoded; the clean prefix gave it back.
  assert.deepEqual(Buffer.concat(chunks), text.subarray(0, 20_000));
  assert.ok(error instanceof GzipError);
  assert.equal(error.kind, 'checksum');
  assert.equal(error.uncompressedOffset, 20_000);
  assert.equal(
    error.message,
    `corrupt gzip data somewhere before compressed byte ${first.length - 8}: the checksum in its trailer does not match`,
  );
});

test('a long gzip file, read in many chunks that each wait for zlib, leaves no listener behind', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    // Chunks above the stream's 16 KiB buffer: each write waits for zlib to drain it.
    const data = randomBytes(2 * 1024 * 1024);
    const bytes = gzipSync(data, { level: 1 });
    const { chunks, error } = await chunksOf({ name: 'long.gz', bytes }, { chunkSize: 64 * 1024 });
    assert.equal(error, undefined);
    assert.deepEqual(Buffer.concat(chunks), data);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});
