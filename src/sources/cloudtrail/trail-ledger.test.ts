import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrailLedger, type ForgottenFiles } from './trail-ledger.js';
import { TrailWatch } from './trail-watch.js';

const log = JSON.stringify({ Records: [{ eventTime: '2024-05-01T10:00:00Z', eventName: 'A' }] });

/** Starts a watch of `root` on the ledger in `database`, scans twice, stops: the files read. */
async function readOnce(root: string, database: string, ledger?: TrailLedger): Promise<string[]> {
  const read: string[] = [];
  const kept = ledger ?? new TrailLedger(new Database(database));
  const watch = new TrailWatch(root, {
    ledger: kept,
    pollMilliseconds: 60_000,
    onFile: (file) => read.push(path.basename(file)),
  });
  await watch.start();
  await watch.scan();
  await watch.stop();
  if (ledger === undefined) kept.close();
  return read;
}

test('a restart reads only the files new or changed since the last run', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-ledger-'));
  const database = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-state-')), 'cloudtrail.db');
  writeFileSync(path.join(root, 'a.json'), log);
  writeFileSync(path.join(root, 'b.json'), log);
  assert.deepEqual(await readOnce(root, database), ['a.json', 'b.json']);
  assert.deepEqual(await readOnce(root, database), []);
  writeFileSync(path.join(root, 'b.json'), `${log}\n`);
  writeFileSync(path.join(root, 'c.json'), log);
  assert.deepEqual(await readOnce(root, database), ['b.json', 'c.json']);
  // Another mtime, same size: changed too.
  utimesSync(path.join(root, 'a.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
  assert.deepEqual(await readOnce(root, database), ['a.json']);
  const cleared = new TrailLedger(new Database(database));
  cleared.clear();
  assert.deepEqual(await readOnce(root, database, cleared), ['a.json', 'b.json', 'c.json']);
  cleared.close();
});

test('files gone from the directory are forgotten at start, so the record shrinks', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-ledger-'));
  const ledger = new TrailLedger();
  writeFileSync(path.join(root, 'a.json'), log);
  assert.deepEqual(await readOnce(root, '', ledger), ['a.json']);
  const real = realpathSync(root);
  assert.deepEqual(ledger.keysUnder(real), [path.join(real, 'a.json')]);
  writeFileSync(path.join(root, 'b.json'), log);
  rmSync(path.join(root, 'a.json'));
  assert.deepEqual(await readOnce(root, '', ledger), ['b.json']);
  assert.deepEqual(ledger.keysUnder(real), [path.join(real, 'b.json')]);
});

test('past its limit the record forgets the oldest files, counts them, and takes older files as read', () => {
  const noted: [ForgottenFiles, number][] = [];
  const ledger = new TrailLedger(undefined, {
    maxFiles: 2,
    onFirstForgotten: (forgotten, limit) => noted.push([forgotten, limit]),
  });
  ledger.add('/t/a.json', { size: 1, mtimeMs: 3000 });
  ledger.add('/t/b.json', { size: 1, mtimeMs: 1000 });
  ledger.add('/t/a.json', { size: 2, mtimeMs: 3000 });
  assert.deepEqual(ledger.forgotten, { files: 0, upToMs: -Infinity });
  ledger.add('/t/c.json', { size: 1, mtimeMs: 2000 });
  ledger.add('/t/d.json', { size: 1, mtimeMs: 4000 });
  assert.deepEqual(
    ['/t/a.json', '/t/b.json', '/t/c.json', '/t/d.json'].map((key) => ledger.has(key)),
    [true, false, false, true],
  );
  assert.deepEqual(ledger.forgotten, { files: 2, upToMs: 2000 });
  assert.deepEqual(noted, [[{ files: 1, upToMs: 1000 }, 2]]);
  assert.equal(ledger.isForgotten({ size: 5, mtimeMs: 2000 }), true);
  assert.equal(ledger.isForgotten({ size: 5, mtimeMs: 2001 }), false);
  assert.throws(() => new TrailLedger(undefined, { maxFiles: 0 }), RangeError);
});
