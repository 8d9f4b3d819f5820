import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import {
  MAX_ZIP_MEMBER_BYTES,
  readZipMembers,
  ZipArchiveError,
  type ZipMember,
} from './zip-archive.js';

const directory = mkdtempSync(path.join(tmpdir(), 'harrier-zip-'));

function archive(name: string, bytes: Uint8Array): string {
  const file = path.join(directory, name);
  writeFileSync(file, bytes);
  return file;
}

async function members(file: string): Promise<ZipMember[]> {
  const found: ZipMember[] = [];
  for await (const member of readZipMembers({ name: file, path: file })) found.push(member);
  return found;
}

/** Sets the uncompressed size that the central directory declares for member `index`. */
function declareSize(zip: Uint8Array, index: number, size: number): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let seen = 0;
  for (let at = 0; at + 4 <= zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    if (seen++ === index) view.setUint32(at + 24, size, true);
  }
  return zip;
}

test('members come in archive order with their archive-qualified names, directories left out', async () => {
  const text = (value: string) => new TextEncoder().encode(value);
  const file = archive(
    'ordered.zip',
    zipSync({
      'b.json': text('{"b":1}'),
      'dir/': new Uint8Array(0),
      'dir/a.log': text('a'),
      '10': text('ten'),
    }),
  );
  const found = await members(file);
  // zipSync writes in key order, which puts the integer-like '10' first.
  assert.deepEqual(
    found.map((member) => [member.name, Buffer.from(member.bytes ?? []).toString()]),
    [
      [`${file}:10`, 'ten'],
      [`${file}:b.json`, '{"b":1}'],
      [`${file}:dir/a.log`, 'a'],
    ],
  );
});

test('a member declaring more than the limit is named with its size and not decompressed; the others are read', async () => {
  const text = new TextEncoder().encode('{"kind":"Event"}');
  const zip = declareSize(
    zipSync({ 'first.json': text, 'huge.json': text, 'last.json': text }),
    1,
    MAX_ZIP_MEMBER_BYTES + 5,
  );
  const file = archive('huge.zip', zip);
  const found = await members(file);
  assert.deepEqual(
    found.map((member) => member.name.slice(file.length + 1)),
    ['first.json', 'huge.json', 'last.json'],
  );
  assert.deepEqual(found[1], {
    name: `${file}:huge.json`,
    reason: `expands to ${MAX_ZIP_MEMBER_BYTES + 5} bytes, over the 256 MiB limit for a zip member`,
  });
  assert.equal(Buffer.from(found[2].bytes ?? []).toString(), '{"kind":"Event"}');
});

test('a member whose real data is longer than its declared size stops at the declared size', async () => {
  const zip = declareSize(
    zipSync({ 'lying.json': new TextEncoder().encode('0123456789'.repeat(100)) }),
    0,
    25,
  );
  const found = await members(archive('lying.zip', zip));
  assert.equal(found[0].bytes?.length, 25);
});

test('bytes that are no zip archive are a ZipArchiveError', async () => {
  const file = archive('not.zip', new TextEncoder().encode('PK\x03\x04 and nothing else'));
  await assert.rejects(
    members(file),
    (error: unknown) =>
      error instanceof ZipArchiveError && /^not a readable zip archive: /.test(error.message),
  );
});
