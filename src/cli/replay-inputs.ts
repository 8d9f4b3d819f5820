/**
 * What `harrier replay` reads, found by content rather than by name: each path (a file, a
 * directory tree, a zip archive) becomes syscall captures and JSON logs, judged from their
 * first bytes (the capture's section header magic, plain or inside gzip; a JSON text's
 * opening bracket; the zip magic). Files of no known kind inside a directory or archive are
 * named as skipped; a named file of no known kind, an empty file or an empty directory is a
 * failure. A file reached twice (named twice, through a symbolic link, or also inside a
 * directory given) is read once, and its other names are reported.
 */
import { readdir, stat } from 'node:fs/promises';
import { createReadStream, type Stats } from 'node:fs';
import path from 'node:path';
import { constants, createGunzip } from 'node:zlib';
import {
  describeFileError,
  fileSource,
  hasGzipMagic,
  readHead,
  readZipMembers,
  unreadableFileKind,
  ZipArchiveError,
  type ByteSource,
} from '../sources/files/index.js';
import { hasCaptureMagic } from '../sources/scap/index.js';
import { lineAndColumn, showText, type RecordError } from '../sources/k8s-audit/index.js';
import { EXPECTED_KINDS, MAX_JSON_TEXT_BYTES } from './json-log-file.js';
import type { JsonDetection } from './json-pipeline.js';
import { JsonReplayReader, type JsonReplaySource } from './replay-json.js';

/** A name of a file already read under another name, which is not read again. */
interface DuplicateInput {
  name: string;
  /** The directory it was found in; undefined for a path given on the command line. */
  container?: string;
  /** The name the file was read under. */
  first: string;
}

/**
 * One thing found: a capture, a JSON log, a failure, a file of no known kind skipped, or a
 * file already read under another name.
 */
export type ReplayInput =
  | { kind: 'capture'; source: ByteSource }
  | { kind: 'log'; source: ByteSource }
  | { kind: 'failure'; failure: RecordError }
  | { kind: 'skipped'; container: string; name: string }
  | ({ kind: 'duplicate' } & DuplicateInput);

/**
 * The regular files read so far, by device and inode, with the name each was read under.
 * LIMIT: it grows with the number of files replayed (as the list of captures does).
 */
type ReadFiles = Map<string, string>;

/** The duplicate input when `file` (of `info`) was read before, else marks it read. */
function repeatOf(
  files: ReadFiles,
  file: string,
  info: { dev: number; ino: number },
  container?: string,
): ReplayInput | undefined {
  const key = `${info.dev}:${info.ino}`;
  const first = files.get(key);
  if (first === undefined) {
    files.set(key, file);
    return undefined;
  }
  return { kind: 'duplicate', name: file, container, first };
}

/** What a file holds, judged from its first bytes. */
type Content = 'capture' | 'zip' | 'log' | 'empty' | 'unknown';

/** Bytes read to judge a file, and decompressed bytes looked at for a gzip file. */
const HEAD_BYTES = 4096;

/** Whether `byte` is JSON whitespace. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Offset of the first byte after whitespace and a leading byte-order mark. */
function firstText(head: Uint8Array): number {
  let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (at < head.length && isSpace(head[at])) at++;
  return at;
}

/**
 * The first bytes of a gzip stream, decompressed: at most about `HEAD_BYTES` come out, as the
 * stream is dropped after its first chunk. Undefined when not even they decode.
 */
async function gunzipHead(compressed: Uint8Array): Promise<Uint8Array | undefined> {
  const gunzip = createGunzip({ chunkSize: HEAD_BYTES, finishFlush: constants.Z_SYNC_FLUSH });
  gunzip.end(compressed);
  try {
    for await (const chunk of gunzip) return chunk as Uint8Array;
    return new Uint8Array(0);
  } catch {
    return undefined;
  } finally {
    gunzip.destroy();
  }
}

/**
 * What `source` holds, from its first bytes; `whole` says whether `head` is all of it. `text`
 * is the start of the content judged: for a gzip file, its first decompressed bytes.
 */
async function judge(
  head: Uint8Array,
  whole: boolean,
): Promise<{ content: Content; text: Uint8Array }> {
  let text = head;
  // Reads `text` when called: the decompressed bytes once a gzip stream is opened.
  const judged = (content: Content) => ({ content, text });
  if (head.length === 0) return judged('empty');
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5))
    return judged('zip');
  if (hasGzipMagic(head)) {
    const inflated = await gunzipHead(head);
    // A gzip stream broken at its start goes to the log reader, which says where it breaks.
    if (inflated === undefined) return judged('log');
    text = inflated;
    whole = false;
  }
  if (hasCaptureMagic(text)) return judged('capture');
  const at = firstText(text);
  if (at >= text.length) return judged(whole ? 'empty' : 'log');
  return judged(text[at] === 0x7b || text[at] === 0x5b ? 'log' : 'unknown');
}

