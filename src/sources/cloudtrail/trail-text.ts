/**
 * CloudTrail log text to records: a log file `{"Records": [...]}`, a JSON array of records,
 * one record, or JSON lines of any of those. Each record keeps its file and the line it
 * starts on; a text or line that is not JSON is reported with its line and column.
 */
import {
  parseJsonText,
  type JsonParse,
  type RawRecord,
  type RecordError,
} from '../k8s-audit/json-text.js';

/** Records of a text and the parts that could not be read. */
export interface TrailRead {
  records: RawRecord[];
  errors: RecordError[];
  /**
   * The text stops inside a JSON value, is empty, or its gzip stream stops early: a file
   * caught while it is being written reads so, and is worth reading again once it grows.
   */
  incomplete?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The records a parsed JSON value holds. */
export function recordsOf(value: unknown): unknown[] {
  if (isObject(value) && Array.isArray(value.Records)) return value.Records as unknown[];
  if (Array.isArray(value)) return value as unknown[];
  return [value];
}

/** Where a record starts in its text, from 1. */
interface RecordStart {
  line: number;
  column: number;
}

/**
 * Where the records of a `{"Records": [...]}` text (or a top-level array) start, found by
 * scanning for objects one level inside the records array, as the cloudtrail plugin splits
 * its files. One pass: the scanner jumps between the characters that matter.
 */
function recordStarts(text: string): RecordStart[] {
  const starts: RecordStart[] = [];
  const special = /["{}[\]\n]/g;
  let recordDepth = 2;
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let match = special.exec(text); match !== null; match = special.exec(text)) {
    const char = match[0];
    if (char === '\n') {
      line++;
      lineStart = match.index + 1;
    } else if (char === '"') special.lastIndex = stringEnd(text, match.index + 1);
    else if (char === '{' || char === '[') {
      // A top-level array holds the records itself; a log holds them one level further in.
      if (depth === 0) recordDepth = char === '[' ? 1 : 2;
      if (char === '{' && depth === recordDepth)
        starts.push({ line, column: match.index - lineStart + 1 });
      depth++;
    } else depth--;
  }
  return starts;
}

/** Offset just past the closing quote of a string whose body starts at `at`. */
function stringEnd(text: string, at: number): number {
  for (let quote = text.indexOf('"', at); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
  return text.length;
}

/**
 * The records of `text` with their origins. Each gets the line and column it starts on, so
 * that a bad record of a one-line log is found; when the scan does not find one start per
 * record (an unusual layout), they get line 1 and their index only.
 */
function withPlaces(records: unknown[], text: string, file: string, line = 1): RawRecord[] {
  const starts = recordStarts(text);
  const known = starts.length === records.length;
  return records.map((value, index) => ({
    value,
    origin: known
      ? { file, line: line - 1 + starts[index].line, column: starts[index].column, index }
      : { file, line, index },
  }));
}

/** A parse failure at the very end of the text: the text stops inside a value, or is empty. */
function isCutShort(parse: JsonParse): boolean {
  return !parse.ok && /^invalid JSON: (unexpected end of input|empty input)/.test(parse.reason);
}

/**
 * Reads a whole file's text (already decompressed); `whole` is the text parsed whole, when
 * the caller already has it.
 */
export function readTrailText(
  text: string,
  file: string,
  whole: JsonParse = parseJsonText(text),
): TrailRead {
  if (whole.ok) return { records: withPlaces(recordsOf(whole.value), text, file), errors: [] };
  const lines = text.split('\n');
  const firstUsed = lines.findIndex((line) => line.trim() !== '');
  const firstParses = firstUsed >= 0 && parseJsonText(lines[firstUsed]).ok;
  if (!firstParses) {
    const error = {
      origin: { file, line: whole.line, column: whole.column },
      reason: whole.reason,
    };
    return { records: [], errors: [error], ...(isCutShort(whole) && { incomplete: true }) };
  }
  const read: TrailRead = { records: [], errors: [] };
  lines.forEach((line, index) => readTrailLine(line, file, index + 1, read));
  // JSON lines are written a line at a time: only a last line without its end is cut short.
  const last = lines.at(-1) ?? '';
  if (last.trim() !== '' && isCutShort(parseJsonText(last))) read.incomplete = true;
  return read;
}

/** Reads one line of JSON lines text (line numbers from 1); blank lines are skipped. */
export function readTrailLine(text: string, file: string, line: number, into: TrailRead): void {
  if (text.trim() === '') return;
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    into.errors.push({ origin: { file, line, column: parsed.column }, reason: parsed.reason });
    return;
  }
  into.records.push(...withPlaces(recordsOf(parsed.value), text, file, line));
}
