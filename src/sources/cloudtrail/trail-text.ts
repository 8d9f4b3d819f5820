/**
 * CloudTrail log text to records: a log file `{"Records": [...]}`, a JSON array of records,
 * one record, or JSON lines of any of those. Each record keeps its file and the line it
 * starts on; a text or line that is not JSON is reported with its line and column.
 */
import { lineAndColumn, parseJsonText, type RawRecord, type RecordError } from '../k8s-audit/json-text.js';

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
 * Offsets where the records of a `{"Records": [...]}` text (or a top-level array) start,
 * found by scanning for objects one level inside the outer value, as the cloudtrail plugin
 * splits its files.
 */
function recordOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (char === '{' && depth === 2) offsets.push(i);
      depth++;
    } else if (char === '}' || char === ']') depth--;
  }
  return offsets;
}

function withLines(records: unknown[], text: string, file: string, firstLine: number): RawRecord[] {
  const offsets = recordOffsets(text);
  const known = offsets.length === records.length;
  return records.map((value, index) => {
    const line = known ? lineAndColumn(text, offsets[index]).line + firstLine - 1 : firstLine;
    return { value, origin: { file, line, index } };
  });
}

/** Reads a whole file's text (already decompressed). */
export function readTrailText(text: string, file: string): TrailRead {
  const whole = parseJsonText(text);
  if (whole.ok) return { records: withLines(recordsOf(whole.value), text, file, 1), errors: [] };
  const lines = text.split('\n');
  const firstUsed = lines.findIndex((line) => line.trim() !== '');
  const firstParses = firstUsed >= 0 && parseJsonText(lines[firstUsed]).ok;
  if (!firstParses) {
    const error = { origin: { file, line: whole.line, column: whole.column }, reason: whole.reason };
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
  recordsOf(parsed.value).forEach((value, index) => into.records.push({ value, origin: { file, line, index } }));
}
