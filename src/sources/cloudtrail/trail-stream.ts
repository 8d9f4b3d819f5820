/**
 * CloudTrail records from a stream such as stdin: JSON lines, each a record, an array of
 * records or a whole `{"Records": [...]}` log, handed on line by line; or, when the first
 * line is not JSON on its own, one pretty-printed log, read whole at the stream's end.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseJsonText } from '../k8s-audit/json-text.js';
import { readTrailLine, readTrailText, type TrailRead } from './trail-text.js';

/**
 * Reads `stream` to its end, calling `onRead` once per line that held records or errors.
 * `name` labels the origins (`-` for stdin).
 */
export async function readTrailStream(
  stream: Readable,
  name: string,
  onRead: (read: TrailRead) => void,
): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // The first non-blank line decides: JSON on its own means JSON lines, else one document.
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';
  const document: string[] = [];
  let lineNumber = 0;
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
  if (mode === 'document') onRead(readTrailText(document.join('\n'), name));
}
