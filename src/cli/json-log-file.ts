/**
 * One Kubernetes audit log or CloudTrail file for `harrier replay`, read line by line: when
 * its first line holds a JSON value, the file is JSON lines (as audit logs are), read and
 * handed on a batch of lines at a time without ever holding the whole text; otherwise it is
 * one JSON document (a pretty-printed CloudTrail log or audit payload), read whole within a
 * size limit. Which source a file belongs to comes from its content.
 */
import {
  parseJsonText,
  showText,
  splitAuditPayload,
  type JsonParse,
  type LinesRead,
  type RawRecord,
  type RecordError,
  type RecordOrigin,
} from '../sources/k8s-audit/index.js';
import { readTrailText, recordsOf } from '../sources/cloudtrail/index.js';
import {
  describeFileError,
  GzipError,
  readTextLines,
  type ByteSource,
  type TextLine,
} from '../sources/files/index.js';
import type { JsonSource } from './json-pipeline.js';

/**
 * Largest JSON text read as one value: one line of JSON lines, or a whole JSON document.
 * V8 cannot hold a string past 0x1fffffe8 characters, and the parsed value of a text takes
 * several times its size; JSON lines files have no limit as a whole.
 */
// LIMIT: a single JSON document (or line) over 256 MiB is not read; its file fails naming this.
export const MAX_JSON_TEXT_BYTES = 256 * 1024 * 1024;

