import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from './queue.js';

test('a queue directory that does not exist is refused with its path, not made', (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const missing = path.join(parent, 'typo', 'state');
  assert.throws(() => new QueueStore(missing), new RegExp(`directory ${missing} does not exist`));
  assert.equal(existsSync(path.join(parent, 'typo')), false);
});

test('the queue database and its -wal file are readable by their owner only', (t) => {
  const umask = process.umask(0o022);
  t.after(() => process.umask(umask));
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-queue-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const queues = new QueueStore(directory);
  const mode = (name: string): string =>
    (statSync(path.join(directory, name)).mode & 0o777).toString(8);
  try {
    assert.equal(mode('queue.db'), '600');
    assert.equal(mode('queue.db-wal'), '600');
  } finally {
    queues.close();
  }
});
