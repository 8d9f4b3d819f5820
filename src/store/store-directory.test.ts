import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareStorePath } from './store-directory.js';
import { AlertStore } from './alert-store.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-store-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a store under a missing directory is refused with the directory named, and none is made', (t) => {
  const missing = path.join(tempDir(t), 'a', 'b');
  assert.throws(() => prepareStorePath(path.join(missing, 'x.db'), false), {
    name: 'StorePathError',
    message: `directory ${missing} does not exist`,
  });
  assert.equal(existsSync(path.dirname(missing)), false);
});

test('a store under /proc is refused at once (recursive mkdir would loop there)', () => {
  assert.throws(() => prepareStorePath('/proc/nope/x.db', false), {
    message: 'directory /proc/nope does not exist',
  });
});

test('a file on the way to the store is named as not a directory', (t) => {
  const file = path.join(tempDir(t), 'plain');
  writeFileSync(file, 'text');
  assert.throws(() => prepareStorePath(path.join(file, 'x.db'), false), {
    message: `${file} is not a directory`,
  });
  assert.throws(() => prepareStorePath(path.join(file, 'deeper', 'x.db'), false), {
    message: `${file} is not a directory`,
  });
});

test('a directory in place of the database file is refused', (t) => {
  const directory = tempDir(t);
  assert.throws(() => prepareStorePath(directory, false), {
    message: `${directory} is not a regular file`,
  });
});

test('createDirectory makes the missing directories, as for the default store', (t) => {
  const file = path.join(tempDir(t), 'state', 'alerts.db');
  const store = new AlertStore({ path: file, createDirectory: true });
  store.close();
  assert.equal(existsSync(file), true);
});

test('the store and its -wal and -shm files are 0600, a state directory made for it 0700', (t) => {
  const umask = process.umask(0o022);
  t.after(() => process.umask(umask));
  const file = path.join(tempDir(t), 'state', 'alerts.db');
  const store = new AlertStore({ path: file, createDirectory: true });
  const mode = (name: string): number => statSync(name).mode & 0o777;
  try {
    assert.equal(mode(path.dirname(file)).toString(8), '700');
    for (const name of [file, `${file}-wal`, `${file}-shm`])
      assert.equal(mode(name).toString(8), '600');
  } finally {
    store.close();
  }
});
