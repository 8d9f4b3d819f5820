/**
 * Kubernetes audit log files: one audit payload (usually one `Event`) per line, as the API
 * server's log backend writes them, read a line at a time, or followed as they grow.
 */
import { LineFollower } from './line-follower.js';
import { parseJsonText, type RawRecord, type RecordError } from './json-text.js';
import { splitAuditPayload } from './audit-payload.js';

/** Records read from some lines, and the lines that could not be read. */
export interface LinesRead {
  records: RawRecord[];
  errors: RecordError[];
}

/** The events of one line (line numbers from 1), or the reason it holds none. */
function readAuditLine(text: string, file: string, line: number, into: LinesRead): void {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    into.errors.push({ origin: { file, line, column: parsed.column }, reason: parsed.reason });
    return;
  }
  const split = splitAuditPayload(parsed.value, { file, line });
  if (split.ok) into.records.push(...split.records);
  else into.errors.push({ origin: { file, line }, reason: split.reason });
}

export interface AuditLogFollowOptions {
  fromStart?: boolean;
  pollMilliseconds?: number;
  /** Events of each new line; errors hold the lines that could not be read. */
  onLines: (read: LinesRead) => void;
  onError?: (error: Error) => void;
}

/**
 * Follows an audit log across growth and rotation.
 *
 * @example
 * const follower = followAuditLog('/var/log/audit.log', { onLines: ({ records }) => take(records) });
 * await follower.start();
 */
export function followAuditLog(path: string, options: AuditLogFollowOptions): LineFollower {
  return new LineFollower(path, {
    fromStart: options.fromStart,
    pollMilliseconds: options.pollMilliseconds,
    onError: options.onError,
    onLine: (text, line) => {
      const read: LinesRead = { records: [], errors: [] };
      readAuditLine(text, path, line, read);
      options.onLines(read);
    },
  });
}
