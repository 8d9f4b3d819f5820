import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { anonInodeType, readProcessFds, scapOpenFlags } from './proc-fds.js';

test('converts Linux open flags to libscap PPM_O flags', () => {
  assert.equal(scapOpenFlags(0), 1); // O_RDONLY
  assert.equal(scapOpenFlags(0o1), 2); // O_WRONLY
  assert.equal(scapOpenFlags(0o2 | 0o100 | 0o1000), 3 | 4 | 256); // RDWR|CREAT|TRUNC
  assert.equal(scapOpenFlags(0o2000000 | 0o100000 | 0o4000), 1 | 4096 | 2048 | 64);
  assert.equal(scapOpenFlags(0o4010000), 1 | 128 | 16); // O_SYNC includes O_DSYNC's bit
  assert.equal(scapOpenFlags(0o20200000 | 0o2), 3 | 8192 | 1024); // O_TMPFILE carries O_DIRECTORY
});

test('classifies anonymous inodes as libscap does', () => {
  assert.equal(anonInodeType('anon_inode:[eventfd]'), 'event');
  assert.equal(anonInodeType('anon_inode:[eventpoll]'), 'eventpoll');
  assert.equal(anonInodeType('anon_inode:inotify'), 'inotify');
  assert.equal(anonInodeType('anon_inode:[signalfd]'), 'signalfd');
  assert.equal(anonInodeType('anon_inode:[timerfd]'), 'timerfd');
  assert.equal(anonInodeType('anon_inode:bpf-map'), 'bpf');
  assert.equal(anonInodeType('anon_inode:[pidfd]'), 'pidfd');
  assert.equal(anonInodeType('anon_inode:[perf_event]'), 'unsupported');
});

test("reads this process's open file with its path, flags and inode", async () => {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'harrier-fds-')), 'held');
  await writeFile(file, 'x');
  const fd = openSync(file, 'a');
  try {
    const fds = readProcessFds(`/proc/${process.pid}`, process.pid, new Map());
    const entry = fds.find((record) => record.fd === fd);
    assert.equal(entry?.type, 'file_v2');
    assert.equal(entry?.name, file);
    // The kernel keeps no O_CREAT in an open file's flags: WRONLY|APPEND|LARGEFILE|CLOEXEC.
    assert.equal(entry?.openFlags, 2 | 8 | 2048 | 4096);
    assert.ok((entry?.ino ?? 0n) > 0n);
    assert.ok(
      fds.some((record) => record.type === 'eventpoll'),
      'the event loop has an epoll fd',
    );
  } finally {
    closeSync(fd);
  }
});
