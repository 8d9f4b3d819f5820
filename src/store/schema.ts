import type Database from 'better-sqlite3';

/**
 * The forensic store's tables: one row per alert with the columns searches filter on and the
 * exact alert, and the related events (process lineage, recent events) beside it. `time_ns`
 * is the event's time, `stored_ns` when the alert was written (what retention ages by).
 */
export const storeSchema = `
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  time_ns INTEGER NOT NULL,
  rule TEXT NOT NULL,
  priority TEXT NOT NULL,
  severity INTEGER NOT NULL,
  source TEXT NOT NULL,
  hostname TEXT NOT NULL,
  container_id TEXT,
  container_name TEXT,
  output TEXT NOT NULL,
  alert TEXT NOT NULL,
  stored_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_time ON alerts (time_ns);
CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule, time_ns);
CREATE INDEX IF NOT EXISTS alerts_container ON alerts (container_id);
CREATE TABLE IF NOT EXISTS related_events (
  alert_seq INTEGER NOT NULL REFERENCES alerts (seq) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS related_alert ON related_events (alert_seq);
`;

/** The tables of `storeSchema`: a database holding others is not a store to write in. */
export const storeTables: readonly string[] = ['alerts', 'related_events'];

/**
 * Adds `stored_ns` to a store made before it existed, and its index. Old alerts get their
 * event time, so none is kept longer than the retention it was written under promised.
 */
export function upgradeStore(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(alerts)').all() as { name: string }[];
  if (!columns.some((column) => column.name === 'stored_ns')) {
    db.exec('ALTER TABLE alerts ADD COLUMN stored_ns INTEGER NOT NULL DEFAULT 0');
    db.exec('UPDATE alerts SET stored_ns = time_ns');
  }
  db.exec('CREATE INDEX IF NOT EXISTS alerts_stored ON alerts (stored_ns)');
}
