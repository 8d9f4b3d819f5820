/**
 * Opens a capture file as a stream of large chunks, decompressing it when it starts with the
 * gzip magic bytes. Offsets elsewhere in the reader count bytes of this decompressed stream,
 * as libscap's own reader does. Failures of the file itself come as `CaptureFileError`.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { describeFileError, GZIP_LOCATE_LIMIT, gzipErrorOf, hasGzipMagic } from '../files/index.js';
import { CaptureFileError } from './records.js';

/** Bytes read from disk at a time: large reads keep the per-chunk overhead negligible. */
const CHUNK_SIZE = 4 * 1024 * 1024;

/** Whether the file at `path` starts with the gzip magic `1f 8b`. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * A capture file's uncompressed bytes, chunk by chunk. `compressed` tells, once the first
 * chunk was asked for, whether the file is gzip. The iterator throws `CaptureFileError` when
 * the file cannot be read, or its gzip stream is corrupt or truncated (after every byte
 * that could be decompressed).
 */
export class CaptureFileChunks implements AsyncIterable<Uint8Array> {
  compressed = false;
  private file: (Readable & { bytesRead?: number }) | undefined;
  private memoryBytesRead = 0;

  /**
   * @param path the capture file; with `bytes`, only the name (`archive.zip:member`).
   * @param bytes the capture's bytes, when it is already in memory (a zip member).
   */
  constructor(
    readonly path: string,
    private readonly bytes?: Uint8Array,
  ) {}

  /** Bytes read from the file so far (compressed bytes for gzip), for progress reports. */
  get fileBytesRead(): number {
    return this.file?.bytesRead ?? this.memoryBytesRead;
  }

  /** Size of the capture in memory; undefined for a file. */
  get memorySize(): number | undefined {
    return this.bytes?.length;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      this.compressed =
        this.bytes === undefined ? await isGzipFile(this.path) : hasGzipMagic(this.bytes);
    } catch (error) {
      throw fileError(error);
    }
    const file =
      this.bytes === undefined
        ? createReadStream(this.path, { highWaterMark: CHUNK_SIZE })
        : Readable.from(this.memoryChunks(this.bytes));
    this.file = file;
    try {
      if (this.compressed) yield* this.gunzipped(file);
      else for await (const chunk of file) yield chunk as Uint8Array;
    } catch (error) {
      throw error instanceof CaptureFileError ? error : fileError(error);
    } finally {
      file.destroy();
    }
  }

  private *memoryChunks(bytes: Uint8Array): Generator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += CHUNK_SIZE) {
      const chunk = bytes.subarray(at, at + CHUNK_SIZE);
      this.memoryBytesRead += chunk.length;
      yield chunk;
    }
  }

  private async *gunzipped(file: Readable): AsyncGenerator<Uint8Array> {
    const gunzip = createGunzip({ chunkSize: CHUNK_SIZE });
    const fed = { bytes: 0, done: false };
    feed(file, gunzip, fed).then(
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
      const failure = await this.gzipFailure(error, gunzip.bytesWritten, fed.bytes);
      // zlib drops the output of the step that failed; the clean prefix gives it back.
      // LIMIT: only within GZIP_LOCATE_LIMIT; past it, the events of that step (up to one
      // 4 MiB chunk before the fault) are not replayed.
      if (failure.clean !== undefined && failure.clean.length > delivered)
        yield failure.clean.subarray(delivered);
      throw failure.error;
    } finally {
      gunzip.destroy();
    }
  }

  /**
   * A zlib error in Harrier's words, corrupt data located in the compressed file; with it,
   * when located, everything the compressed bytes before the fault decompress to.
   */
  private async gzipFailure(
    error: unknown,
    decompressed: number,
    read: number,
  ): Promise<{ error: Error; clean?: Uint8Array }> {
    const prefix =
      read > GZIP_LOCATE_LIMIT
        ? undefined
        : (this.bytes?.subarray(0, read) ?? (await readPrefix(this.path, read)));
    const gzip = gzipErrorOf(error, decompressed, prefix);
    if (gzip === undefined) return { error: fileError(error) };
    const failure = new CaptureFileError(gzip.message, { cause: gzip });
    // A checksum fault is placed at the trailer: everything before it decodes.
    if (gzip.kind === 'truncated' || !gzip.exact || prefix === undefined) return { error: failure };
    const clean = gunzipSync(prefix.subarray(0, gzip.compressedOffset), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return { error: failure, clean };
  }
}

/**
 * Writes the file into `gunzip`, then flushes it: everything decodable comes out before the
 * end, so the end's check for a cut stream, which fails the stream, cannot lose output.
 */
async function feed(file: Readable, gunzip: Gunzip, fed: { bytes: number; done: boolean }) {
  for await (const chunk of file) {
    if (gunzip.destroyed) return;
    fed.bytes += (chunk as Buffer).length;
    if (!gunzip.write(chunk)) await once(gunzip, 'drain');
  }
  await new Promise<void>((resolve) => gunzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  fed.done = true;
}

/** Ends `gunzip` (checking the stream is whole) once it is fed and its output all read. */
function endWhenDrained(gunzip: Gunzip, fed: { done: boolean }): void {
  if (fed.done && gunzip.readableLength === 0 && !gunzip.writableEnded && !gunzip.destroyed)
    gunzip.end();
}

async function readPrefix(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function fileError(error: unknown): CaptureFileError {
  const reason = describeFileError(error) ?? `cannot read: ${(error as Error).message}`;
  return new CaptureFileError(reason, { cause: error });
}

/**
 * The uncompressed bytes of the capture at `path`, chunk by chunk; see `CaptureFileChunks`
 * for errors.
 */
export function readCaptureChunks(path: string): AsyncIterable<Uint8Array> {
  return new CaptureFileChunks(path);
}
