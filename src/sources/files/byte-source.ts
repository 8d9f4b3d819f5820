/**
 * Input bytes of the file-based sources, from a file on disk or from memory (a member of a
 * zip archive), read chunk by chunk and gunzipped when they start with the gzip magic. A
 * broken gzip stream ends the chunks after everything decodable before the fault came out,
 * then throws a `GzipError` that places the fault in the compressed and decompressed bytes.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { GZIP_LOCATE_LIMIT, GzipError, gzipErrorOf, hasGzipMagic } from './gzip-data.js';

/** A file, or bytes already in memory, with the name messages give it. */
export type ByteSource =
  | { name: string; path: string; bytes?: undefined }
  | { name: string; bytes: Uint8Array; path?: undefined };

/** The source reading the file at `path`, named by its path. */
export function fileSource(path: string): ByteSource {
  return { name: path, path };
}

/** Bytes read from disk at a time. */
const READ_CHUNK = 1024 * 1024;

/** The first `length` bytes of `source` (fewer when it is shorter). */
export async function readHead(source: ByteSource, length: number): Promise<Uint8Array> {
  if (source.path === undefined) return source.bytes.subarray(0, length);
  const handle = await open(source.path, 'r');
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The raw bytes of `source`, chunk by chunk. File-system errors are thrown as Node's. */
async function* rawChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source.path === undefined) {
    for (let at = 0; at < source.bytes.length; at += READ_CHUNK)
      yield source.bytes.subarray(at, at + READ_CHUNK);
    return;
  }
  const file = createReadStream(source.path, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of file) yield chunk as Uint8Array;
  } finally {
    file.destroy();
  }
}

/**
 * The bytes of `source`, decompressed when it starts with the gzip magic. Throws Node's
 * file-system error when the file cannot be read, and `GzipError` (with the uncompressed
 * byte reached) when its gzip stream is broken, after yielding every byte decoded before.
 */
export async function* decompressedChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  const chunks = rawChunks(source);
  const first = await chunks.next();
  if (first.done === true) return;
  if (!hasGzipMagic(first.value)) {
    yield first.value;
    yield* chunks;
    return;
  }
  yield* gunzipped(source, first.value, chunks);
}

/** Counts of the gunzip feed: compressed bytes written, and whether all were. */
interface Feed {
  bytes: number;
  done: boolean;
}

async function* gunzipped(
  source: ByteSource,
  first: Uint8Array,
  rest: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const fed: Feed = { bytes: 0, done: false };
  feed(gunzip, first, rest, fed).then(
    () => endWhenDrained(gunzip, fed),
    (error: unknown) => gunzip.destroy(error as Error),
  );
  let delivered = 0;
  try {
    for await (const chunk of gunzip) {
      delivered += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
      endWhenDrained(gunzip, fed);
    }
  } catch (error) {
    const prefix = fed.bytes <= GZIP_LOCATE_LIMIT ? await readHead(source, fed.bytes) : undefined;
    const gzip = gzipErrorOf(error, gunzip.bytesWritten, prefix);
    if (gzip === undefined) throw error;
    // zlib drops the output of the step that failed; the clean prefix gives it back.
    // LIMIT: only within GZIP_LOCATE_LIMIT; past it, the text that step decoded (at most what
    // one 1 MiB read of compressed input decodes to) before a corrupt byte is not read.
    const clean = gzip.kind === 'corrupt' && gzip.exact && prefix !== undefined;
    const cleanBytes = clean ? cleanPrefix(prefix, gzip.compressedOffset) : undefined;
    if (cleanBytes !== undefined && cleanBytes.length > delivered) {
      yield cleanBytes.subarray(delivered);
      delivered = cleanBytes.length;
    }
    const stopped = gzip.kind === 'truncated' ? new GzipError('truncated', fed.bytes) : gzip;
    throw stopped.at({ uncompressedOffset: delivered });
  } finally {
    gunzip.destroy();
  }
}

/** Everything the first `length` compressed bytes decompress to. */
function cleanPrefix(prefix: Uint8Array, length: number): Uint8Array {
  return gunzipSync(prefix.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH });
}

/** Bytes of a gzip trailer (CRC-32 and length), held back until the data before is out. */
const TRAILER = 8;

/**
 * Writes the compressed chunks into `gunzip`, then flushes it, so that everything decodable
 * comes out before the end's check for a cut stream. The last 8 bytes are written only after
 * a flush: when the trailer does not match, zlib drops the output of the write that checked
 * it, which is then empty.
 */
async function feed(
  gunzip: Gunzip,
  first: Uint8Array,
  rest: AsyncIterable<Uint8Array>,
  fed: Feed,
): Promise<void> {
  let held: Uint8Array = new Uint8Array(0);
  const take = async (chunk: Uint8Array) => {
    const joined = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    const cut = Math.max(0, joined.length - TRAILER);
    held = Uint8Array.from(joined.subarray(cut));
    await write(gunzip, joined.subarray(0, cut), fed);
  };
  await take(first);
  for await (const chunk of rest) {
    if (gunzip.destroyed) return;
    await take(chunk);
  }
  await flush(gunzip);
  if (gunzip.destroyed) return;
  await write(gunzip, held, fed);
  await flush(gunzip);
  fed.done = true;
}

async function write(gunzip: Gunzip, bytes: Uint8Array, fed: Feed): Promise<void> {
  if (bytes.length === 0 || gunzip.destroyed) return;
  fed.bytes += bytes.length;
  // A stream destroyed meanwhile never drains: its close ends the wait instead.
  if (!gunzip.write(bytes)) await Promise.race([once(gunzip, 'drain'), once(gunzip, 'close')]);
}

function flush(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => gunzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
}

/** Ends `gunzip` (checking the stream is whole) once it is fed and its output all read. */
function endWhenDrained(gunzip: Gunzip, fed: Feed): void {
  if (fed.done && gunzip.readableLength === 0 && !gunzip.writableEnded && !gunzip.destroyed)
    gunzip.end();
}
