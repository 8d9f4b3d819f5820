/**
 * The files of a watched CloudTrail directory tree: log files to read, each under a key that
 * names the file it is (a symbolic link's target), and the others, skipped with the reason.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { describeFileError } from '../files/index.js';
import { isTrailFileName } from './trail-files.js';

/**
 * A file found: one to read (`key`, its real path: a link and its target share it) or one
 * skipped (`skipped`, why, without the path).
 */
export type TrailEntry =
  { file: string; key: string; skipped?: undefined } | { file: string; skipped: string };

const NOT_A_TRAIL_NAME = 'not a CloudTrail log file name (.json, .json.gz, .jsonl)';

/** What a path that is neither a regular file nor a directory is. */
function describeKind(info: Stats | Dirent): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** A symbolic link: followed when it leads to a regular file with a log file's name. */
async function linkEntry(file: string): Promise<TrailEntry | undefined> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    const reason = describeFileError(error) ?? (error as Error).message;
    return { file, skipped: `a symbolic link that cannot be followed: ${reason}` };
  }
  if (info.isDirectory())
    return { file, skipped: 'a symbolic link to a directory; linked directories are not watched' };
  if (!info.isFile()) return { file, skipped: `a symbolic link to ${describeKind(info)}` };
  if (!isTrailFileName(path.basename(file))) return { file, skipped: NOT_A_TRAIL_NAME };
  // Gone between the listing and now: the next scan will not list it.
  return realpath(file).then(
    (key) => ({ file, key }),
    () => undefined,
  );
}

/**
 * Every file under `directory` (whose real path is `realDirectory`), recursively, sorted by
 * path (S3 key order); directories themselves are left out.
 */
export async function listTrailEntries(
  directory: string,
  realDirectory: string,
): Promise<TrailEntry[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const found: TrailEntry[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) {
      const link = await linkEntry(file);
      if (link !== undefined) found.push(link);
    } else if (!entry.isFile()) found.push({ file, skipped: describeKind(entry) });
    else if (!isTrailFileName(entry.name)) found.push({ file, skipped: NOT_A_TRAIL_NAME });
    else found.push({ file, key: path.join(realDirectory, path.relative(directory, file)) });
  }
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
