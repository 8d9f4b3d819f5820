import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { capturingLogger } from '../testing/capturing-logger.js';
import { openPrivateDatabase } from './private-file.js';

function temporaryDirectory(t: { after: (done: () => void) => void }): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-private-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Writes `file` with `mode`, whatever the umask. */
function writeWithMode(file: string, mode: number, content = 'x'): void {
  writeFileSync(file, content);
  chmodSync(file, mode);
}

/**
 * A WAL database of table `alerts` with one row, left open (closed after the test) so that
 * its -wal and -shm files stay, as a running or killed Harrier leaves them.
 */
function openWalDatabase(
  file: string,
  t: { after: (done: () => void) => void },
): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec("CREATE TABLE alerts (id TEXT); INSERT INTO alerts VALUES ('a-1')");
  t.after(() => db.close());
  return db;
}

/** Opens and closes `file` as a database of one table, `alerts`. */
function prepareDatabase(file: string, logger: Parameters<typeof openPrivateDatabase>[2]): void {
  openPrivateDatabase(file, ['alerts'], logger).close();
}

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

test('an existing 0644 database and its -wal and -shm files are made 0600 with one warning', (t) => {
  const directory = temporaryDirectory(t);
  const database = path.join(directory, 'alerts.db');
  const older = openWalDatabase(database, t);
  for (const file of [database, `${database}-wal`, `${database}-shm`]) chmodSync(file, 0o644);
  const { logger, lines } = capturingLogger();

  const db = openPrivateDatabase(database, ['alerts'], logger);
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT id FROM alerts').all(), [{ id: 'a-1' }]);
  older.close();

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
  writeWithMode(existing, 0o600, '');
  const fresh = path.join(directory, 'new.db');
  const { logger, lines } = capturingLogger();

  prepareDatabase(existing, logger);
  prepareDatabase(fresh, logger);

  assert.deepEqual([modeOf(existing), modeOf(fresh)], ['600', '600']);
  assert.deepEqual(lines, []);
});

test('only the files others may use are tightened and named: a 0640 -wal beside a 0600 database', (t) => {
  const directory = temporaryDirectory(t);
  const database = path.join(directory, 'queue.db');
  openWalDatabase(database, t);
  chmodSync(database, 0o600);
  chmodSync(`${database}-shm`, 0o600);
  chmodSync(`${database}-wal`, 0o640);
  const { logger, lines } = capturingLogger();

  openPrivateDatabase(database, ['alerts'], logger).close();

  assert.equal(modeOf(`${database}-wal`), '600');
  assert.deepEqual(
    lines.map((line) => [line.files, line.previousModes]),
    [[[`${database}-wal`], ['0640']]],
  );
});

test('a readable file that is not a database is refused with its mode unchanged (F1: --store /etc/hosts)', (t) => {
  const directory = temporaryDirectory(t);
  const hosts = path.join(directory, 'hosts');
  writeWithMode(hosts, 0o644, '127.0.0.1 localhost\n');
  const { logger, lines } = capturingLogger();

  assert.throws(
    () => openPrivateDatabase(hosts, ['alerts'], logger),
    /^Error: file is not a database \(not SQLite\); left as it is, its mode unchanged$/,
  );

  assert.equal(modeOf(hosts), '644');
  assert.equal(readFileSync(hosts, 'utf8'), '127.0.0.1 localhost\n');
  assert.deepEqual(lines, []);
});

test("another program's SQLite database is refused untouched, naming its tables", (t) => {
  const directory = temporaryDirectory(t);
  const places = path.join(directory, 'places.sqlite');
  const other = new Database(places);
  other.exec('CREATE TABLE bookmarks (url TEXT); CREATE TABLE history (url TEXT)');
  other.close();
  chmodSync(places, 0o644);
  const { logger, lines } = capturingLogger();

  assert.throws(
    () => openPrivateDatabase(places, ['alerts', 'related_events'], logger),
    /the database holds tables Harrier does not make \(bookmarks, history\); left as it is/,
  );

  assert.equal(modeOf(places), '644');
  const reopened = new Database(places, { readonly: true });
  const tables = reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  reopened.close();
  assert.deepEqual(tables, [{ name: 'bookmarks' }, { name: 'history' }]);
  assert.deepEqual(lines, []);
});

test("a 0644 SQLite database holding only Harrier's tables is opened and made 0600", (t) => {
  const directory = temporaryDirectory(t);
  const database = path.join(directory, 'alerts.db');
  const older = new Database(database);
  older.exec("CREATE TABLE alerts (id TEXT); INSERT INTO alerts VALUES ('a-1')");
  older.close();
  chmodSync(database, 0o644);
  const { logger, lines } = capturingLogger();

  const db = openPrivateDatabase(database, ['alerts', 'related_events'], logger);
  const rows = db.prepare('SELECT id FROM alerts').all();
  db.close();

  assert.deepEqual(rows, [{ id: 'a-1' }]);
  assert.equal(modeOf(database), '600');
  assert.deepEqual(lines[0].files, [database]);
});

test(
  "another user's 0644 file is left as it is, warned about once with the path and why (needs root)",
  { skip: process.getuid?.() !== 0 && 'needs root to give a file to another user' },
  (t) => {
    const directory = temporaryDirectory(t);
    const file = path.join(directory, 'alerts.db');
    writeWithMode(file, 0o644, '');
    chownSync(file, 65534, 65534);
    const { logger, lines } = capturingLogger();

    prepareDatabase(file, logger);

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
