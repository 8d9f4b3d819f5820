/**
 * JSON text parsing for the JSON-based sources: a failure becomes an error with its line and
 * column, and every record carries where it came from (file and line, or request and index).
 */
import { findJsonFault, findTooDeep, showCharacter, type JsonFault } from './json-fault.js';

/**
 * Deepest nesting of arrays and objects accepted. Real audit events and CloudTrail records
 * stay under 30 levels; a limit keeps the recursive walks after parsing (JSON.stringify,
 * payload splitting, field extraction) far from the call stack's end, where a hostile
 * 100,000-level text would overflow it.
 */
export const MAX_JSON_DEPTH = 512;

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

export type JsonParse =
  { ok: true; value: unknown } | { ok: false; reason: string; line: number; column: number };

/** What is wrong at `fault`, in Harrier's words; V8's message when the scanner saw no fault. */
function faultReason(text: string, fault: JsonFault | undefined, fallback: string): string {
  if (fault?.reason !== undefined) return fault.reason;
  const offset = fault?.offset ?? text.length;
  if (offset >= text.length) return text.trim() === '' ? 'empty input' : 'unexpected end of input';
  const shown = showCharacter(String.fromCodePoint(text.codePointAt(offset) ?? 0));
  return fallback.includes('Unexpected non-whitespace')
    ? `unexpected text after the value: ${shown}`
    : `unexpected ${shown}`;
}

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
 * Parses `text` as one JSON value. A failure gives the line and column of the first fault
 * (the end of the text when it stops too early) and what was found there; an array or object
 * nested deeper than `MAX_JSON_DEPTH` is a fault at its opening bracket.
 */
export function parseJsonText(text: string): JsonParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // A RangeError (an engine whose parser recurses) lands here too: the scan finds the depth.
    const message = error instanceof Error ? error.message : String(error);
    const fault = findJsonFault(text, MAX_JSON_DEPTH);
    if (fault?.kind === 'depth') return tooDeep(text, fault.offset);
    const offset = fault === undefined ? text.length : fault.offset;
    return {
      ok: false,
      reason: `invalid JSON: ${faultReason(text, fault, message)}`,
      ...lineAndColumn(text, offset),
    };
  }
  // A text shorter than twice the limit cannot open and close that many levels.
  const deep = text.length > 2 * MAX_JSON_DEPTH ? findTooDeep(text, MAX_JSON_DEPTH) : -1;
  return deep < 0 ? { ok: true, value } : tooDeep(text, deep);
}

function tooDeep(text: string, offset: number): JsonParse {
  const reason = `JSON nested too deep (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`;
  return { ok: false, reason, ...lineAndColumn(text, offset) };
}

/** `file:line:column` (the parts known) of an origin, for messages. */
export function describeOrigin(origin: RecordOrigin): string {
  if (origin.request !== undefined) {
    return origin.index === undefined
      ? `request ${origin.request}`
      : `request ${origin.request} item ${origin.index}`;
  }
  let text = origin.file ?? '<unknown>';
  if (origin.line !== undefined) text += `:${origin.line}`;
  if (origin.column !== undefined) text += `:${origin.column}`;
  return text;
}
