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

/**
 * Lines (from 1) on which the records of a `{"Records": [...]}` text (or a top-level array)
 * start, found by scanning for objects one level inside the outer value, as the cloudtrail
 * plugin splits its files. One pass: the scanner jumps between the characters that matter.
 */
function recordLines(text: string): number[] {
  const lines: number[] = [];
  const special = /["{}[\]\n]/g;
  let depth = 0;
  let line = 1;
  for (let match = special.exec(text); match !== null; match = special.exec(text)) {
    const char = match[0];
    if (char === '\n') line++;
    else if (char === '"') special.lastIndex = stringEnd(text, match.index + 1);
    else if (char === '{' || char === '[') {
      if (char === '{' && depth === 2) lines.push(line);
      depth++;
    } else depth--;
  }
  return lines;
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

function withLines(records: unknown[], text: string, file: string): RawRecord[] {
  const lines = recordLines(text);
  const known = lines.length === records.length;
  return records.map((value, index) => ({
    value,
    origin: { file, line: known ? lines[index] : 1, index },
  }));
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
  if (whole.ok) return { records: withLines(recordsOf(whole.value), text, file), errors: [] };
  const lines = text.split('\n');
  const firstUsed = lines.findIndex((line) => line.trim() !== '');
  const firstParses = firstUsed >= 0 && parseJsonText(lines[firstUsed]).ok;
  if (!firstParses) {
    const error = {
      origin: { file, line: whole.line, column: whole.column },
      reason: whole.reason,
    };
    return { records: [], errors: [error] };
  }
  const read: TrailRead = { records: [], errors: [] };
  lines.forEach((line, index) => readTrailLine(line, file, index + 1, read));
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
  recordsOf(parsed.value).forEach((value, index) =>
    into.records.push({ value, origin: { file, line, index } }),
  );
}
