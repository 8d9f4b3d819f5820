import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../log.js';
import { capturingLogger } from '../testing/capturing-logger.js';
import { QueueStore } from './queue.js';

test('a queue directory that does not exist is refused with its path, not made', (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const missing = path.join(parent, 'typo', 'state');
  assert.throws(
    () => new QueueStore(missing, silentLogger()),
    new RegExp(`directory ${missing} does not exist`),
  );
  assert.equal(existsSync(path.join(parent, 'typo')), false);
});

test('the queue database and its -wal file are readable by their owner only', (t) => {
  const umask = process.umask(0o022);
  t.after(() => process.umask(umask));
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const queues = new QueueStore(directory, silentLogger());
  const mode = (name: string): string =>
    (statSync(path.join(directory, name)).mode & 0o777).toString(8);
  try {
    assert.equal(mode('queue.db'), '600');
    assert.equal(mode('queue.db-wal'), '600');
  } finally {
    queues.close();
  }
});

test('a queue database and -wal file an older Harrier left 0644 are made 0600, with a warning', (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  new QueueStore(directory, silentLogger()).close();
  const file = path.join(directory, 'queue.db');
  chmodSync(file, 0o644);
  // A -wal file a killed process left behind.
  writeFileSync(`${file}-wal`, '');
  chmodSync(`${file}-wal`, 0o644);
  const { logger, lines } = capturingLogger();

  const queues = new QueueStore(directory, logger);
  const mode = (name: string): string => (statSync(name).mode & 0o777).toString(8);
  try {
    assert.deepEqual([mode(file), mode(`${file}-wal`)], ['600', '600']);
    assert.deepEqual(
      lines.map((line) => [line.level, line.files]),
      [[40, [file, `${file}-wal`]]],
    );
  } finally {
    queues.close();
  }
});

test('a queue.db that is not a database is refused, its mode unchanged (F1)', (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'queue.db');
  writeFileSync(file, 'not a database\n');
  chmodSync(file, 0o644);

  assert.throws(() => new QueueStore(directory, silentLogger()), /file is not a database/);
  assert.equal((statSync(file).mode & 0o777).toString(8), '644');
});
