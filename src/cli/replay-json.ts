/**
 * Kubernetes audit and CloudTrail files for `harrier replay`: each path (a file, a `.zip`,
 * or a directory tree) becomes time-ordered streams of decoded events, one per source, that
 * the replay command merges with capture events by time.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { JsonSourceEvent } from '../decode/json-events.js';
import {
  readAuditLogText,
  parseJsonText,
  type JsonParse,
  type RawRecord,
  type RecordError,
} from '../sources/k8s-audit/index.js';
import { readTrailText, readTrailZip, recordsOf } from '../sources/cloudtrail/index.js';
import { describeFileError, gunzipData, GzipError, hasGzipMagic } from '../sources/files/index.js';
import type { JsonDetection, JsonSource } from './json-pipeline.js';

/** One source's events from the given paths, sorted by time. */
export interface JsonReplaySource {
  source: JsonSource;
  /** Sorted by `ts`; events with equal times keep their read order. */
  events: JsonSourceEvent[];
}

/** The events of the given paths by source, and the files that could not be read at all. */
export interface JsonReplay {
  sources: JsonReplaySource[];
  /** Files missing, unreadable, or of neither kind, with where and why. */
  failures: RecordError[];
}

/** Files whose content may be audit or CloudTrail JSON. */
function isJsonLogName(name: string): boolean {
  return /\.(json|jsonl|log)(\.gz)?$/.test(name);
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

/** The source of a file's text, whose parse as a whole is `whole`; else from its first line. */
function classifyText(text: string, whole: JsonParse): JsonSource | undefined {
  if (whole.ok)
    return (
      classifyJson(whole.value) ??
      (recordsOf(whole.value).length === 0 ? 'aws_cloudtrail' : undefined)
    );
  const first = text.split('\n').find((line) => line.trim() !== '');
  const parsed = first === undefined ? undefined : parseJsonText(first);
  return parsed?.ok ? classifyJson(parsed.value) : undefined;
}

interface FileRead {
  /** Undefined: the file as a whole could not be read; `errors` says why. */
  source: JsonSource | undefined;
  records: RawRecord[];
  errors: RecordError[];
}

const expectedKinds = 'expected a Kubernetes audit log or a CloudTrail file';

/** Reads one named text, as an audit log or a trail file by its content. */
export function readJsonLogText(text: string, name: string): FileRead {
  // An empty file holds no events, like an audit log rotated a moment ago: nothing is wrong.
  if (text.trim() === '') return { source: undefined, records: [], errors: [] };
  const whole = parseJsonText(text);
  const source = classifyText(text, whole);
  if (source === 'k8s_audit') return { source, ...readAuditLogText(text, name) };
  if (source === 'aws_cloudtrail') return { source, ...readTrailText(text, name, whole) };
  if (!whole.ok) {
    const origin = { file: name, line: whole.line, column: whole.column };
    return unreadable(origin, `${expectedKinds}, found ${whole.reason}`);
  }
  return unreadable({ file: name }, `${expectedKinds}, found ${describeJson(whole.value)}`);
}

/** What a JSON value of neither kind is, for the error that says so. */
function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array of neither kind of record';
  if (!isObject(value)) return value === null ? 'null' : `a JSON ${typeof value}`;
  const keys = Object.keys(value);
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
  return `a JSON object without kind, auditID, Records, eventTime or eventSource (keys: ${shown})`;
}

function unreadable(origin: RecordError['origin'], reason: string): FileRead {
  return { source: undefined, records: [], errors: [{ origin, reason }] };
}

/** Reads one file's bytes, gunzipped when they start with the gzip magic. */
function readJsonBytes(bytes: Uint8Array, name: string): FileRead {
  let text: string;
  try {
    text = Buffer.from(hasGzipMagic(bytes) ? gunzipData(bytes) : bytes).toString('utf8');
  } catch (error) {
    if (error instanceof GzipError) return unreadable({ file: name }, error.message);
    throw error;
  }
  return readJsonLogText(text, name);
}

/** The reads of one path: a file, a `.zip` archive or a directory tree. */
async function readPath(file: string): Promise<FileRead[]> {
  try {
    if (file.endsWith('.zip')) return await readZip(file);
    if (!(await stat(file)).isDirectory()) return [readJsonBytes(await readFile(file), file)];
    const entries = await readdir(file, { recursive: true, withFileTypes: true });
    const names = entries.filter(
      (entry) => entry.isFile() && (isJsonLogName(entry.name) || entry.name.endsWith('.zip')),
    );
    const nested = await Promise.all(
      names.map((entry) => readPath(path.join(entry.parentPath, entry.name))),
    );
    return nested.flat();
  } catch (error) {
    const reason = describeFileError(error);
    if (reason === undefined) throw error;
    return [unreadable({ file }, reason)];
  }
}

async function readZip(file: string): Promise<FileRead[]> {
  let entries: Awaited<ReturnType<typeof readTrailZip>>;
  try {
    entries = await readTrailZip(file);
  } catch (error) {
    if (describeFileError(error) !== undefined) throw error;
    return [unreadable({ file }, `not a readable zip archive: ${(error as Error).message}`)];
  }
  return entries.map((entry) => readJsonBytes(entry.bytes, entry.name));
}

/**
 * Reads `paths` (files, `.zip` archives, directories) into one time-ordered event list per
 * source. Malformed lines and records of a recognised file are counted and logged through
 * `detection` with their file and line, and skipped; files that are missing, unreadable or
 * of neither kind are returned as failures, and the other paths are still read.
 *
 * @example
 * const { sources, failures } = await jsonReplaySources(['audit.log', 'trail/'], detection);
 * for (const { events } of sources) for (const event of events) detection.detect(event);
 */
export async function jsonReplaySources(
  paths: readonly string[],
  detection: JsonDetection,
): Promise<JsonReplay> {
  const reads = (await Promise.all(paths.map(readPath))).flat();
  const bySource = new Map<JsonSource, JsonSourceEvent[]>();
  const failures: RecordError[] = [];
  for (const read of reads) {
    if (read.source === undefined) {
      failures.push(...read.errors);
      continue;
    }
    detection.reject(read.source, read.errors);
    const events = bySource.get(read.source) ?? [];
    for (const record of read.records) {
      const event = detection.decode(read.source, record);
      if (event !== undefined) events.push(event);
    }
    bySource.set(read.source, events);
  }
  const sources = [...bySource].map(([source, events]) => ({ source, events: sortByTime(events) }));
  return { sources, failures };
}

function sortByTime<T extends { ts: bigint }>(events: T[]): T[] {
  return events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/**
 * Merges time-ordered streams into one time-ordered stream; on equal times the earlier
 * stream in `streams` goes first.
 */
export async function* mergeByTime<T extends { ts: bigint }>(
  streams: readonly (Iterable<T> | AsyncIterable<T>)[],
): AsyncGenerator<T> {
  const cursors = streams.map((stream) =>
    Symbol.asyncIterator in stream
      ? stream[Symbol.asyncIterator]()
      : toAsync(stream[Symbol.iterator]()),
  );
  const heads = await Promise.all(cursors.map((cursor) => cursor.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i].done) continue;
      if (best < 0 || (heads[i].value as T).ts < (heads[best].value as T).ts) best = i;
    }
    if (best < 0) return;
    yield heads[best].value as T;
    heads[best] = await cursors[best].next();
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: () => Promise.resolve(iterator.next()) };
}