/** Characters of a text file's first line a failure quotes. */
const QUOTED_CHARACTERS = 40;

/**
 * Why a named file of no known kind is not read: binary data, or text that does not start as
 * JSON does (an auditd log, a CSV file...), quoted from where its text starts.
 */
function unknownReason(name: string, head: Uint8Array): RecordError {
  // Streaming keeps a character cut at the end of the head from reading as invalid UTF-8.
  const text = new TextDecoder().decode(head, { stream: true });
  if (head.includes(0) || text.includes('\ufffd'))
    return { origin: { file: name }, reason: `${EXPECTED_KINDS}, found binary data` };
  const offset = text.search(/[^ \t\r\n]/);
  const line = text.slice(offset).split(/\r?\n/, 1)[0];
  const quoted = [...line].slice(0, QUOTED_CHARACTERS).join('');
  const more = quoted.length < line.length ? '...' : '';
  const reason = `format not recognised: ${EXPECTED_KINDS} (JSON), found text that is not JSON: '${showText(quoted)}'${more}`;
  return { origin: { file: name, ...lineAndColumn(text, offset) }, reason };
}

function failure(origin: RecordError['origin'], reason: string): ReplayInput {
  return { kind: 'failure', failure: { origin, reason } };
}

/**
 * The inputs of one file. `container` is the directory or archive it was found in (then a
 * file of no known kind is skipped), undefined for a file named on the command line.
 */
async function* fileInputs(source: ByteSource, container?: string): AsyncGenerator<ReplayInput> {
  let head: Uint8Array;
  try {
    head = await readHead(source, HEAD_BYTES);
  } catch (error) {
    const reason = describeFileError(error);
    if (reason === undefined) throw error;
    yield failure({ file: source.name }, reason);
    return;
  }
  const { content, text } = await judge(head, head.length < HEAD_BYTES);
  if (content === 'capture' || content === 'log') yield { kind: content, source };
  else if (content === 'empty') yield failure({ file: source.name }, 'empty file: no events');
  // LIMIT: archives inside archives are not opened; they are skipped by name.
  else if (content === 'zip' && container === undefined) yield* zipInputs(source);
  else if (container !== undefined) yield { kind: 'skipped', container, name: source.name };
  else yield { kind: 'failure', failure: unknownReason(source.name, text) };
}

async function* zipInputs(source: ByteSource): AsyncGenerator<ReplayInput> {
  const archive = source.name;
  let found = 0;
  try {
    for await (const member of readZipMembers(source)) {
      found++;
      if (member.bytes === undefined)
        yield failure({ file: member.name }, `not read: ${member.reason}`);
      else yield* fileInputs({ name: member.name, bytes: member.bytes }, archive);
    }
  } catch (error) {
    if (!(error instanceof ZipArchiveError)) throw error;
    yield failure({ file: archive }, error.message);
    return;
  }
  if (found === 0) yield failure({ file: archive }, 'no input files in the zip archive');
}

async function* directoryInputs(directory: string, files: ReadFiles): AsyncGenerator<ReplayInput> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const found = entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => ({ entry, file: path.join(entry.parentPath, entry.name) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  let read = 0;
  for (const { entry, file } of found) {
    // Symbolic links to files are read; sockets, pipes and links to directories are not.
    const info = entry.isFile() || entry.isSymbolicLink() ? await regularFile(file) : undefined;
    if (info === undefined) {
      yield { kind: 'skipped', container: directory, name: file };
      continue;
    }
    const repeat = repeatOf(files, file, info, directory);
    if (repeat !== undefined) {
      read++;
      yield repeat;
      continue;
    }
    for await (const input of fileInputs(fileSource(file), directory)) {
      if (input.kind !== 'skipped') read++;
      yield input;
    }
  }
  if (read === 0) yield failure({ file: directory }, 'no input files in the directory');
}

/** The status of `file` when it is (or links to) a regular file. */
async function regularFile(file: string): Promise<Stats | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A path that is not a regular file (a pipe, as from `<(zcat log.gz)`), read into memory:
 * it cannot be read twice, and judging it reads its start.
 */
async function streamSource(file: string): Promise<ByteSource | ReplayInput> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_TEXT_BYTES)
      return failure(
        { file },
        `a stream over ${MAX_JSON_TEXT_BYTES / (1024 * 1024)} MiB is not read; write it to a file`,
      );
    chunks.push(chunk as Buffer);
  }
  return { name: file, bytes: Buffer.concat(chunks) };
}

