/**
 * Opens a capture file as a stream of large chunks, decompressing it when it starts with the
 * gzip magic bytes. Offsets elsewhere in the reader count bytes of this decompressed stream,
 * as libscap's own reader does.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';

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
 * The uncompressed bytes of the capture at `path`, chunk by chunk. I/O and decompression
 * errors propagate as thrown from the iterator (a truncated gzip stream ends with one).
 */
export async function* readCaptureChunks(path: string): AsyncGenerator<Uint8Array> {
  const gzip = await isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: CHUNK_SIZE });
  // A sync flush at the end makes a cut gzip stream deliver everything it holds instead of
  // failing; the block parser then reports the block the cut fell in, at its offset.
  const gunzip = createGunzip({ chunkSize: CHUNK_SIZE, finishFlush: constants.Z_SYNC_FLUSH });
  // pipeline() forwards a read error of the file to the gunzip stream the loop iterates.
  const stream = gzip ? pipeline(file, gunzip, () => undefined) : file;
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } finally {
    file.destroy();
    if (stream !== file) stream.destroy();
  }
}
