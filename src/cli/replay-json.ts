/**
 * Kubernetes audit and CloudTrail files for `harrier replay`: each path (a file, a `.zip`,
 * or a directory tree) becomes time-ordered streams of decoded events, one per source, that
 * the replay command merges with capture events by time.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JsonSourceEvent } from '../decode/json-events.js';
import {
  readAuditLogText,
  parseJsonText,
  type RawRecord,
  type RecordError,
} from '../sources/k8s-audit/index.js';
import { readTrailText, readTrailZip, recordsOf } from '../sources/cloudtrail/index.js';
import type { JsonDetection, JsonSource } from './json-pipeline.js';

/** One source's events from the given paths, sorted by time, and what could not be read. */
export interface JsonReplaySource {
  source: JsonSource;
  /** Sorted by `ts`; events with equal times keep their read order. */
  events: JsonSourceEvent[];
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
  if (Array.isArray(value)) return value.length > 0 ? classifyJson(value[0]) : undefined;
  if (!isObject(value)) return undefined;
  // Any `kind` makes it audit data: the audit reader then says why it is not an event.
  if ('kind' in value || 'auditID' in value) return 'k8s_audit';
  if (Array.isArray(value.Records) || 'eventTime' in value || 'eventSource' in value)
    return 'aws_cloudtrail';
  return undefined;
}

/** The source of a file's text: from the whole text, else from its first line. */
function classifyText(text: string): JsonSource | undefined {
  const whole = parseJsonText(text);
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
  source: JsonSource | undefined;
  records: RawRecord[];
  errors: RecordError[];
}

/** Reads one named text, as an audit log or a trail file by its content. */
export function readJsonLogText(text: string, name: string): FileRead {
  const source = classifyText(text);
  if (source === 'k8s_audit') return { source, ...readAuditLogText(text, name) };
  if (source === 'aws_cloudtrail') return { source, ...readTrailText(text, name) };
  const whole = parseJsonText(text);
  const origin = whole.ok ? { file: name } : { file: name, line: whole.line, column: whole.column };
  const reason = whole.ok ? 'not a Kubernetes audit or CloudTrail log' : whole.reason;
  return { source: undefined, records: [], errors: [{ origin, reason }] };
}

async function readPath(file: string): Promise<FileRead[]> {
  if (file.endsWith('.zip')) {
    return (await readTrailZip(file)).map((entry) =>
      readJsonLogText(textOf(entry.bytes, entry.name), entry.name),
    );
  }
  if ((await stat(file)).isDirectory()) {
    const entries = await readdir(file, { recursive: true, withFileTypes: true });
    const names = entries.filter(
      (entry) => entry.isFile() && (isJsonLogName(entry.name) || entry.name.endsWith('.zip')),
    );
    const nested = await Promise.all(
      names.map((entry) => readPath(path.join(entry.parentPath, entry.name))),
    );
    return nested.flat();
  }
  return [readJsonLogText(textOf(await readFile(file), file), file)];
}

function textOf(bytes: Uint8Array, name: string): string {
  try {
    return Buffer.from(name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch {
    // Not gzip after all: a broken stream shows up as a JSON error of the raw bytes.
    return Buffer.from(bytes).toString('utf8');
  }
}

/**
 * Reads `paths` (files, `.zip` archives, directories) into one time-ordered event list per
 * source. Malformed files, lines and records are counted and logged through `detection`
 * with their file and line, and skipped. Rejects only when a path cannot be read at all.
 *
 * @example
 * for (const { events } of await jsonReplaySources(['audit.log', 'trail/'], detection))
 *   for (const event of events) detection.detect(event);
 */
export async function jsonReplaySources(
  paths: readonly string[],
  detection: JsonDetection,
): Promise<JsonReplaySource[]> {
  const reads = (await Promise.all(paths.map(readPath))).flat();
  const bySource = new Map<JsonSource, JsonSourceEvent[]>();
  for (const read of reads) {
    // LIMIT: a file of neither kind has its error counted under aws_cloudtrail.
    detection.reject(read.source ?? 'aws_cloudtrail', read.errors);
    if (read.source === undefined) continue;
    const events = bySource.get(read.source) ?? [];
    for (const record of read.records) {
      const event = detection.decode(read.source, record);
      if (event !== undefined) events.push(event);
    }
    bySource.set(read.source, events);
  }
  return [...bySource].map(([source, events]) => ({ source, events: sortByTime(events) }));
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
