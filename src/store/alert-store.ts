/**
 * The forensic store: every alert, with its output fields and the events that led to it, in an
 * embedded SQLite database (better-sqlite3), kept for a retention period and searchable.
 */
import Database from 'better-sqlite3';
import type { Alert, AlertContext, AlertRecorder, RelatedEvent } from '../alerts/index.js';
import { encodeAlert, openPrivateDatabase, plainValue } from '../alerts/index.js';
import { priorityRank } from '../detect/index.js';
import { silentLogger, type Logger } from '../log.js';
import { alertDetail, searchAlerts } from './alert-reader.js';
import { storeSchema, storeTables, upgradeStore } from './schema.js';
import { prepareStorePath } from './store-directory.js';
import { buildSearch, type AlertQuery } from './search.js';

export interface RetentionPolicy {
  /**
   * Alerts stored longer ago than this are deleted; unset keeps them regardless of age. Age
   * counts from when the alert was stored, not from its event's time, so the alerts of a
   * replayed old capture or audit log stay as long as those of a live run.
   */
  readonly maxAgeMs?: number;
  /** Only the newest this many alerts are kept; unset keeps any number. */
  readonly maxAlerts?: number;
}

export interface AlertStoreOptions {
  /** Database file, whose directory must exist unless `createDirectory`; or `:memory:`. */
  readonly path: string;
  /**
   * Make the file's directory and its parents when missing: for Harrier's default place
   * only, never for a path a user gave (a typo would make directories anywhere).
   */
  readonly createDirectory?: boolean;
  readonly retention?: RetentionPolicy;
  /** How often retention runs while open; default one minute. 0 runs it only at open. */
  readonly pruneIntervalMs?: number;
  readonly logger?: Logger;
  /** Milliseconds since the epoch when an alert is stored; tests set it, default `Date.now`. */
  readonly clock?: () => number;
}

/** One stored alert. */
export interface StoredAlert {
  readonly id: string;
  readonly alert: Alert;
}

/** A stored alert with the events recorded with it. */
export interface StoredAlertDetail extends StoredAlert {
  readonly lineage: Record<string, unknown>[];
  readonly recent: Record<string, unknown>[];
}

interface PendingRecord {
  id: string;
  alert: Alert;
  context?: AlertContext;
}

/**
 * The SQLite alert store. `record` buffers and writes in one transaction per event-loop turn
 * (or every 1000 alerts); searches see everything recorded before them.
 *
 * LIMIT: alerts recorded in the last event-loop turn before a `kill -9` are not in the store;
 * the output queues still hold them, so they are delivered but not searchable.
 *
 * @example
 * const store = new AlertStore({ path: '/var/lib/harrier/alerts.db', retention: { maxAgeMs: 30 * 86400e3 } });
 * const router = new AlertRouter({ outputs, recorder: store });
 */
