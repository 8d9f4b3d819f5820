/**
 * Harrier's logger factory: pino writing to stderr, one child logger per subsystem, and the
 * list of field names log lines share. Lines are NDJSON for machines (`--json`) or one
 * readable text line each for a person at a terminal.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Field names used across subsystems; declared once so every log line spells them alike. */
const logFields = {
  subsystem: 'subsystem',
  source: 'source',
  ruleName: 'ruleName',
  file: 'file',
  line: 'line',
  request: 'request',
  count: 'count',
  err: 'err',
  /** `file:line:column` (or request and item) of a record, for people; sums up the above. */
  at: 'at',
} as const;

/** `json`: one NDJSON object per line; `text`: `time LEVEL subsystem: message (fields)`. */
export type LogFormat = 'json' | 'text';

let format: LogFormat = 'text';

/** Sets how log lines are written from now on (commands: `json` under `--json`). */
export function setLogFormat(next: LogFormat): void {
  format = next;
}

/** How log lines are written now. */
export function logFormat(): LogFormat {
  return format;
}

const levelNames: Record<number, string> = {
  10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL',
}; // prettier-ignore

/** Keys every line has, shown in the line's head or not at all. */
const headKeys = new Set(['level', 'time', 'pid', 'hostname', 'subsystem', 'msg']);

/** Keys that `at` sums up, left out when it is there. */
const placeKeys = new Set(['file', 'line', 'column', 'index', 'request']);

function fieldText(key: string, value: unknown): string {
  if (key === logFields.err && typeof value === 'object' && value !== null)
    return `${key}=${JSON.stringify((value as { message?: unknown }).message ?? value)}`;
  if (typeof value !== 'string') return `${key}=${JSON.stringify(value)}`;
  return `${key}=${/^[^\s"=()]+$/.test(value) ? value : JSON.stringify(value)}`;
}

/**
 * One NDJSON log line (as pino writes it) as a readable line, e.g.
 * `2024-05-01T10:00:00.000Z WARN cli.replay: malformed record skipped (at=a.log:3:1 ...)`.
 */
export function formatLogLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = levelNames[entry.level as number] ?? String(entry.level);
  const subsystem = typeof entry.subsystem === 'string' ? ` ${entry.subsystem}` : '';
  const hasPlace = entry[logFields.at] !== undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !headKeys.has(key) && !(hasPlace && placeKeys.has(key)))
    .map(([key, value]) => fieldText(key, value));
  const tail = fields.length > 0 ? ` (${fields.join(' ')})` : '';
  return `${time} ${level}${subsystem}: ${String(entry.msg ?? '')}${tail}\n`;
}

/** Writes each line to `out` in the format chosen when the line is written. */
function formattedDestination(out: DestinationStream): DestinationStream {
  return { write: (line: string) => out.write(format === 'json' ? line : formatLogLine(line)) };
}

export type { Logger };

let root: Logger | undefined;

/** The process-wide root logger; level from `HARRIER_LOG_LEVEL`, default `info`. */
function rootLogger(): Logger {
  root ??= pino(
    { level: process.env.HARRIER_LOG_LEVEL ?? 'info' },
    // Synchronous, so that log lines keep their order among the command's own stderr lines.
    formattedDestination(pino.destination({ dest: 2, sync: true })),
  );
  return root;
}

/**
 * A child logger bound to `subsystem` (`sources.k8s_audit`, `cli.serve` ...).
 *
 * @example
 * const log = createLogger('sources.cloudtrail');
 * log.warn({ file, line }, 'malformed record skipped');
 */
export function createLogger(subsystem: string, parent: Logger = rootLogger()): Logger {
  return parent.child({ [logFields.subsystem]: subsystem });
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Logs at most `limit` lines a minute, then, at the first line of a later minute, one line
 * counting those left out: for problems a client or an input can repeat at will (a flood of
 * refused requests), which must not flood the log in turn. Keep counters beside it: a flood
 * that stops leaves its last minute's count unlogged.
 *
 * @example
 * const refusals = new RateLimitedLog(logger);
 * refusals.warn({ status: 401 }, 'audit request refused');
 */
export class RateLimitedLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly limit = 20,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `message` at warn level unless this minute's quota is used up. */
  warn(fields: Record<string, unknown>, message: string): void {
    if (!this.logger.isLevelEnabled('warn')) return;
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      const left = { count: this.suppressed, limitPerMinute: this.limit };
      if (this.suppressed > 0)
        this.logger.warn(left, `lines left out over the per-minute limit: ${message}`);
      Object.assign(this, { windowStart: now, inWindow: 0, suppressed: 0 });
    }
    if (++this.inWindow > this.limit) this.suppressed++;
    else this.logger.warn(fields, message);
  }
}
