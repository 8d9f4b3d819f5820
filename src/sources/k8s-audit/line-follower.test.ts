import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineFollower } from './line-follower.js';
import { followAuditLog } from './audit-log.js';

function scratch(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'harrier-follow-')), 'audit.log');
}

test('follows growth, holds a partial line, and starts at the end (numbering from there) unless told otherwise', async () => {
  const file = scratch();
  writeFileSync(file, 'old\n');
  const seen: string[] = [];
  const follower = new LineFollower(file, {
    pollMilliseconds: 10_000,
    onLine: (text, line) => seen.push(`${line}:${text}`),
  });
  await follower.start();
  appendFileSync(file, 'one\ntw');
  await follower.poll();
  assert.deepEqual(seen, ['1:one']);
  appendFileSync(file, 'o\n\nthree\n');
  await follower.poll();
  await follower.stop();
  assert.deepEqual(seen, ['1:one', '2:two', '4:three']);
});

test('after a rename rotation, reads the rest of the old file and then the new one from the top', async () => {
  const file = scratch();
  writeFileSync(file, 'a\n');
  const seen: string[] = [];
  const follower = new LineFollower(file, {
    fromStart: true,
    pollMilliseconds: 10_000,
    onLine: (text, line) => seen.push(`${line}:${text}`),
  });
  await follower.start();
  appendFileSync(file, 'b\n');
  renameSync(file, `${file}.1`);
  appendFileSync(`${file}.1`, 'c\n');
  writeFileSync(file, 'd\n');
  await follower.poll();
  appendFileSync(file, 'e\n');
  await follower.poll();
  await follower.stop();
  assert.deepEqual(seen, ['1:a', '2:b', '3:c', '1:d', '2:e']);
});

test('after copy-truncate rotation, starts over from the top', async () => {
  const file = scratch();
  writeFileSync(file, 'first line that is long\n');
  const seen: string[] = [];
  const follower = new LineFollower(file, {
    fromStart: true,
    pollMilliseconds: 10_000,
    onLine: (text) => seen.push(text),
  });
  await follower.start();
  truncateSync(file, 0);
  appendFileSync(file, 'x\n');
  await follower.poll();
  await follower.stop();
  assert.deepEqual(seen, ['first line that is long', 'x']);
});

test('waits for a log that does not exist yet', async () => {
  const file = scratch();
  const seen: string[] = [];
  const follower = new LineFollower(file, {
    pollMilliseconds: 10_000,
    onLine: (text) => seen.push(text),
  });
  await follower.start();
  writeFileSync(file, 'late\n');
  await follower.poll();
  await follower.stop();
  assert.deepEqual(seen, ['late']);
});

test('followAuditLog turns lines into events and positioned errors', async () => {
  const file = scratch();
  writeFileSync(file, '');
  const records: unknown[] = [];
  const errors: string[] = [];
  const follower = followAuditLog(file, {
    pollMilliseconds: 10_000,
    onLines: (read) => {
      records.push(...read.records.map((record) => record.origin));
      errors.push(
        ...read.errors.map(
          (error) => `${error.origin.line}:${error.origin.column}: ${error.reason}`,
        ),
      );
    },
  });
  await follower.start();
  appendFileSync(
    file,
    '{"kind":"Event","auditID":"1"}\n{"kind":"Event",}\n{"kind":"EventList","items":[{},{}]}\n',
  );
  await follower.poll();
  await follower.stop();
  assert.deepEqual(records, [
    { file, line: 1, index: 0 },
    { file, line: 3, index: 0 },
    { file, line: 3, index: 1 },
  ]);
  assert.deepEqual(errors, ["2:17: invalid JSON: unexpected '}'"]);
});
