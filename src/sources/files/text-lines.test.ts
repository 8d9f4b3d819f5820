import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readTextLines, type TextLine } from './text-lines.js';
import type { GzipError } from './gzip-data.js';

async function linesOf(bytes: Uint8Array, maxLineBytes = 1024): Promise<TextLine[]> {
  const lines: TextLine[] = [];
  for await (const batch of readTextLines({ name: 'x', bytes }, maxLineBytes)) lines.push(...batch);
  return lines;
}

test('lines are numbered from 1, a leading byte-order mark is skipped, a last line without newline is kept', async () => {
  const lines = await linesOf(Buffer.from('\ufeff{"a":1}\r\n\nlast'));
  assert.deepEqual(lines, [
    { line: 1, text: '{"a":1}\r', bytes: 11 },
    { line: 2, text: '', bytes: 0 },
    { line: 3, text: 'last', bytes: 4 },
  ]);
  assert.deepEqual(await linesOf(Buffer.from('a\ufeff\n\ufeffb\n')), [
    { line: 1, text: 'a\ufeff', bytes: 4 },
    { line: 2, text: '\ufeffb', bytes: 4 },
  ]);
});

test('a line longer than the limit is counted, not held, and the next lines are read', async () => {
  const text = `short\n${'x'.repeat(5000)}\n\u00e9t\u00e9\n`;
  assert.deepEqual(await linesOf(Buffer.from(text), 100), [
    { line: 1, text: 'short', bytes: 5 },
    { line: 2, text: undefined, bytes: 5000 },
    { line: 3, text: '\u00e9t\u00e9', bytes: 5 },
  ]);
});

test('lines spread over many read chunks of a gzip file come out whole', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-lines-')), 'big.gz');
  const lines = Array.from(
    { length: 30_000 },
    (_, index) => `line ${index} ${'z'.repeat(index % 97)}`,
  );
  writeFileSync(file, gzipSync(lines.join('\n')));
  const read: string[] = [];
  for await (const batch of readTextLines({ name: file, path: file }, 1024))
    for (const { text } of batch) read.push(text ?? '');
  assert.deepEqual(read, lines);
});

test('a gzip stream cut inside a line gives the lines before, the cut line, then where it stopped', async () => {
  const lines = Array.from(
    { length: 400 },
    (_, index) => `line ${index} ${Math.sin(index).toString(36)}`,
  );
  const text = `${lines.join('\n')}\n`;
  const gzipped = gzipSync(text);
  const cut = gzipped.subarray(0, Math.floor(gzipped.length * 0.9));
  const read: TextLine[] = [];
  const error = await (async () => {
    for await (const batch of readTextLines({ name: 'x', bytes: cut }, 100)) read.push(...batch);
  })().then(
    () => assert.fail('no error'),
    (caught: GzipError) => caught,
  );
  const last = read[read.length - 1];
  assert.equal(error.kind, 'truncated');
  assert.equal(error.line, last.line);
  assert.equal(
    error.message,
    `gzip stream truncated at compressed byte ${cut.length} (uncompressed byte ${error.uncompressedOffset}, line ${last.line})`,
  );
  // Every byte zlib could decode came out: the complete lines, then the start of the cut one.
  const decoded = text.slice(0, error.uncompressedOffset);
  assert.deepEqual(read.map(({ text: line }) => line).join('\n'), decoded);
  assert.ok(lines[last.line - 1].startsWith(last.text ?? '') && last.text !== lines[last.line - 1]);
  assert.ok(read.length > 300);
});
