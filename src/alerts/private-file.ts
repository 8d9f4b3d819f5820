/**
 * Files that hold alerts (the store, the output queues, file outputs) are made readable by
 * Harrier's user only: alerts carry command lines, environment and process lineage.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { priorityNames } from '../detect/index.js';
import type { Logger } from '../log.js';

/** Mode of every file Harrier creates to hold alerts. */
export const privateFileMode = 0o600;

/** Read, write and execute bits of group and others. */
const sharedBits = 0o077;

/**
 * Creates `file` empty with mode 0600 unless it exists, before SQLite opens it: SQLite would
 * make it 0644 (less the umask), and it gives its -wal and -shm files the database's mode. An
 * existing file keeps the mode it has (see `openPrivateDatabase`). I/O errors other than
 * "exists" are thrown.
 */
function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', privateFileMode));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** The first 16 bytes of every SQLite 3 database file. */
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens SQLite database `file` for alerts, holding only tables of `ownTables` (or none yet):
 * creates it 0600 when missing, and when it exists from an older Harrier (which left it
 * 0644) tightens it and its -wal and -shm files, with one warning naming them. Any other
 * file (a mistyped `--store /etc/hosts`, another program's database) is refused with an error
 * saying what it is, and keeps its mode: a file without SQLite's header is not touched.
 */
export function openPrivateDatabase(
  file: string,
  ownTables: readonly string[],
  logger: Logger,
): Database.Database {
  createPrivateFile(file);
  if (!startsAsSqlite(file))
    throw new Error('file is not a database (not SQLite); left as it is, its mode unchanged');
  // Tightened before SQLite reads it, so that the -wal and -shm files it makes are 0600 too;
  // the modes are put back when the file turns out to be no database of Harrier's.
  const tightened = tightenFiles([file, `${file}-wal`, `${file}-shm`], logger);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    const foreign = foreignTables(db, ownTables);
    if (foreign.length > 0)
      throw new Error(
        `the database holds tables Harrier does not make (${foreign.slice(0, 5).join(', ')}); ` +
          'left as it is, its mode unchanged',
      );
  } catch (error) {
    db?.close();
    for (const { file: changed, stats } of tightened) restoreMode(changed, stats, logger);
    throw error;
  }
  warnTightened(logger, tightened);
  return db;
}

function restoreMode(file: string, stats: Stats, logger: Logger): void {
  try {
    chmodSync(file, stats.mode & 0o7777);
  } catch (error) {
    logger.warn({ file, mode: modeText(stats), err: error }, 'could not give a file its mode back');
  }
}

/** True for an empty file (SQLite makes it a database) or one with SQLite's header. */
function startsAsSqlite(file: string): boolean {
  const head = Buffer.alloc(sqliteHeader.length);
  const descriptor = openSync(file, 'r');
  try {
    const read = readSync(descriptor, head, 0, head.length, 0);
    return read === 0 || (read === head.length && head.equals(sqliteHeader));
  } finally {
    closeSync(descriptor);
  }
}

/** Tables of `db` other than SQLite's own and `ownTables`; reading them changes nothing. */
function foreignTables(db: Database.Database, ownTables: readonly string[]): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  return rows.map((row) => row.name).filter((name) => !ownTables.includes(name));
}

/** A file made 0600, with what it was before. */
interface TightenedFile {
  readonly file: string;
  readonly stats: Stats;
}

/**
 * Makes each existing file of `files` 0600 when group or others may use it and Harrier's
 * user owns it; missing files are passed over. Logs one warning per file that could not be
 * (another user's file, a failed chmod) and returns those changed; never throws, since a
 * readable file is no reason to stop detecting.
 */
function tightenFiles(files: readonly string[], logger: Logger): TightenedFile[] {
  const tightened: TightenedFile[] = [];
  for (const file of files) {
    let stats: Stats | undefined;
    try {
      stats = statSync(file, { throwIfNoEntry: false });
      if (stats === undefined || !isShared(stats)) continue;
      refuseOthersFile(stats);
      chmodSync(file, privateFileMode);
      tightened.push({ file, stats });
    } catch (error) {
      warnNotTightened(logger, file, stats, error);
    }
  }
  return tightened;
}

/**
 * As `openPrivateDatabase` tightens, for one file Harrier holds open for reading and appending as
 * `handle` (a file output's), changing the file it writes to even if `file` was renamed
 * meanwhile. Only a file that is empty or starts with an alert line is changed: another
 * file (a mistyped path) keeps its mode, with a warning.
 *
 * LIMIT: a text output with its own `template` writes lines of any shape; a file it left
 * readable is not recognised as Harrier's and keeps its mode.
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
    if (stats.size > 0 && !isAlertLine(await firstLine(handle)))
      throw new Error('it does not start with an alert line, so it may not be an alert file');
    await handle.chmod(privateFileMode);
    warnTightened(logger, [{ file, stats }]);
  } catch (error) {
    warnNotTightened(logger, file, stats, error);
  }
}

/** Longest first line read to recognise an alert file. */
const firstLineLimit = 64 * 1024;

async function firstLine(handle: FileHandle): Promise<string> {
  const head = Buffer.alloc(firstLineLimit);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  const text = head.subarray(0, bytesRead).toString('utf8');
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** `TIME: Priority ` as Falco's text lines start, local or ISO 8601 time. */
const textAlertStart = new RegExp(
  `^(\\d{2}:\\d{2}:\\d{2}\\.\\d{9}|\\d{4}-\\d{2}-\\d{2}T[\\d:.]+(Z|[+-]\\d{4})): (${priorityNames.join('|')}) `,
);

/** A Falco JSON alert (with `rule`, `priority` and `output`) or a Falco text alert line. */
function isAlertLine(line: string): boolean {
  if (textAlertStart.test(line)) return true;
  try {
    const value = JSON.parse(line) as Record<string, unknown> | null;
    return ['rule', 'priority', 'output'].every((key) => typeof value?.[key] === 'string');
  } catch {
    return false;
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

function warnTightened(logger: Logger, tightened: readonly TightenedFile[]): void {
  if (tightened.length === 0) return;
  logger.warn(
    {
      files: tightened.map(({ file }) => file),
      previousModes: tightened.map(({ stats }) => modeText(stats)),
    },
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
