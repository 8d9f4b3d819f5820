import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { cgroupEntries, readThread } from './proc-thread.js';
import { readBootTimeNs } from './host-tables.js';

test('turns cgroup v1 lines into one entry per controller and v2 lines into the unified ones', () => {
  const text = '12:cpu,cpuacct:/docker/abc\n1:name=systemd:/init.scope\n0::/user.slice\n';
  assert.deepEqual(cgroupEntries(text, ['cpu', 'memory']), [
    'cpu=/docker/abc',
    'cpuacct=/docker/abc',
    'name=systemd=/init.scope',
    'cpu=/user.slice',
    'memory=/user.slice',
  ]);
});

test('reads this process as libscap would: ids, names, credentials, cwd, start time', () => {
  const options = { envBytes: 0, bootTimeNs: readBootTimeNs(), unifiedControllers: [] };
  const record = readThread(process.pid, process.pid, options);
  assert.ok(record);
  assert.deepEqual(
    [record.tid, record.pid, record.ptid, record.comm, record.exepath, record.uid, record.gid],
    [
      process.pid,
      process.pid,
      process.ppid,
      'node',
      readlinkSync('/proc/self/exe'),
      process.geteuid?.(),
      process.getegid?.(),
    ],
  );
  assert.equal(record.exe, process.argv0);
  assert.ok(record.args.includes(process.argv[1]), record.args.join(' '));
  assert.equal(record.cwd, process.cwd());
  assert.deepEqual(record.env, []);
  assert.equal(record.flags, 0);
  const startAgeMs = Date.now() - Number(record.startTs / 1_000_000n);
  assert.ok(startAgeMs >= 0 && startAgeMs < 10 * 60_000, `started ${startAgeMs} ms ago`);
  assert.ok(record.exeIno > 0n);
});

test('reads a bounded environment only when asked', () => {
  const options = { envBytes: 64, bootTimeNs: 0n, unifiedControllers: [] };
  const record = readThread(process.pid, process.pid, options);
  assert.ok(record && record.env.length > 0);
  assert.ok(record.env.join('\0').length <= 64);
});

test('marks a thread of the process with the shared-files and thread flags', () => {
  const options = { envBytes: 0, bootTimeNs: 0n, unifiedControllers: [] };
  const tasks = readdirSync(`/proc/${process.pid}/task`).map(Number);
  const other = tasks.find((tid) => tid !== process.pid);
  assert.ok(other !== undefined, 'node runs worker threads');
  const record = readThread(process.pid, other, options);
  assert.equal(record?.pid, process.pid);
  assert.equal(record?.flags, (1 << 2) | (1 << 15));
});