/** A size limit as messages give it: `256 MiB`, or bytes when not a whole MiB. */
function describeLimit(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${bytes} bytes`;
}

/** What `harrier replay` reads, for errors about a file of none of these kinds. */
export const EXPECTED_KINDS =
  'expected a syscall capture, a Kubernetes audit log or a CloudTrail file';

/** Receives what a file yields, a batch at a time, in file order. */
export interface JsonLogSink {
  /** Records of `source` read, and lines or records of it that could not be read. */
  take(source: JsonSource, records: RawRecord[], errors: RecordError[]): void;
}

/** How the reading of one file ended. */
export interface JsonLogRead {
  /** Undefined when the file's kind could not be told. */
  source: JsonSource | undefined;
  /** Why the file could not be read to its end, or at all; its records before were taken. */
  failure?: RecordError;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which source a parsed JSON value belongs to, from its shape; undefined when unclear. */
export function classifyJson(value: unknown): JsonSource | undefined {
  while (Array.isArray(value)) value = value[0];
  if (!isObject(value)) return undefined;
  // Any `kind` makes it audit data: the audit reader then says why it is not an event.
  if ('kind' in value || 'auditID' in value) return 'k8s_audit';
  if (Array.isArray(value.Records) || 'eventTime' in value || 'eventSource' in value)
    return 'aws_cloudtrail';
  return undefined;
}

/** The source of a whole text's value; an empty list of records reads as CloudTrail. */
function classifyValue(value: unknown): JsonSource | undefined {
  return classifyJson(value) ?? (recordsOf(value).length === 0 ? 'aws_cloudtrail' : undefined);
}

/** What a JSON value of neither kind is, for the error that says so. */
function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array of neither kind of record';
  if (!isObject(value)) return value === null ? 'null' : `a JSON ${typeof value}`;
  const keys = Object.keys(value).map(showText);
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
  return `a JSON object without kind, auditID, Records, eventTime or eventSource (keys: ${shown})`;
}

/** A failure of the file as a whole. */
class FileFailure extends Error {
  constructor(
    readonly origin: RecordOrigin,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The reading of one file: the first non-blank line decides how the rest is read. */
class JsonLogReader {
  source: JsonSource | undefined;
  /** The first line that could not be read, where damaged text may begin. */
  firstBadLine: number | undefined;
  private mode: 'undecided' | 'lines' | 'document' = 'undecided';
  private readonly document: string[] = [];
  private documentBytes = 0;

  constructor(
    private readonly name: string,
    private readonly sink: JsonLogSink,
    private readonly maxTextBytes: number,
  ) {}

  /** Takes one batch of lines; throws `FileFailure` when the file cannot be read on. */
  take(lines: readonly TextLine[]): void {
    const records: RawRecord[] = [];
    const errors: RecordError[] = [];
    const into = { records, errors };
    for (const line of lines) {
      if (this.mode === 'undecided') this.decide(line, into);
      else if (this.mode === 'document') this.keep(line);
      else this.readLine(line, into);
    }
    this.firstBadLine ??= errors[0]?.origin.line;
    if (this.source !== undefined && (records.length > 0 || errors.length > 0))
      this.sink.take(this.source, records, errors);
  }

  /** Reads a document once all its lines are in; false when the file had no text at all. */
  finish(): boolean {
    if (this.mode === 'undecided') return false;
    if (this.mode === 'document') this.readDocument(this.document.join('\n'));
    return true;
  }

  /** Reads the first non-blank line (a single-line CloudTrail log is the whole file). */
  private decide(line: TextLine, into: LinesRead): void {
    if (line.text === undefined) throw this.tooLong(line.line);
    if (line.text.trim() === '') {
      this.keep(line);
      return;
    }
    const parsed = parseJsonText(line.text);
    if (!parsed.ok) {
      this.mode = 'document';
      this.keep(line);
      return;
    }
    this.source = classifyJson(parsed.value);
    if (this.source === undefined) {
      const origin = { file: this.name, line: line.line };
      throw new FileFailure(origin, `${EXPECTED_KINDS}, found ${describeJson(parsed.value)}`);
    }
    this.mode = 'lines';
    this.readValue(parsed.value, line.line, into);
  }

  private readLine(line: TextLine, into: LinesRead): void {
    const origin = { file: this.name, line: line.line };
    if (line.text === undefined) {
      const limit = describeLimit(this.maxTextBytes);
      const reason = `line of ${line.bytes} bytes, over the ${limit} limit for one JSON text`;
      into.errors.push({ origin, reason });
      return;
    }
    if (line.text.trim() === '') return;
    const parsed = parseJsonText(line.text);
    if (parsed.ok) this.readValue(parsed.value, line.line, into);
    else into.errors.push({ origin: { ...origin, column: parsed.column }, reason: parsed.reason });
  }

  /** The records of one line's value: an audit payload, or CloudTrail records. */
  private readValue(value: unknown, line: number, into: LinesRead): void {
    if (this.source === 'aws_cloudtrail') {
      recordsOf(value).forEach((record, index) =>
        into.records.push({ value: record, origin: { file: this.name, line, index } }),
      );
      return;
    }
    const split = splitAuditPayload(value, { file: this.name, line });
    if (split.ok) into.records.push(...split.records);
    else into.errors.push({ origin: { file: this.name, line }, reason: split.reason });
  }

  private keep(line: TextLine): void {
    this.documentBytes += line.bytes + 1;
    if (line.text === undefined || this.documentBytes > this.maxTextBytes)
      throw this.tooLong(line.line);
    this.document.push(line.text);
  }

  private tooLong(line: number): FileFailure {
    const origin = { file: this.name, line };
    const limit = describeLimit(this.maxTextBytes);
    const reason = `a JSON text over the ${limit} limit for one value; only JSON lines files (one value a line) may be larger`;
    return new FileFailure(origin, reason);
  }

  /** A whole document: an audit payload or a CloudTrail log, by its shape. */
  private readDocument(text: string): void {
    const whole: JsonParse = parseJsonText(text);
    if (!whole.ok) {
      const origin = { file: this.name, line: whole.line, column: whole.column };
      throw new FileFailure(origin, `${EXPECTED_KINDS}, found ${whole.reason}`);
    }
    this.source = classifyValue(whole.value);
    if (this.source === undefined)
      throw new FileFailure(
        { file: this.name },
        `${EXPECTED_KINDS}, found ${describeJson(whole.value)}`,
      );
    if (this.source === 'aws_cloudtrail') {
      const read = readTrailText(text, this.name, whole);
      this.sink.take(this.source, read.records, read.errors);
      return;
    }
    const split = splitAuditPayload(whole.value, { file: this.name, line: 1 });
    if (split.ok) this.sink.take(this.source, split.records, []);
    else
      this.sink.take(
        this.source,
        [],
        [{ origin: { file: this.name, line: 1 }, reason: split.reason }],
      );
  }
}

/**
 * Reads one audit log or CloudTrail file (plain or gzip, from disk or memory), handing its
 * records to `sink` a batch at a time. A file that cannot be read, is empty, of neither kind,
 * or whose gzip stream breaks, comes back as a failure: records read before a gzip fault
 * were handed on, and the failure says where the stream broke.
 */
export async function readJsonLog(
  input: ByteSource,
  sink: JsonLogSink,
  maxTextBytes = MAX_JSON_TEXT_BYTES,
): Promise<JsonLogRead> {
  const reader = new JsonLogReader(input.name, sink, maxTextBytes);
  try {
    for await (const lines of readTextLines(input, maxTextBytes)) reader.take(lines);
    if (!reader.finish()) return failed(reader, { file: input.name }, 'empty file: no events');
  } catch (error) {
    if (error instanceof FileFailure) return failed(reader, error.origin, error.reason);
    if (error instanceof GzipError)
      return failed(reader, { file: input.name }, gzipReason(error, reader));
    const reason = describeFileError(error);
    if (reason === undefined) throw error;
    return failed(reader, { file: input.name }, reason);
  }
  return { source: reader.source };
}

/**
 * A gzip fault as the file's failure. Damage that only the checksum saw cannot be placed in
 * the compressed bytes; in the text, the first line that did not read is a hint of where.
 */
function gzipReason(error: GzipError, reader: JsonLogReader): string {
  if (error.kind !== 'checksum' || reader.firstBadLine === undefined) return error.message;
  return `${error.message}; line ${reader.firstBadLine} is the first that could not be read`;
}

function failed(reader: JsonLogReader, origin: RecordOrigin, reason: string): JsonLogRead {
  return { source: reader.source, failure: { origin, reason } };
}
