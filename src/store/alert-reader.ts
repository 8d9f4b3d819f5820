/**
 * Read-only access to an alert store, for searches (`harrier alerts`): it needs read access
 * to the file only, not write access to its directory, and changes nothing.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { decodeAlert } from '../alerts/index.js';
import { buildSearch, type AlertQuery } from './search.js';
import type { StoredAlert, StoredAlertDetail } from './alert-store.js';

/** A file SQLite cannot read as an alert store; `message` is SQLite's or says what is missing. */
class StoreReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreReadError';
  }
}

/** SQLite codes of a read-only WAL database whose -shm file cannot be made. */
const NO_SHARED_MEMORY = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN']);

/**
 * Opens `file` read-only. A WAL database needs its -shm file, which SQLite cannot make in a
 * directory the reader may not write: then the file is read into memory and opened there.
 * LIMIT: that copy costs the file's size in memory, and it misses what a writer killed with
 * `kill -9` left in a -wal file (the next `harrier run` on the store folds it in).
 * Where the directory is writable, SQLite makes the -wal and -shm files and, the reader not
 * being a writer, leaves them; the next writer uses them.
 */
function openReadOnly(file: string): Database.Database {
  // SQLite says only "unable to open database file" for a file it may not read.
  accessSync(file, constants.R_OK);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT 1 FROM alerts LIMIT 0').all();
    return db;
  } catch (error) {
    db.close();
    if (!NO_SHARED_MEMORY.has((error as { code?: string }).code ?? '')) throw error;
  }
  const bytes = readFileSync(file);
  // Bytes 18-19 say WAL (2); an in-memory database cannot use WAL, so mark it a rollback one.
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes.set([1, 1], 18);
  return new Database(bytes, { readonly: true });
}

export class AlertReader {
  private readonly db: Database.Database;

  /** Throws `StoreReadError` when `file` cannot be read or is not an alert store. */
  constructor(file: string) {
    try {
      this.db = openReadOnly(file);
      this.db.prepare('SELECT id, alert FROM alerts LIMIT 0').all();
      this.db.prepare('SELECT kind, event FROM related_events LIMIT 0').all();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const text = code === 'EACCES' ? 'permission denied' : (error as Error).message;
      const message = text.startsWith('no such') ? `not an alert store (${text})` : text;
      throw new StoreReadError(message, { cause: error });
    }
  }

  /** Alerts matching `query`, newest first. */
  search(query: AlertQuery = {}): StoredAlert[] {
    return searchAlerts(this.db, query);
  }

  /** One alert with its related events, or undefined. */
  detail(id: string): StoredAlertDetail | undefined {
    return alertDetail(this.db, id);
  }

  close(): void {
    this.db.close();
  }
}

/** Alerts in `db` matching `query`, newest first. */
export function searchAlerts(db: Database.Database, query: AlertQuery): StoredAlert[] {
  const { sql, parameters } = buildSearch(query, 'id, alert');
  return db
    .prepare(sql)
    .all(...parameters)
    .map((row) => {
      const { id, alert } = row as { id: string; alert: string };
      return { id, alert: decodeAlert(alert) };
    });
}

/** The alert `id` in `db` with its related events, or undefined. */
export function alertDetail(db: Database.Database, id: string): StoredAlertDetail | undefined {
  const row = db.prepare('SELECT seq, alert FROM alerts WHERE id = ?').get(id) as
    { seq: number; alert: string } | undefined;
  if (row === undefined) return undefined;
  const events = db
    .prepare('SELECT kind, event FROM related_events WHERE alert_seq = ? ORDER BY kind, position')
    .all(row.seq) as { kind: string; event: string }[];
  const of = (kind: string): Record<string, unknown>[] =>
    events.filter((event) => event.kind === kind).map((event) => JSON.parse(event.event));
  return { id, alert: decodeAlert(row.alert), lineage: of('lineage'), recent: of('recent') };
}
