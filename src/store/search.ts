/**
 * Alert searches as SQL: each filter set in the query adds one condition, with its value as a
 * bound parameter.
 */
import { priorityRank, type Priority } from '../detect/index.js';

/** What to look for; every filter set must hold. */
export interface AlertQuery {
  /** Rule name; `*` matches any run of characters. */
  readonly rule?: string;
  /** This priority or more severe. */
  readonly priority?: Priority;
  readonly source?: string;
  /** Event time at or after this, in milliseconds since the epoch. */
  readonly sinceMs?: number;
  /** Container id (or its prefix, as `docker ps` shortens it) or container name. */
  readonly container?: string;
  /** Most results; default 100. */
  readonly limit?: number;
}

/** The SELECT for `query` returning `columns`. */
export function buildSearch(
  query: AlertQuery,
  columns: string,
  ordered = true,
): { sql: string; parameters: unknown[] } {
  const where: string[] = [];
  const parameters: unknown[] = [];
  if (query.rule !== undefined) {
    where.push(query.rule.includes('*') ? 'rule GLOB ?' : 'rule = ?');
    parameters.push(query.rule.includes('*') ? globPattern(query.rule) : query.rule);
  }
  if (query.priority !== undefined) {
    where.push('severity <= ?');
    parameters.push(priorityRank(query.priority));
  }
  if (query.source !== undefined) {
    where.push('source = ?');
    parameters.push(query.source);
  }
  if (query.sinceMs !== undefined) {
    where.push('time_ns >= ?');
    parameters.push(BigInt(Math.floor(query.sinceMs)) * 1_000_000n);
  }
  if (query.container !== undefined) {
    where.push('(container_id GLOB ? OR container_name = ?)');
    parameters.push(`${globPattern(query.container)}*`, query.container);
  }
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  const tail = ordered
    ? ` ORDER BY time_ns DESC, seq DESC LIMIT ${Math.max(0, Math.floor(query.limit ?? 100))}`
    : '';
  return { sql: `SELECT ${columns} FROM alerts${clause}${tail}`, parameters };
}

/** A GLOB pattern where only `*` is special: other GLOB characters are bracketed. */
function globPattern(text: string): string {
  return text.replace(/[?[\]]/g, (char) => `[${char}]`);
}