export class AlertStore implements AlertRecorder {
  private readonly db: Database.Database;
  private readonly insertAlert: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private pending: PendingRecord[] = [];
  private scheduled = false;
  private readonly pruneTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  /**
   * Opens or creates the database and applies retention once; an existing database others
   * may read is made 0600 with a warning. A path that cannot hold it throws `StorePathError`
   * saying why, a file that is no store of Harrier's an error saying what it is (its mode
   * unchanged); other I/O errors are thrown as they come.
   */
  constructor(private readonly options: AlertStoreOptions) {
    this.logger = options.logger ?? silentLogger();
    if (options.path === ':memory:') this.db = new Database(options.path);
    else {
      prepareStorePath(options.path, options.createDirectory === true);
      this.db = openPrivateDatabase(options.path, storeTables, this.logger);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(storeSchema);
    upgradeStore(this.db);
    this.insertAlert = this.db.prepare(
      `INSERT OR IGNORE INTO alerts (id, time_ns, rule, priority, severity, source, hostname,
         container_id, container_name, output, alert, stored_ns)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvent = this.db.prepare(
      'INSERT INTO related_events (alert_seq, kind, position, event) VALUES (?, ?, ?, ?)',
    );
    this.prune();
    const interval = options.pruneIntervalMs ?? 60_000;
    if (interval > 0 && options.retention !== undefined) {
      this.pruneTimer = setInterval(() => this.prune(), interval);
      this.pruneTimer.unref();
    }
  }

  /** Queues `alert` for the next write; never throws (failures are logged). */
  record(id: string, alert: Alert, context?: AlertContext): void {
    this.pending.push({ id, alert, context });
    if (this.pending.length >= 1000) this.write();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.write());
    }
  }

  /** Writes buffered alerts now. */
  write(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const storedNs = BigInt(Math.floor((this.options.clock ?? Date.now)())) * 1_000_000n;
    try {
      this.db.transaction(() => batch.forEach((entry) => this.insert(entry, storedNs)))();
    } catch (error) {
      this.logger.error(
        { err: error, count: batch.length },
        'alerts not written to the store; they are still delivered',
      );
    }
  }

  /** Alerts matching `query`, newest first. */
  search(query: AlertQuery = {}): StoredAlert[] {
    this.write();
    return searchAlerts(this.db, query);
  }

  /** How many alerts match `query` (its limit ignored). */
  count(query: AlertQuery = {}): number {
    this.write();
    const { sql, parameters } = buildSearch({ ...query, limit: undefined }, 'COUNT(*) AS n', false);
    return (this.db.prepare(sql).get(...parameters) as { n: number }).n;
  }

  /** One alert with its related events, or undefined. */
  detail(id: string): StoredAlertDetail | undefined {
    this.write();
    return alertDetail(this.db, id);
  }

  /** Applies the retention policy now; returns how many alerts were deleted. */
  prune(nowMs = (this.options.clock ?? Date.now)()): number {
    this.write();
    const retention = this.options.retention;
    let deleted = 0;
    if (retention?.maxAgeMs !== undefined) {
      const cutoff = BigInt(Math.floor(nowMs - retention.maxAgeMs)) * 1_000_000n;
      deleted += this.db.prepare('DELETE FROM alerts WHERE stored_ns < ?').run(cutoff).changes;
    }
    if (retention?.maxAlerts !== undefined) {
      const sql =
        'DELETE FROM alerts WHERE seq <= (SELECT seq FROM alerts ORDER BY seq DESC LIMIT 1 OFFSET ?)';
      deleted += this.db.prepare(sql).run(retention.maxAlerts).changes;
    }
    if (deleted > 0)
      this.logger.info({ count: deleted }, 'retention removed old alerts from the store');
    return deleted;
  }

  /** Writes what is buffered, applies retention (so that it holds after every run) and closes. */
  close(): void {
    this.prune();
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer);
    this.db.close();
  }

  private insert({ id, alert, context }: PendingRecord, storedNs: bigint): void {
    const containerId = alert.outputFields.get('container.id') ?? context?.container?.id;
    const containerName = alert.outputFields.get('container.name') ?? context?.container?.name;
    const result = this.insertAlert.run(
      id,
      alert.time,
      alert.rule,
      alert.priority,
      priorityRank(alert.priority),
      alert.source,
      alert.hostname,
      typeof containerId === 'string' ? containerId : null,
      typeof containerName === 'string' ? containerName : null,
      alert.output,
      encodeAlert(alert),
      storedNs,
    );
    if (result.changes === 0 || context === undefined) return;
    const seq = result.lastInsertRowid;
    context.lineage?.forEach((event, position) =>
      this.insertEvent.run(seq, 'lineage', position, eventJson(event)),
    );
    context.recent?.forEach((event, position) =>
      this.insertEvent.run(seq, 'recent', position, eventJson(event)),
    );
  }
}

function eventJson(event: RelatedEvent): string {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event)) plain[name] = plainValue(value);
  return JSON.stringify(plain);
}
