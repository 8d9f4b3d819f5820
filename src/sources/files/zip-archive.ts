/**
 * Zip archives read member by member, without extracting them: a batch of members is
 * decompressed at a time, and a member whose decompressed size passes a limit is named
 * and left unread, so that one huge member cannot fill memory.
 */
import { stat, readFile } from 'node:fs/promises';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { ByteSource } from './byte-source.js';

/**
 * Largest decompressed member read. fflate decompresses a member into a buffer of the size
 * its directory entry declares and stops there, so the declared size bounds the memory even
 * when the entry lies (the member's text then ends early and reads as cut short).
 */
export const MAX_ZIP_MEMBER_BYTES = 256 * 1024 * 1024;

/** Largest archive read: it is held in memory whole while its members are read. */
// LIMIT: a zip archive over 1 GiB is not read at all (it is named with this limit).
const MAX_ZIP_ARCHIVE_BYTES = 1024 * 1024 * 1024;

/** Decompressed bytes of the members held at once. */
const BATCH_BYTES = 64 * 1024 * 1024;

/** A member of an archive: its bytes, or why it was not read. */
export type ZipMember =
  { name: string; bytes: Uint8Array } | { name: string; bytes?: undefined; reason: string };

/** A zip archive that cannot be read at all. */
export class ZipArchiveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ZipArchiveError';
  }
}

/** Why a member is not read, or undefined when it is read. */
function refusal(info: UnzipFileInfo): string | undefined {
  if (info.compression !== 0 && info.compression !== 8)
    return `compression method ${info.compression} is not supported (only stored and deflate)`;
  if (info.originalSize > MAX_ZIP_MEMBER_BYTES) {
    const limit = MAX_ZIP_MEMBER_BYTES / (1024 * 1024);
    return `expands to ${info.originalSize} bytes, over the ${limit} MiB limit for a zip member`;
  }
  return undefined;
}

/**
 * The files of the archive `source` (a file, or bytes read from a pipe), in archive order (directories left out), a batch
 * decompressed at a time. Throws Node's file-system error when the file cannot be read, and
 * `ZipArchiveError` when it is too large or not a readable zip archive.
 */
export async function* readZipMembers(source: ByteSource): AsyncGenerator<ZipMember> {
  const path = source.name;
  const size = source.path === undefined ? source.bytes.length : (await stat(source.path)).size;
  if (size > MAX_ZIP_ARCHIVE_BYTES)
    throw new ZipArchiveError(`archive of ${size} bytes is over the 1 GiB limit for zip files`);
  const archive = source.bytes ?? (await readFile(source.path));
  const listed: UnzipFileInfo[] = [];
  unzip(archive, (info) => void listed.push(info));
  let batch: string[] = [];
  let batchBytes = 0;
  for (const info of listed) {
    if (info.name.endsWith('/')) continue;
    const reason = refusal(info);
    if (reason === undefined) {
      batch.push(info.name);
      batchBytes += info.originalSize;
    }
    if (reason !== undefined || batchBytes >= BATCH_BYTES) {
      yield* decompressBatch(archive, path, batch);
      batch = [];
      batchBytes = 0;
    }
    if (reason !== undefined) yield { name: `${path}:${info.name}`, reason };
  }
  yield* decompressBatch(archive, path, batch);
}

/** The members named in `batch`, decompressed, in archive order. */
function* decompressBatch(archive: Uint8Array, path: string, batch: readonly string[]) {
  if (batch.length === 0) return;
  const wanted = new Set(batch);
  const members = unzip(archive, (info) => wanted.has(info.name));
  for (const name of batch) yield { name: `${path}:${name}`, bytes: members[name] };
}

/** fflate's unzip with `filter`, its failures as `ZipArchiveError`. */
function unzip(archive: Uint8Array, filter: (info: UnzipFileInfo) => boolean | void) {
  try {
    return unzipSync(archive, { filter: (info) => filter(info) === true });
  } catch (error) {
    const reason = `not a readable zip archive: ${(error as Error).message}`;
    throw new ZipArchiveError(reason, { cause: error });
  }
}
