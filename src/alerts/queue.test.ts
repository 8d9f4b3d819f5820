import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
