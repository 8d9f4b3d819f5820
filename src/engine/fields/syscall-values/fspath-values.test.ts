/**
 * `fs.path.*` on a capture written here: one thread in /home/u with /srv open as fd 5, making
 * a directory, opening, linking, changing modes and renaming with relative and absolute paths.
 * Expected values follow libsinsp's `sinsp_filter_check_fspath`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SyscallEvent } from '../../../decode/event.js';
import { syscallEvents } from '../../../decode/pipeline.js';
import { ScapWriter } from '../../../sources/scap/scap-writer.js';
import { fieldTableFor } from '../index.js';
import type { FieldTable } from '../types.js';

const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;
const TID = 4100;
const AT_FDCWD = -100n;

type Value = bigint | number | string;

const i64 = (value: bigint): Uint8Array => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value, true);
  return bytes;
};
const u32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
};
const text = (value: string): Uint8Array => new TextEncoder().encode(`${value}\0`);

/** Strings as C strings, bigints as 64-bit and numbers as 32-bit values. */
function encode(value: Value): Uint8Array {
  if (typeof value === 'string') return text(value);
  return typeof value === 'bigint' ? i64(value) : u32(value);
}

/** A V2 event record of `code` with `values` (no parameter here needs 32-bit lengths). */
function event(code: number, ts: bigint, values: Value[]): Uint8Array {
  const params = values.map(encode);
  const length = 26 + params.length * 2 + params.reduce((sum, p) => sum + p.length, 0);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, ts, true);
  view.setBigInt64(8, BigInt(TID), true);
  view.setUint32(16, length, true);
  view.setUint16(20, code, true);
  view.setUint32(22, params.length, true);
  let at = 26;
  for (const param of params) view.setUint16((at += 2) - 2, param.length, true);
  for (const param of params) {
    bytes.set(param, at);
    at += param.length;
  }
  return bytes;
}

/** Exit events, each with the fields expected on it. */
const CASES: Array<{ what: string; code: number; values: Value[]; expected: Record<string, string | undefined> }> = [
  { what: 'mkdir, relative', code: 277, values: [0n, '.kit', 0o755],
    expected: { 'fs.path.name': '/home/u/.kit', 'fs.path.nameraw': '.kit', 'fs.path.source': undefined } },
  { what: 'mkdir that failed', code: 277, values: [-17n, '.kit', 0o755], expected: { 'fs.path.name': undefined } },
  { what: 'mkdirat below fd 5', code: 305, values: [0n, 5n, 'x/../.d', 0o755],
    expected: { 'fs.path.name': '/srv/.d', 'fs.path.nameraw': 'x/../.d' } },
  { what: 'openat, relative, creates fd 6', code: 307,
    values: [6n, AT_FDCWD, '.hidden', 0o2 | 0o4, 0o644, 0, 0n],
    expected: { 'fs.path.name': '/home/u/.hidden', 'fd.name': '/home/u/.hidden' } },
  { what: 'fchmod on fd 6', code: 317, values: [0n, 6n, 0o4755], expected: { 'fs.path.name': '/home/u/.hidden' } },
  { what: 'fchmodat, absolute', code: 313, values: [0n, AT_FDCWD, '/usr/bin//sh', 0o4755],
    expected: { 'fs.path.name': '/usr/bin/sh', 'fs.path.nameraw': '/usr/bin//sh' } },
  { what: 'symlinkat, relative link', code: 181, values: [0n, '/dev/null', AT_FDCWD, '.bash_history'],
    expected: { 'fs.path.name': undefined, 'fs.path.source': '/home/u/.bash_history',
      'fs.path.target': '/dev/null', 'fs.path.targetraw': '/dev/null' } },
  { what: 'symlinkat, relative target', code: 181, values: [0n, 'null', 5n, 'h'],
    expected: { 'fs.path.source': '/srv/h', 'fs.path.target': '<UNKNOWN>null' } },
  { what: 'linkat: the new link is the source', code: 311, values: [0n, AT_FDCWD, '/etc/shadow', AT_FDCWD, 's', 0],
    expected: { 'fs.path.source': '/home/u/s', 'fs.path.target': '/etc/shadow' } },
  { what: 'renameat2 between dirfds', code: 319, values: [0n, 5n, 'a', AT_FDCWD, 'b', 0],
    expected: { 'fs.path.source': '/srv/a', 'fs.path.target': '/home/u/b' } },
]; // prettier-ignore

test('fs.path.* name the path of every filesystem call as libsinsp does', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'harrier-fspath-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'paths.scap');
  const writer = await ScapWriter.create(file, {
    threads: [
      { tid: TID, pid: TID, ptid: 1, comm: 'sh', exe: 'sh', exepath: '/bin/sh', cwd: '/home/u/' },
    ],
    fds: [{ tid: TID, fd: 5, type: 'directory', name: '/srv' }],
  });
  CASES.forEach((c, i) =>
    writer.writeEvent({ rawBytes: event(c.code, 1_000n + BigInt(i), c.values) }),
  );
  await writer.close();

  const seen: SyscallEvent[] = [];
  for await (const e of syscallEvents(file)) seen.push(e);
  assert.equal(seen.length, CASES.length);
  CASES.forEach((c, i) => {
    for (const [field, expected] of Object.entries(c.expected)) {
      const value = table.fields.get(field)?.extract?.(seen[i], undefined);
      assert.equal(value, expected, `${c.what}: ${field}`);
    }
  });
});
