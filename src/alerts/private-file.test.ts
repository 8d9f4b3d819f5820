import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { capturingLogger } from '../testing/capturing-logger.js';
import { preparePrivateDatabase, tightenPrivateFiles } from './private-file.js';

function temporaryDirectory(t: { after: (done: () => void) => void }): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-private-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Writes `file` with `mode`, whatever the umask. */
function writeWithMode(file: string, mode: number): void {
  writeFileSync(file, 'x');
  chmodSync(file, mode);
}

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

test('an existing 0644 database and its -wal and -shm files are made 0600 with one warning', (t) => {
  const directory = temporaryDirectory(t);
  const database = path.join(directory, 'alerts.db');
  for (const file of [database, `${database}-wal`, `${database}-shm`]) writeWithMode(file, 0o644);
  const { logger, lines } = capturingLogger();

  preparePrivateDatabase(database, logger);

  assert.deepEqual([database, `${database}-wal`, `${database}-shm`].map(modeOf), [
    '600',
    '600',
    '600',
  ]);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].level, 40);
  assert.deepEqual(lines[0].files, [database, `${database}-wal`, `${database}-shm`]);
  assert.deepEqual(lines[0].previousModes, ['0644', '0644', '0644']);
  assert.match(String(lines[0].msg), /readable by other users.*made them 0600/);
});

test('a database that is already 0600, or a new one, is left without a warning', (t) => {
  const directory = temporaryDirectory(t);
  const existing = path.join(directory, 'old.db');
  writeWithMode(existing, 0o600);
  const fresh = path.join(directory, 'new.db');
  const { logger, lines } = capturingLogger();

  preparePrivateDatabase(existing, logger);
  preparePrivateDatabase(fresh, logger);

  assert.deepEqual([modeOf(existing), modeOf(fresh)], ['600', '600']);
  assert.deepEqual(lines, []);
});

test('only the files others may use are tightened and named: a 0640 -wal beside a 0600 database', (t) => {
  const directory = temporaryDirectory(t);
  const database = path.join(directory, 'queue.db');
  writeWithMode(database, 0o600);
  writeWithMode(`${database}-wal`, 0o640);
  const { logger, lines } = capturingLogger();

  preparePrivateDatabase(database, logger);

  assert.equal(modeOf(`${database}-wal`), '600');
  assert.deepEqual(
    lines.map((line) => [line.files, line.previousModes]),
    [[[`${database}-wal`], ['0640']]],
  );
});

test(
  "another user's 0644 file is left as it is, warned about once with the path and why (needs root)",
  { skip: process.getuid?.() !== 0 && 'needs root to give a file to another user' },
  (t) => {
    const directory = temporaryDirectory(t);
    const file = path.join(directory, 'alerts.db');
    writeWithMode(file, 0o644);
    chownSync(file, 65534, 65534);
    const { logger, lines } = capturingLogger();

    tightenPrivateFiles([file, `${file}-wal`], logger);

    assert.equal(modeOf(file), '644');
    assert.deepEqual(
      lines.map((line) => [line.level, line.file, line.mode]),
      [[40, file, '0644']],
    );
    assert.match(String(lines[0].msg), /could not be made 0600; using it as it is/);
    assert.match(
      (lines[0].err as { message: string }).message,
      /belongs to uid 65534, not to Harrier's uid 0/,
    );
  },
);
