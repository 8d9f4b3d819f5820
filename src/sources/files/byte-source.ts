/**
 * Input bytes of the file-based sources, from a file on disk or from memory (a member of a
 * zip archive), read chunk by chunk and gunzipped when they start with the gzip magic. A
 * broken gzip stream ends the chunks after everything decodable before the fault came out,
 * then throws a `GzipError` that places the fault in the compressed and decompressed bytes.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { GZIP_LOCATE_LIMIT, GzipError, gzipErrorOf, hasGzipMagic } from './gzip-data.js';
import { unreadableFileKind, UnreadableFileKindError } from './special-files.js';

/** A file, or bytes already in memory, with the name messages give it. */
export type ByteSource =
  | { name: string; path: string; bytes?: undefined }
  | { name: string; bytes: Uint8Array; path?: undefined };

/** The source reading the file at `path`, named by its path. */
export function fileSource(path: string): ByteSource {
  return { name: path, path };
}

/** Bytes read at a time, and most decompressed bytes per chunk, unless told otherwise. */
const READ_CHUNK = 1024 * 1024;
const GUNZIP_CHUNK = 256 * 1024;

/** What a read has seen so far, updated as it goes, for progress reports. */
export interface ReadProgress {
  /** Bytes read from the source: compressed bytes for gzip. */
  bytesRead: number;
  /** Whether the source is gzip; known once its first bytes were read. */
  compressed: boolean;
}

/** How `decompressedChunks` reads. */
export interface ChunkOptions {
  /** Bytes read at a time, and most decompressed bytes per chunk (default 1 MiB, 256 KiB). */
  chunkSize?: number;
  /** Updated as the source is read. */
  progress?: ReadProgress;
}

/** The first `length` bytes of `source` (fewer when it is shorter). */
export async function readHead(source: ByteSource, length: number): Promise<Uint8Array> {
  if (source.path === undefined) return source.bytes.subarray(0, length);
  refuseUnreadableKind(source.path);
  const handle = await open(source.path, 'r');
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Throws an `UnreadableFileKindError` for a FIFO, socket or device: opening one may hang. */
function refuseUnreadableKind(path: string): void {
  const problem = unreadableFileKind(path, { anonymousPipe: true });
  if (problem !== undefined) throw new UnreadableFileKindError(problem);
}

/**
 * The raw bytes of `source`, `size` bytes at a time, counted in `progress`. File-system
 * errors are thrown as Node's.
 */
async function* rawChunks(
  source: ByteSource,
  size: number,
  progress: ReadProgress,
): AsyncGenerator<Uint8Array> {
  if (source.path === undefined) {
    for (let at = 0; at < source.bytes.length; at += size) {
      const chunk = source.bytes.subarray(at, at + size);
      progress.bytesRead += chunk.length;
      yield chunk;
    }
    return;
  }
  refuseUnreadableKind(source.path);
  const file = createReadStream(source.path, { highWaterMark: size });
  try {
    for await (const chunk of file) {
      progress.bytesRead += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
    }
  } finally {
    file.destroy();
  }
}

/**
 * The bytes of `source`, decompressed when it starts with the gzip magic. Throws Node's
 * file-system error when the file cannot be read, and `GzipError` (with the uncompressed
 * byte reached) when its gzip stream is broken, after yielding every byte decoded before.
 * Counts the bytes read in `options.progress`, which it mutates.
 */
export async function* decompressedChunks(
  source: ByteSource,
  options: ChunkOptions = {},
): AsyncGenerator<Uint8Array> {
  const progress = options.progress ?? { bytesRead: 0, compressed: false };
  const chunks = rawChunks(source, options.chunkSize ?? READ_CHUNK, progress);
  const first = await chunks.next();
  if (first.done === true) return;
  progress.compressed = hasGzipMagic(first.value);
  if (!progress.compressed) {
    yield first.value;
    yield* chunks;
    return;
  }
  yield* gunzipped(source, first.value, chunks, options.chunkSize ?? GUNZIP_CHUNK);
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
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip({ chunkSize });
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
    // zlib drops the output of the step that failed; the clean prefix gives it back. For a
    // checksum fault, the prefix ends at its trailer: this matters only when an earlier
    // member of the stream fails, as the last trailer is written on its own (see `feed`).
    // LIMIT: only within GZIP_LOCATE_LIMIT; past it, the bytes that step decoded (at most
    // what one read chunk of compressed input decodes to) before the fault are not read.
    const clean = gzip.kind !== 'truncated' && gzip.exact && prefix !== undefined;
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
    // Large chunks are written as they are, not copied behind the held bytes.
    if (chunk.length >= TRAILER) {
      await write(gunzip, held, fed);
      held = Uint8Array.from(chunk.subarray(chunk.length - TRAILER));
      return write(gunzip, chunk.subarray(0, chunk.length - TRAILER), fed);
    }
    const joined = Buffer.concat([held, chunk]);
    const cut = Math.max(0, joined.length - TRAILER);
    held = joined.subarray(cut);
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
  if (!gunzip.write(bytes)) await drainedOrClosed(gunzip);
}

/**
 * Resolves on the stream's next drain, or on its close, as a stream destroyed meanwhile never
 * drains; either way both listeners go (a wait per chunk would pile them up otherwise).
 */
function drainedOrClosed(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gunzip.off('drain', done);
      gunzip.off('close', done);
      resolve();
    };
    gunzip.on('drain', done);
    gunzip.on('close', done);
  });
}

function flush(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => gunzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
}

/** Ends `gunzip` (checking the stream is whole) once it is fed and its output all read. */
function endWhenDrained(gunzip: Gunzip, fed: Feed): void {
  if (fed.done && gunzip.readableLength === 0 && !gunzip.writableEnded && !gunzip.destroyed)
    gunzip.end();
}
