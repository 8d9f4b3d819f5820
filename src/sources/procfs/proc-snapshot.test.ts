import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readProcSnapshot, snapshotRecords } from './proc-snapshot.js';

test('the snapshot lists every process with its parent, and descriptors of main threads', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  try {
    const snapshot = readProcSnapshot();
    const byTid = new Map(snapshot.threads.map((thread) => [thread.tid, thread]));
    const sleeper = byTid.get(child.pid ?? -1);
    assert.deepEqual([sleeper?.comm, sleeper?.args, sleeper?.ptid], ['sleep', ['30'], process.pid]);
    assert.equal(byTid.get(process.pid)?.comm, 'node');
    assert.ok(snapshot.fds.some((fd) => fd.tid === process.pid && fd.type === 'eventpoll'));
    assert.ok(
      snapshot.fds.every((fd) => byTid.get(fd.tid)?.pid === fd.tid),
      'fds belong to main threads',
    );
    assert.ok(snapshot.users.some((user) => user.uid === 0 && user.name === 'root'));

    const kinds = snapshotRecords(snapshot).map((record) => record.kind);
    const firstThread = kinds.indexOf('thread');
    assert.equal(kinds[0], 'machine');
    assert.ok(
      kinds.lastIndexOf('user') < firstThread && kinds.indexOf('fd') > kinds.lastIndexOf('thread'),
    );
  } finally {
    child.kill();
  }
});
