/**
 * The on-disk delivery queues: one SQLite database holds a queue per output. An alert is
 * written before `deliver` returns and removed only after its destination accepted it, so a
 * crash or `kill -9` loses nothing that was queued. Each queue is bounded; alerts past the
 * bound are counted (persistently) and the count becomes an alert of its own once room frees.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from './alert.js';
import { decodeAlert, encodeAlert } from './alert-codec.js';
import type { Logger } from '../log.js';
import { openPrivateDatabase } from './private-file.js';
import type { Delivery } from './outputs/types.js';

const schema = `
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  output TEXT NOT NULL,
  id TEXT NOT NULL,
  alert TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_output ON queue (output, rejected, seq);
CREATE TABLE IF NOT EXISTS overflow (
  output TEXT PRIMARY KEY,
  dropped INTEGER NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL
);`;

/** A queued row: the delivery plus its position. */
export interface QueuedDelivery extends Delivery {
  readonly seq: number;
}

/** Alerts dropped because a queue was full, not yet reported. */
export interface OverflowCount {
  readonly dropped: number;
  /** Milliseconds since the epoch of the first and the last drop. */
  readonly firstMs: number;
  readonly lastMs: number;
}

/** The database holding every output's queue. */
export class QueueStore {
  readonly db: Database.Database;

  /**
   * Opens `directory/queue.db`, creating the file; in memory when `directory` is undefined.
   * The directory must exist: a mistyped path is not quietly made (the CLI checks more, see
   * `store/store-directory.ts`). An existing file others may read is made 0600, warned on
   * `logger`; a file that is no queue database of Harrier's is refused, its mode unchanged.
   */
  constructor(directory: string | undefined, logger: Logger) {
    if (directory !== undefined && !statSync(directory, { throwIfNoEntry: false })?.isDirectory())
      throw new Error(`cannot open the output queues: directory ${directory} does not exist`);
    const file = directory === undefined ? ':memory:' : path.join(directory, 'queue.db');
    this.db =
      directory === undefined
        ? new Database(file)
        : openPrivateDatabase(file, ['queue', 'overflow'], logger);
    // WAL with synchronous=NORMAL: a committed row survives a killed process; only a power
    // loss can take back the last commits.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schema);
  }

  /** The queue of output `name`, at most `maxSize` pending alerts. */
  queue(name: string, maxSize: number): OutputQueue {
    return new OutputQueue(this.db, name, maxSize);
  }

  /** Output names that still hold pending alerts. */
  outputsWithPending(): string[] {
    const rows = this.db.prepare('SELECT DISTINCT output FROM queue WHERE rejected = 0').all();
    return rows.map((row) => (row as { output: string }).output);
  }

  close(): void {
    this.db.close();
  }
}

/** One output's queue. Not safe for two processes at once (one router owns a state dir). */
export class OutputQueue {
  private pending: number;
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly attempt: Database.Statement;
  private readonly reject: Database.Statement;
  private readonly countDrop: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
    readonly maxSize: number,
  ) {
    const count = db
      .prepare('SELECT COUNT(*) AS n FROM queue WHERE output = ? AND rejected = 0')
      .get(name);
    this.pending = (count as { n: number }).n;
    this.insert = db.prepare('INSERT INTO queue (output, id, alert) VALUES (?, ?, ?)');
    this.select = db.prepare(
      'SELECT seq, id, alert, attempts FROM queue WHERE output = ? AND rejected = 0 ORDER BY seq LIMIT ?',
    );
    this.remove = db.prepare('DELETE FROM queue WHERE seq = ?');
    this.attempt = db.prepare('UPDATE queue SET attempts = attempts + 1 WHERE seq = ?');
    this.reject = db.prepare('UPDATE queue SET rejected = 1 WHERE seq = ?');
    this.countDrop = db.prepare(
      `INSERT INTO overflow (output, dropped, first_ms, last_ms) VALUES (?, 1, ?, ?)
       ON CONFLICT (output) DO UPDATE SET dropped = dropped + 1, last_ms = excluded.last_ms`,
    );
  }

  /** Alerts waiting to be sent. */
  get depth(): number {
    return this.pending;
  }

  /** Queues `alert`; false when the queue is full and the alert was counted as dropped. */
  push(id: string, alert: Alert): boolean {
    return this.pushEncoded(id, encodeAlert(alert));
  }

  /** `push` for an alert already encoded with `encodeAlert`. */
  pushEncoded(id: string, encoded: string): boolean {
    if (this.pending >= this.maxSize) {
      const now = Date.now();
      this.countDrop.run(this.name, now, now);
      return false;
    }
    this.insert.run(this.name, id, encoded);
    this.pending++;
    return true;
  }

  /** The oldest `limit` pending alerts, left in the queue. */
  peek(limit: number): QueuedDelivery[] {
    return this.select.all(this.name, limit).map((row) => {
      const { seq, id, alert, attempts } = row as {
        seq: number;
        id: string;
        alert: string;
        attempts: number;
      };
      return { seq, id, attempts, alert: decodeAlert(alert) };
    });
  }

  /** Notes a send attempt, before sending, so a crash mid-send is known after restart. */
  markAttempt(batch: readonly QueuedDelivery[]): void {
    this.each(batch, this.attempt);
  }

  /** Removes accepted alerts. */
  acknowledge(batch: readonly QueuedDelivery[]): void {
    this.each(batch, this.remove);
    this.pending -= batch.length;
  }

  /** Sets aside alerts the destination refused for their content; they stay on disk. */
  setAside(batch: readonly QueuedDelivery[]): void {
    this.each(batch, this.reject);
    this.pending -= batch.length;
  }

  /** Alerts dropped on a full queue and not yet reported, if any. */
  overflow(): OverflowCount | undefined {
    const row = this.db
      .prepare('SELECT dropped, first_ms, last_ms FROM overflow WHERE output = ?')
      .get(this.name);
    if (row === undefined) return undefined;
    const { dropped, first_ms, last_ms } = row as {
      dropped: number;
      first_ms: number;
      last_ms: number;
    };
    return { dropped, firstMs: first_ms, lastMs: last_ms };
  }

  /**
   * Turns the dropped count into the alert `build` makes of it, queued past the bound, and
   * resets the count, in one transaction so a crash neither loses nor doubles the report.
   */
  reportOverflow(id: string, build: (count: OverflowCount) => Alert): OverflowCount | undefined {
    return this.db.transaction(() => {
      const count = this.overflow();
      if (count === undefined) return undefined;
      this.insert.run(this.name, id, encodeAlert(build(count)));
      this.db.prepare('DELETE FROM overflow WHERE output = ?').run(this.name);
      this.pending++;
      return count;
    })();
  }

  private each(batch: readonly QueuedDelivery[], statement: Database.Statement): void {
    this.db.transaction(() => {
      for (const item of batch) statement.run(item.seq);
    })();
  }
}
