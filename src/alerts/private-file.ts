/**
 * Files that hold alerts (the store, the output queues, file outputs) are made readable by
 * Harrier's user only: alerts carry command lines, environment and process lineage.
 */
import { chmodSync, closeSync, openSync, statSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.js';

/** Mode of every file Harrier creates to hold alerts. */
export const privateFileMode = 0o600;

/** Read, write and execute bits of group and others. */
const sharedBits = 0o077;

/**
 * Creates `file` empty with mode 0600 unless it exists, before SQLite opens it: SQLite would
 * make it 0644 (less the umask), and it gives its -wal and -shm files the database's mode. An
 * existing file keeps the mode it has (see `tightenPrivateFiles`). I/O errors other than
 * "exists" are thrown.
 */
function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', privateFileMode));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Opens SQLite database `file` for alerts: creates it 0600 when missing, and when it exists
 * from an older Harrier (which left it 0644) tightens it and its -wal and -shm files, as
 * `tightenPrivateFiles` does. I/O errors creating the file are thrown.
 */
export function preparePrivateDatabase(file: string, logger: Logger): void {
  createPrivateFile(file);
  tightenPrivateFiles([file, `${file}-wal`, `${file}-shm`], logger);
}

/**
 * Makes each existing file of `files` 0600 when group or others may use it and Harrier's
 * user owns it; missing files are passed over. Logs one warning naming the files tightened,
 * and one per file that could not be (another user's file, a failed chmod); never throws,
 * since a readable file is no reason to stop detecting.
 */
export function tightenPrivateFiles(files: readonly string[], logger: Logger): void {
  const tightened: string[] = [];
  const previousModes: string[] = [];
  for (const file of files) {
    let stats: Stats | undefined;
    try {
      stats = statSync(file, { throwIfNoEntry: false });
      if (stats === undefined || !isShared(stats)) continue;
      refuseOthersFile(stats);
      chmodSync(file, privateFileMode);
      tightened.push(file);
      previousModes.push(modeText(stats));
    } catch (error) {
      warnNotTightened(logger, file, stats, error);
    }
  }
  if (tightened.length > 0) warnTightened(logger, tightened, previousModes);
}

/**
 * As `tightenPrivateFiles` for one file Harrier holds open as `handle` (a file output it
 * appends to), changing the file it writes to even if `file` was renamed meanwhile.
 */
export async function tightenOpenFile(
  handle: FileHandle,
  file: string,
  logger: Logger,
): Promise<void> {
  let stats: Stats | undefined;
  try {
    stats = await handle.stat();
    if (!isShared(stats)) return;
    refuseOthersFile(stats);
    await handle.chmod(privateFileMode);
    warnTightened(logger, [file], [modeText(stats)]);
  } catch (error) {
    warnNotTightened(logger, file, stats, error);
  }
}

function isShared(stats: Stats): boolean {
  return (stats.mode & sharedBits) !== 0;
}

/** Throws when another user owns the file: changing its mode is that user's choice, not ours. */
function refuseOthersFile(stats: Stats): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid)
    throw new Error(`the file belongs to uid ${stats.uid}, not to Harrier's uid ${uid}`);
}

function modeText(stats: Stats): string {
  return (stats.mode & 0o777).toString(8).padStart(4, '0');
}

function warnTightened(logger: Logger, files: string[], previousModes: string[]): void {
  logger.warn(
    { files, previousModes },
    'alert files were readable by other users (left so by an older Harrier or by hand); ' +
      'made them 0600, as Harrier creates them, since alerts carry command lines and environment',
  );
}

function warnNotTightened(
  logger: Logger,
  file: string,
  stats: Stats | undefined,
  error: unknown,
): void {
  logger.warn(
    { file, mode: stats === undefined ? undefined : modeText(stats), err: error },
    'alert file is readable by other users and could not be made 0600; using it as it is',
  );
}
