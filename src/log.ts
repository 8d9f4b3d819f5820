/**
 * Harrier's logger factory: pino writing NDJSON to stderr, one child logger per subsystem,
 * and the list of field names log lines share.
 */
import { pino, type Logger } from 'pino';

/** Field names used across subsystems; declared once so every log line spells them alike. */
export const logFields = {
  subsystem: 'subsystem',
  source: 'source',
  ruleName: 'ruleName',
  file: 'file',
  line: 'line',
  request: 'request',
  count: 'count',
  err: 'err',
} as const;

export type { Logger };

let root: Logger | undefined;

/** The process-wide root logger; level from `HARRIER_LOG_LEVEL`, default `info`. */
export function rootLogger(): Logger {
  root ??= pino({ level: process.env.HARRIER_LOG_LEVEL ?? 'info' }, pino.destination(2));
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
