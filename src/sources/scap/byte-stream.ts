/**
 * Opens a capture file as a stream of large chunks, decompressing it when it starts with the
 * gzip magic bytes. Offsets elsewhere in the reader count bytes of this decompressed stream,
 * as libscap's own reader does. Failures of the file itself come as `CaptureFileError`.
 */
import {
  decompressedChunks,
  describeFileError,
  GzipError,
  type ByteSource,
  type ReadProgress,
} from '../files/index.js';
import { CaptureFileError } from './records.js';

/** Bytes read from disk at a time: large reads keep the per-chunk overhead negligible. */
const CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * A capture file's uncompressed bytes, chunk by chunk. `compressed` tells, once the first
 * chunk was asked for, whether the file is gzip. The iterator throws `CaptureFileError` when
 * the file cannot be read, or its gzip stream is corrupt or truncated (after every byte
 * that could be decompressed); the cause of a gzip fault is the `GzipError` that places it.
 */
export class CaptureFileChunks implements AsyncIterable<Uint8Array> {
  private readonly progress: ReadProgress = { bytesRead: 0, compressed: false };

  /**
   * @param path the capture file; with `bytes`, only the name (`archive.zip:member`).
   * @param bytes the capture's bytes, when it is already in memory (a zip member).
   */
  constructor(
    readonly path: string,
    private readonly bytes?: Uint8Array,
  ) {}

  /** Whether the capture is gzip; false until the first chunk was asked for. */
  get compressed(): boolean {
    return this.progress.compressed;
  }

  /** Bytes read from the file so far (compressed bytes for gzip), for progress reports. */
  get fileBytesRead(): number {
    return this.progress.bytesRead;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const source: ByteSource =
      this.bytes === undefined
        ? { name: this.path, path: this.path }
        : { name: this.path, bytes: this.bytes };
    try {
      yield* decompressedChunks(source, { chunkSize: CHUNK_SIZE, progress: this.progress });
    } catch (error) {
      throw captureFileError(error);
    }
  }
}

/** A failure of `decompressedChunks` in the reader's words. */
function captureFileError(error: unknown): CaptureFileError {
  if (error instanceof GzipError) return new CaptureFileError(error.message, { cause: error });
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
