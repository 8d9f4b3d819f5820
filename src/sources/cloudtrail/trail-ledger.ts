/**
 * Which CloudTrail files were read, kept across restarts in one SQLite database, so that a
 * restarted watch reads only new or changed files. A file is known by its real path, size
 * and modification time. The record is bounded: past its limit, the files of oldest
 * modification time are forgotten, counted, and every file no newer than the newest of them
 * is taken as read from then on.
 */
import Database from 'better-sqlite3';

/** Files remembered at most: about two months of a busy organisation trail. */
const MAX_REMEMBERED_FILES = 1_000_000;

/** The tables a ledger's database holds. */
export const TRAIL_LEDGER_TABLES = ['read_files', 'forgotten'] as const;

const schema = `
CREATE TABLE IF NOT EXISTS read_files (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS read_files_mtime ON read_files (mtime_ms);
CREATE TABLE IF NOT EXISTS forgotten (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  files INTEGER NOT NULL,
  up_to_ms REAL NOT NULL
);`;

/** What a file was when it was read. */
export interface FileVersion {
  size: number;
  mtimeMs: number;
}

/** Files forgotten to keep within the limit, since the record began. */
export interface ForgottenFiles {
  files: number;
  /** Modification time (ms since the epoch) of the newest file forgotten. */
  upToMs: number;
}

export interface TrailLedgerOptions {
  /** Default `MAX_REMEMBERED_FILES`. */
  maxFiles?: number;
  /** Called when files are first forgotten in this process, and not again. */
  onFirstForgotten?: (forgotten: ForgottenFiles, maxFiles: number) => void;
}

/**
 * @example
 * const ledger = new TrailLedger(new Database('/var/lib/harrier/cloudtrail.db'));
 * if (!ledger.has(realPath)) read(realPath), ledger.add(realPath, { size, mtimeMs });
 */
export class TrailLedger {
  private readonly maxFiles: number;
  private readonly select: Database.Statement;
  private count: number;
  private forgottenUpToMs: number;
  private forgottenNow = 0;

  /**
   * Keeps the record in `db`, its tables made when missing (`TRAIL_LEDGER_TABLES`); by
   * default in memory, for this process only. Closing the ledger closes `db`.
   */
  constructor(
    private readonly db: Database.Database = new Database(':memory:'),
    private readonly options: TrailLedgerOptions = {},
  ) {
    this.maxFiles = options.maxFiles ?? MAX_REMEMBERED_FILES;
    if (!(this.maxFiles >= 1)) throw new RangeError('maxFiles must be 1 or more');
    // A committed row survives a killed process; a power loss can take back the last few,
    // whose files are then read again.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schema);
    this.select = this.db.prepare('SELECT size, mtime_ms FROM read_files WHERE path = ?');
    this.count = (this.db.prepare('SELECT COUNT(*) AS n FROM read_files').get() as { n: number }).n;
    this.forgottenUpToMs = this.forgotten.upToMs;
  }

  /** Whether the file of real path `key` was read (in this version or not). */
  has(key: string): boolean {
    return this.versionOf(key) !== undefined;
  }

  /** The version of the file of real path `key` when it was read. */
  versionOf(key: string): FileVersion | undefined {
    const row = this.select.get(key);
    if (row === undefined) return undefined;
    const { size, mtime_ms } = row as { size: number; mtime_ms: number };
    return { size, mtimeMs: mtime_ms };
  }

  /** Files forgotten since the record began. */
  get forgotten(): ForgottenFiles {
    const row = this.db.prepare('SELECT files, up_to_ms FROM forgotten').get();
    const { files, up_to_ms } = (row ?? { files: 0, up_to_ms: -Infinity }) as {
      files: number;
      up_to_ms: number;
    };
    return { files, upToMs: up_to_ms };
  }

  /**
   * Whether a file not recorded is taken as read, being no newer than files forgotten.
   * LIMIT: a file copied in later with an old modification time kept (`cp -p`) is taken as
   * read too, and never read; only a record over its limit forgets anything.
   */
  isForgotten(version: FileVersion): boolean {
    return version.mtimeMs <= this.forgottenUpToMs;
  }

  /** Records that the file of real path `key` was read as `version`. */
  add(key: string, version: FileVersion): void {
    const isNew = !this.has(key);
    if (isNew && this.count >= this.maxFiles) this.forgetOldest();
    this.db
      .prepare('INSERT OR REPLACE INTO read_files (path, size, mtime_ms) VALUES (?, ?, ?)')
      .run(key, version.size, version.mtimeMs);
    if (isNew) this.count++;
  }

  /** Forgets the files `keys` (changed or gone: a changed one is read again). */
  remove(keys: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM read_files WHERE path = ?');
    this.db.transaction(() => {
      for (const key of keys) this.count -= remove.run(key).changes;
    })();
  }

  /** Real paths recorded under the directory `directory` (a real path). */
  keysUnder(directory: string): string[] {
    const prefix = directory.endsWith('/') ? directory : `${directory}/`;
    // Every path starting with `prefix` sorts in [prefix, prefix with its '/' raised to '0').
    const end = `${prefix.slice(0, -1)}0`;
    const rows = this.db
      .prepare('SELECT path FROM read_files WHERE path >= ? AND path < ?')
      .all(prefix, end);
    return rows.map((row) => (row as { path: string }).path);
  }

  /** Forgets every file, and that any was forgotten: everything is read again. */
  clear(): void {
    this.db.exec('DELETE FROM read_files; DELETE FROM forgotten;');
    this.count = 0;
    this.forgottenUpToMs = -Infinity;
  }

  close(): void {
    this.db.close();
  }

  private forgetOldest(): void {
    const oldest = this.db
      .prepare('SELECT path, mtime_ms FROM read_files ORDER BY mtime_ms LIMIT 1')
      .get() as { path: string; mtime_ms: number };
    this.db.prepare('DELETE FROM read_files WHERE path = ?').run(oldest.path);
    this.db
      .prepare(
        `INSERT INTO forgotten (id, files, up_to_ms) VALUES (1, 1, ?)
         ON CONFLICT (id) DO UPDATE SET files = files + 1, up_to_ms = max(up_to_ms, excluded.up_to_ms)`,
      )
      .run(oldest.mtime_ms);
    this.count--;
    this.forgottenUpToMs = Math.max(this.forgottenUpToMs, oldest.mtime_ms);
    if (this.forgottenNow++ === 0) this.options.onFirstForgotten?.(this.forgotten, this.maxFiles);
  }
}
