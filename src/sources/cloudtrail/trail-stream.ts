/**
 * CloudTrail records from a stream such as stdin: JSON lines, each a record, an array of
 * records or a whole `{"Records": [...]}` log. A stream that turns out to be one
 * pretty-printed log is read whole at its end.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { readTrailLine, readTrailText, type TrailRead } from './trail-text.js';

/**
 * Reads `stream` to its end, calling `onRead` once per line that held records or errors.
 * `name` labels the origins (`-` for stdin).
 */
export async function readTrailStream(stream: Readable, name: string, onRead: (read: TrailRead) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // Until a line yields a record, lines are held back: they may be one pretty-printed log.
  const held: string[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    const read: TrailRead = { records: [], errors: [] };
    readTrailLine(line, name, lineNumber, read);
    if (held.length === lineNumber - 1 && read.records.length === 0) {
      held.push(line);
      continue;
    }
    if (held.length > 0) onRead(linesRead(held, name));
    held.length = 0;
    if (read.records.length > 0 || read.errors.length > 0) onRead(read);
  }
  if (held.length === lineNumber && held.length > 0) onRead(readTrailText(held.join('\n'), name));
}

function linesRead(lines: string[], name: string): TrailRead {
  const read: TrailRead = { records: [], errors: [] };
  lines.forEach((line, index) => readTrailLine(line, name, index + 1, read));
  return read;
}
