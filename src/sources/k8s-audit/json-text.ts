/**
 * JSON text parsing for the JSON-based sources: a failure becomes an error with its line and
 * column, and every record carries where it came from (file and line, or request and index).
 */

/** Where a raw record came from. Lines and columns count from 1. */
export interface RecordOrigin {
  /** File path (`archive.zip:entry` for a file inside an archive), or `-` for stdin. */
  file?: string;
  line?: number;
  column?: number;
  /** Request id of a webhook POST. */
  request?: string;
  /** Position of the record in its batch or file, from 0. */
  index?: number;
}

/** One record as read, not yet decoded. */
export interface RawRecord {
  value: unknown;
  origin: RecordOrigin;
}

/** A record, line, file or body that could not be read, with where and why. */
export interface RecordError {
  origin: RecordOrigin;
  reason: string;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string; line: number; column: number };

/** Line and column (from 1) of character offset `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Parses `text` as one JSON value. A failure gives V8's reason without its position words
 * and the line and column of the fault (end of text when V8 names no position).
 */
export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    return { ok: false, reason: `invalid JSON: ${reason}`, ...lineAndColumn(text, offset) };
  }
}

/** `file:line:column` (the parts known) of an origin, for messages. */
export function describeOrigin(origin: RecordOrigin): string {
  if (origin.request !== undefined) {
    return origin.index === undefined ? `request ${origin.request}` : `request ${origin.request} item ${origin.index}`;
  }
  let text = origin.file ?? '<unknown>';
  if (origin.line !== undefined) text += `:${origin.line}`;
  if (origin.column !== undefined) text += `:${origin.column}`;
  return text;
}
