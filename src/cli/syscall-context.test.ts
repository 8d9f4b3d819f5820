import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventInfo, SyscallEvent } from '../decode/event.js';
import { createFd } from '../decode/state/fd-info.js';
import { ThreadTable } from '../decode/state/thread-table.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { syscallEvents } from '../decode/pipeline.js';
import { corpusPath } from '../testing/corpus.js';
import { SyscallAlertContext } from './syscall-context.js';

const CONTAINER = 'f00dcafe1234';
const dockerCgroup = `/docker/${CONTAINER}${'0'.repeat(52)}`;

function processIn(
  table: ThreadTable,
  tid: number,
  ptid: number,
  comm: string,
  cgroup = '/user.slice',
): ThreadInfo {
  const thread = table.newThread(tid);
  Object.assign(thread, {
    pid: tid,
    ptid,
    comm,
    exePath: `/usr/bin/${comm}`,
    args: ['-c', 'id'],
    uid: 0,
    cgroups: [['memory', cgroup]],
  });
  return table.add(thread)!;
}

function info(name: string, direction: 'enter' | 'exit' = 'exit'): EventInfo {
  return { code: 100, name, direction, category: 'file', flags: new Set(), params: [] };
}

let sequence = 0;
function event(thread: ThreadInfo, name: string, fd?: string, direction?: 'enter'): SyscallEvent {
  sequence++;
  const file = fd === undefined ? undefined : { ...createFd('file'), name: fd };
  return {
    source: 'syscall',
    num: sequence,
    ts: 1_470_327_477_000_000_000n + BigInt(sequence),
    tid: thread.tid,
    cpu: 0,
    info: info(name, direction),
    rawParams: [],
    thread,
    fd: file,
  };
}

test('lineage lists the process and its ancestors with the fields rules read', () => {
  const table = new ThreadTable();
  processIn(table, 1, 0, 'systemd');
  processIn(table, 40, 1, 'sshd');
  const shell = processIn(table, 41, 40, 'bash');
  const context = new SyscallAlertContext().contextFor(event(shell, 'execve'));
  assert.deepEqual(
    context.lineage?.map((entry) => [entry['proc.pid'], entry['proc.ppid'], entry['proc.name']]),
    [
      [41, 40, 'bash'],
      [40, 1, 'sshd'],
      [1, null, 'systemd'],
    ],
  );
  assert.equal(context.lineage?.[0]?.['proc.cmdline'], 'bash -c id');
  assert.equal(context.lineage?.[0]?.['user.name'], 'root');
  assert.deepEqual(context.container, { id: 'host' });
  assert.deepEqual(
    context.recent?.map((entry) => [entry['evt.type'], entry['proc.cmdline']]),
    [['execve', 'bash -c id']],
  );
});

test('a newline in a command line or file name is kept as U+FFFD, as outputs show it', () => {
  const table = new ThreadTable();
  const shell = processIn(table, 41, 1, 'true');
  shell.args = ['a\nFAKE: Critical forged'];
  const recorder = new SyscallAlertContext();
  recorder.note(event(shell, 'openat', '/tmp/x\ny'));
  const context = recorder.contextFor(event(shell, 'execve'));
  assert.deepEqual(
    context.recent?.map((entry) => entry['fd.name'] ?? entry['proc.cmdline']),
    ['/tmp/x\ufffdy', 'true a\ufffdFAKE: Critical forged'],
  );
  assert.equal(context.lineage?.[0]?.['proc.cmdline'], 'true a\ufffdFAKE: Critical forged');
});

test("recent events are the exits before the alert, of the process or of its whole container, then the alert's own", () => {
  const table = new ThreadTable();
  processIn(table, 1, 0, 'systemd');
  const host = processIn(table, 50, 1, 'cron');
  const web = processIn(table, 60, 1, 'nginx', dockerCgroup);
  const shell = processIn(table, 61, 60, 'sh', dockerCgroup);
  const context = new SyscallAlertContext({ perProcess: 2, perContainer: 3 });
  const names: string[] = [];
  for (const [thread, name, fd] of [
    [host, 'openat', '/etc/crontab'],
    [web, 'accept', '10.0.0.1:80->10.0.0.2:4000'],
    [shell, 'execve', undefined],
    [host, 'read', '/etc/crontab'],
    [shell, 'openat', '/etc/shadow'],
    [host, 'close', undefined],
  ] as const) {
    context.note(event(thread, name, fd));
    names.push(name);
  }
  context.note(event(shell, 'openat', '/ignored-enter', 'enter'));

  const inContainer = context.contextFor(event(shell, 'connect'));
  assert.deepEqual(inContainer.container, { id: CONTAINER });
  assert.deepEqual(
    inContainer.recent?.map((entry) => [entry['proc.name'], entry['evt.type'], entry['fd.name']]),
    [
      ['sh', 'execve', undefined],
      ['sh', 'openat', '/etc/shadow'],
      ['sh', 'connect', undefined],
    ],
  );
  assert.equal(inContainer.recent?.[0]?.['proc.cmdline'], 'sh -c id');
  assert.match(String(inContainer.recent?.[0]?.['evt.time.iso8601']), /^2016-08-04T16:17:57\./);

  const onHost = context.contextFor(event(host, 'unlink'));
  assert.deepEqual(
    onHost.recent?.map((entry) => [entry['evt.type'], entry['proc.pid']]),
    [
      ['close', 50],
      ['unlink', 50],
    ],
  );
});

test('a new process reusing a pid starts a fresh ring, and old rings make room counted', () => {
  const table = new ThreadTable();
  processIn(table, 1, 0, 'systemd');
  const context = new SyscallAlertContext({ processes: 2 });
  const first = processIn(table, 70, 1, 'old');
  context.note(event(first, 'openat', '/tmp/a'));
  const reused = processIn(table, 70, 1, 'new');
  const own = (e: SyscallEvent) => context.contextFor(e).recent?.map((entry) => entry['evt.num']);
  const opening = event(reused, 'openat');
  assert.deepEqual(own(opening), [opening.num]);
  context.note(event(reused, 'openat', '/tmp/b'));
  for (const tid of [71, 72, 73]) context.note(event(processIn(table, tid, 1, 'p'), 'close'));
  assert.equal(context.evicted, 2);
  const last = event(reused, 'openat');
  assert.deepEqual(own(last), [last.num]);
});

test('the record of an alert on a failed open holds the execve, the events before and the open with its path', async () => {
  // curl_google.scap: curl (tid 17497) is executed (event 211) and, 70 exits later, fails
  // to open ~/.curlrc (event 980); the ring of 16 has long moved past the execve.
  const context = new SyscallAlertContext();
  let recent: readonly Readonly<Record<string, unknown>>[] | undefined;
  for await (const e of syscallEvents(corpusPath('falco/scap/curl_google.scap'))) {
    if (e.num === 980) recent = context.contextFor(e).recent;
    context.note(e);
  }
  assert.ok(recent !== undefined);
  assert.equal(recent.length, 17);
  assert.equal(recent[0]?.['evt.type'], 'execve');
  assert.match(String(recent[0]?.['proc.cmdline']), /^curl /);
  assert.deepEqual(
    [recent[16]?.['evt.num'], recent[16]?.['evt.type'], recent[16]?.['fd.name']],
    [980, 'open', '/home/ubuntu/.curlrc'],
  );
  const nums = recent.slice(1).map((entry) => Number(entry['evt.num']));
  assert.deepEqual(
    nums,
    [...nums].sort((a, b) => a - b),
    'oldest first',
  );
  assert.ok(nums[0]! > 212, 'the ring no longer held the execve');
});