async function* pathInputs(file: string, files: ReadFiles): AsyncGenerator<ReplayInput> {
  const info = await stat(file);
  if (info.isDirectory()) yield* directoryInputs(file, files);
  else if (info.isFile()) {
    const repeat = repeatOf(files, file, info);
    if (repeat !== undefined) yield repeat;
    else yield* fileInputs(fileSource(file));
  } else {
    // Only an anonymous pipe: opening a named one with no writer would hang the process.
    const refused = unreadableFileKind(file, { directory: true, anonymousPipe: true });
    if (refused !== undefined) return yield failure({ file }, refused);
    const source = await streamSource(file);
    if ('kind' in source) yield source;
    else yield* fileInputs(source);
  }
}

/**
 * The captures and JSON logs of `paths` (files, directories, zip archives), in the order
 * given, directories sorted by path, archives in archive order; a path that cannot be read
 * is a failure and the others are still read.
 */
export async function* replayInputs(paths: readonly string[]): AsyncGenerator<ReplayInput> {
  const files: ReadFiles = new Map();
  for (const file of paths) {
    try {
      yield* pathInputs(file, files);
    } catch (error) {
      const reason = describeFileError(error);
      if (reason === undefined) throw error;
      yield failure({ file }, reason);
    }
  }
}

/** Files of no known kind skipped in one directory or archive. */
export interface SkippedFiles {
  container: string;
  count: number;
  /** The first `MAX_SKIPPED_NAMES` of them, relative to the container. */
  names: string[];
}

/** Names of skipped files kept per directory or archive; the rest are counted. */
const MAX_SKIPPED_NAMES = 20;

/** Decompressed bytes of captures found in zip archives, held in memory for the replay. */
// LIMIT: captures inside zip archives are replayed from memory, 1 GiB of them in all; those
// past it are named as not read.
const MAX_ARCHIVED_CAPTURE_BYTES = 1024 * 1024 * 1024;

/** Everything `harrier replay` found in its paths, JSON logs already read. */
export interface GatheredInputs {
  /** JSON events, one time-ordered list per source. */
  sources: JsonReplaySource[];
  captures: ByteSource[];
  /** Inputs that could not be read, or not to their end. */
  failures: RecordError[];
  skipped: SkippedFiles[];
  /** Names of files already read under another name, not read again. */
  duplicates: DuplicateInputs;
}

/** Names of files already read, not read again: the first few of them, and how many. */
export interface DuplicateInputs {
  count: number;
  /** The first `MAX_DUPLICATE_NAMES` of them. */
  first: DuplicateInput[];
}

/** Duplicate names kept for the warning; the rest are counted. */
const MAX_DUPLICATE_NAMES = 20;

/**
 * Finds the inputs of `paths` and reads every JSON log among them through `detection`;
 * captures are listed for the capture side, which streams them during the merge.
 *
 * @example
 * const { sources, captures, failures } = await gatherReplayInputs(['logs/'], detection);
 */
export async function gatherReplayInputs(
  paths: readonly string[],
  detection: JsonDetection,
): Promise<GatheredInputs> {
  const reader = new JsonReplayReader(detection);
  const captures: ByteSource[] = [];
  const failures: RecordError[] = [];
  const skipped = new Map<string, SkippedFiles>();
  const duplicates: DuplicateInputs = { count: 0, first: [] };
  let archivedBytes = 0;
  for await (const input of replayInputs(paths)) {
    if (input.kind === 'duplicate') {
      duplicates.count++;
      const { name, container, first } = input;
      if (duplicates.first.length < MAX_DUPLICATE_NAMES)
        duplicates.first.push(
          container === undefined ? { name, first } : { name, container, first },
        );
    } else if (input.kind === 'log') {
      const failure = await reader.read(input.source);
      if (failure !== undefined) failures.push(failure);
    } else if (input.kind === 'failure') failures.push(input.failure);
    else if (input.kind === 'skipped') noteSkipped(skipped, input.container, input.name);
    else if (input.source.path === undefined) {
      archivedBytes += input.source.bytes.length;
      if (archivedBytes <= MAX_ARCHIVED_CAPTURE_BYTES) captures.push(input.source);
      else
        failures.push({
          origin: { file: input.source.name },
          reason:
            'not read: captures inside zip archives are replayed from memory, up to 1 GiB in all',
        });
    } else captures.push(input.source);
  }
  const found = { sources: reader.sources(), captures, failures };
  return { ...found, skipped: [...skipped.values()], duplicates };
}

function noteSkipped(skipped: Map<string, SkippedFiles>, container: string, name: string): void {
  let entry = skipped.get(container);
  if (entry === undefined) skipped.set(container, (entry = { container, count: 0, names: [] }));
  entry.count++;
  const inside = name.startsWith(`${container}:`)
    ? name.slice(container.length + 1)
    : path.relative(container, name);
  if (entry.names.length < MAX_SKIPPED_NAMES) entry.names.push(inside);
}
