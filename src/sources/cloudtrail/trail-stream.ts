/**
 * CloudTrail records from a stream such as stdin, plain or gzip (known by its magic bytes):
 * JSON lines, each a record, an array of records or a whole `{"Records": [...]}` log, handed
 * on line by line; or, when the first line is not JSON on its own, one pretty-printed log,
 * read whole at the stream's end.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { gzipErrorOf, hasGzipMagic } from '../files/index.js';
import { parseJsonText } from '../k8s-audit/json-text.js';
import { readTrailLine, readTrailText, type TrailRead } from './trail-text.js';

/** The chunks of `stream` as bytes: a stream may hand over text (with an encoding set). */
async function* byteChunks(stream: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer | string>)
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/**
 * The stream's bytes, gunzipped when its first two are the gzip magic; `gunzip` is set
 * when they are, so that a broken stream can be told from a failed read.
 */
async function* sniffedBytes(stream: Readable, found: { gunzip?: Gunzip }): AsyncGenerator<Buffer> {
  const chunks = byteChunks(stream);
  const heads: Buffer[] = [];
  // The first chunk may hold a single byte: two decide.
  for (let bytes = 0; bytes < 2;) {
    const next = await chunks.next();
    if (next.done === true) break;
    heads.push(next.value);
    bytes += next.value.length;
  }
  const head = Buffer.concat(heads);
  const rest = Readable.from(
    (async function* () {
      yield head;
      yield* chunks;
    })(),
  );
  if (!hasGzipMagic(head)) return yield* rest;
  const gunzip = createGunzip();
  found.gunzip = gunzip;
  rest.on('error', (error) => gunzip.destroy(error));
  yield* rest.pipe(gunzip);
}

/**
 * Reads `stream` to its end, calling `onRead` once per line that held records or errors.
 * `name` labels the origins (`-` for stdin). A gzip stream that breaks ends the reading with
 * one error in Harrier's words, after the lines before the fault.
 */
export async function readTrailStream(
  stream: Readable,
  name: string,
  onRead: (read: TrailRead) => void,
): Promise<void> {
  const found: { gunzip?: Gunzip } = {};
  const lines = createInterface({
    input: Readable.from(sniffedBytes(stream, found)),
    crlfDelay: Infinity,
  });
  // The first non-blank line decides: JSON on its own means JSON lines, else one document.
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';
  const document: string[] = [];
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (mode === 'undecided' && line.trim() !== '')
        mode = parseJsonText(line).ok ? 'lines' : 'document';
      if (mode !== 'lines') {
        document.push(line);
        continue;
      }
      const read: TrailRead = { records: [], errors: [] };
      readTrailLine(line, name, lineNumber, read);
      if (read.records.length > 0 || read.errors.length > 0) onRead(read);
    }
  } catch (error) {
    const gzip = found.gunzip && gzipErrorOf(error, found.gunzip.bytesWritten);
    if (gzip === undefined) throw error;
    onRead({ records: [], errors: [{ origin: { file: name }, reason: gzip.message }] });
    return;
  }
  if (mode === 'document') onRead(readTrailText(document.join('\n'), name));
}
