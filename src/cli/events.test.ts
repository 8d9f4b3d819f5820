/**
 * `harrier events` as a user runs it (the real CLI in a child process), against
 * `sysdig -r FILE -p FORMAT FILTER` on the same corpus captures where sysdig 0.29 and today's
 * libsinsp agree (the field-by-field differences are the differential test's subject).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { ScapWriter } from '../sources/scap/scap-writer.js';
import { emptyContainerInfo } from '../sources/container-runtime/index.js';
import { eventBytes, int64 } from '../testing/event-bytes.js';
import { containerJsonEvent } from './container-events.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const hasSysdig = spawnSync('sysdig', ['--version']).status === 0;
const noSysdig = !hasSysdig && 'sysdig is not installed (scripts/test.sh installs it)';

const CAT_WRITE = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
const CONNECT = corpusPath('falco/tests-0.34.1/trace_files/connect_localhost.scap');
const CURL = corpusPath('falco/scap/curl_google.scap');
const IPV6 = corpusPath('falco/scap/single_ipv6_conn.scap');

function harrier(args: string[]) {
  const result = spawnSync(process.execPath, [HARRIER, 'events', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sysdig(args: string[]): string {
  const result = spawnSync('sysdig', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const cases: Array<{ file: string; format: string; filter?: string }> = [
  // Events 200 and 201 are syscalls sysdig 0.29 cannot name (a listed difference).
  { file: CAT_WRITE, format: '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type', filter: 'evt.num < 200' },
  { file: CONNECT, format: '*%evt.num %evt.outputtime %proc.name (%thread.tid) %evt.dir %evt.type %fd.name' },
  { file: CAT_WRITE, format: '%evt.num %proc.aname[2] %fd.name', filter: 'evt.type in (open, openat) and evt.dir=<' },
  { file: CURL, format: '%evt.num %proc.name %fd.name %evt.res', filter: 'evt.type in (open, openat) and evt.dir=<' },
  { file: CURL, format: '%evt.num %fd.sip %fd.sport %fd.l4proto %fd.cip', filter: 'evt.type in (connect, sendto)' },
  { file: IPV6, format: '%evt.num %fd.name %fd.sip %fd.sport', filter: 'fd.typechar=6' },
  { file: CAT_WRITE, format: '%evt.num %proc.cmdline %proc.pname %proc.exe %thread.tid' },
  // Without '*', an event without an fd has no fd.name and its line is left out. (mmap's fd
  // is a listed difference.)
  { file: CAT_WRITE, format: '%evt.num %evt.type %fd.name', filter: 'not evt.type startswith mmap' },
]; // prettier-ignore

for (const { file, format, filter } of cases) {
  const shown = `${path.basename(file)} -p '${format}'${filter ? ` '${filter}'` : ''}`;
  test(`events prints what sysdig -r prints: ${shown}`, { skip: noSysdig }, () => {
    const filterWords = filter ? [filter] : [];
    const ours = harrier(['-p', format, ...filterWords, file]);
    assert.equal(ours.stderr, '');
    assert.equal(ours.status, 0);
    const theirs = sysdig(['-r', file, '-p', format, ...filterWords]);
    assert.ok(theirs.length > 0, 'the case prints something');
    assert.equal(ours.stdout, theirs);
  });
}

test('events without -p prints the default line and no internal procinfo events', () => {
  const result = harrier([CAT_WRITE]);
  assert.equal(result.status, 0);
  const lines = result.stdout.trimEnd().split('\n');
  // cat_write.scap holds 130 procinfo events before the execve of cat, numbered 1 to 130.
  assert.equal(lines[0].split(' < execve ')[0], '131 16:17:57.881730713 0 cat (20072)');
  assert.ok(lines[0].includes(' res=0 exe=cat args=/dev/null.'), lines[0]);
  assert.equal(lines.filter((line) => line.includes(' procinfo ')).length, 0);
});

test("evt.hostname is the capturing host, from the capture's machine block", () => {
  const hostnames = (file: string) =>
    new Set(
      harrier(['-p', '%evt.hostname', corpusPath(file)])
        .stdout.trimEnd()
        .split('\n'),
    );
  assert.deepEqual(hostnames('falco/scap/test_ipv6_client.scap'), new Set(['ip-10-0-0-79']));
  assert.deepEqual(hostnames('falco/scap/single_ipv6_conn.scap'), new Set(['ubuntu']));
});

test('events -n stops after that many printed events', () => {
  const all = harrier(['-p', '%evt.num', 'evt.dir=<', CAT_WRITE]).stdout.split('\n');
  const some = harrier(['-n', '3', '-p', '%evt.num', 'evt.dir=<', CAT_WRITE]);
  assert.equal(some.status, 0);
  assert.equal(some.stdout, `${all.slice(0, 3).join('\n')}\n`);
});

test('events --json gives the format fields with typed values', () => {
  const result = harrier(['--json', '-p', '%evt.num %fd.name %fd.num', 'evt.type=open and evt.dir=<', CAT_WRITE]);
  assert.equal(result.status, 0);
  const first = JSON.parse(result.stdout.split('\n')[0]) as Record<string, unknown>;
  assert.deepEqual(first, { 'evt.num': 141, 'fd.name': '/etc/ld.so.cache', 'fd.num': 3 });
}); // prettier-ignore

test('a bad filter is an error at its column with a caret, and nothing is printed', () => {
  const result = harrier(['evt.type=open and', CAT_WRITE]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.equal(
    result.stderr,
    "<filter>:1:18: error: expected blank or '(' after 'and'\n  evt.type=open and\n                   ^\n",
  );
  const unknown = harrier(['-p', '%evt.num %proc.nme', CAT_WRITE]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^<format>:1:10: error: .*proc\.nme/);
});

test('a truncated capture prints the events before the cut, then the offset, and exits 1', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-events-'));
  const cut = path.join(directory, 'cut.scap');
  const plain = gunzipSync(readFileSync(CAT_WRITE));
  writeFileSync(cut, plain.subarray(0, Math.floor(plain.length * 0.9)));
  const whole = harrier(['-p', '%evt.num', CAT_WRITE]).stdout.trimEnd().split('\n');
  const result = harrier(['-p', '%evt.num', cut]);
  assert.equal(result.status, 1);
  const printed = result.stdout.trimEnd().split('\n');
  assert.ok(printed.length > 10 && printed.length < whole.length, `${printed.length} lines`);
  assert.deepEqual(printed, whole.slice(0, printed.length));
  assert.match(result.stderr, new RegExp(`^harrier events: ${cut}: .*byte \\d+`));
});

test('an event of a type past the event table is left out with one warning naming its offset', () => {
  const bytes = gunzipSync(readFileSync(CAT_WRITE));
  const eventBlocks = [0x204, 0x208, 0x216, 0x217, 0x221, 0x222];
  let offset = 0;
  while (!eventBlocks.includes(bytes.readUInt32LE(offset)))
    offset += bytes.readUInt32LE(offset + 4);
  // The 151st event block: past the procinfo events, which are numbered but not printed.
  for (let block = 0; block < 150; block++) offset += bytes.readUInt32LE(offset + 4);
  const hasFlags = [0x208, 0x217, 0x222].includes(bytes.readUInt32LE(offset));
  bytes.writeUInt16LE(0x7ff0, offset + 8 + (hasFlags ? 6 : 2) + 20);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-events-')), 'newer.scap');
  writeFileSync(file, bytes);

  const whole = harrier(['-p', '%evt.num %evt.type', CAT_WRITE]).stdout.trimEnd().split('\n');
  const result = harrier(['-p', '%evt.num %evt.type', file]);
  assert.equal(result.status, 0);
  const printed = result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(' '));
  const expected = whole.map((line) => line.split(' '));
  const skipped = printed.findIndex(([, type], index) => type !== expected[index][1]);
  assert.ok(skipped > 0, `first difference at line ${skipped}`);
  // As in Falco, the skipped event gets no number: the events after it move up by one.
  assert.deepEqual(printed.slice(0, skipped), expected.slice(0, skipped));
  assert.deepEqual(
    printed.slice(skipped),
    expected.slice(skipped + 1).map(([num, type]) => [String(Number(num) - 1), type]),
  );
  assert.equal(
    result.stderr,
    `harrier events: warning: ${file}: 1 event of a type newer than Harrier's event table skipped, as libscap skips them (type 0x7ff0 first at byte ${offset}: 1); they have no event number, as in Falco\n`,
  );
});

test('a bad --count is refused', () => {
  const result = harrier(['-n', 'many', CAT_WRITE]);
  assert.equal(result.status, 2);
  assert.equal(result.stderr, "harrier events: --count must be a whole number, got 'many'\n");
});

/** PPME_SYSCALL_CLOSE_X (res, fd) of thread `tid` at `ts`. */
function closeAt(tid: number, ts: bigint): Uint8Array {
  const bytes = eventBytes(5, tid, [int64(0), int64(3)]);
  new DataView(bytes.buffer).setBigUint64(0, ts, true);
  return bytes;
}

const WEB_ID = 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258';
// Its low digits are past a double's 53 bits: a JSON number from a double would end ...836800.
const START = 1_796_428_020_909_836_796n;

/**
 * A capture: a close in the web container, its container event, two closes, a host close, then
 * an old-style container event (PPME_CONTAINER_JSON_E) whose JSON is unreadable.
 */
async function containerCapture(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-events-')), 'web.scap');
  const writer = await ScapWriter.create(file, {
    threads: [
      { tid: 100, pid: 100, ptid: 1, comm: 'sh', exe: '/bin/sh', args: [],
        cgroups: [`cpu=/kubepods/pod1/cri-containerd-${WEB_ID}.scope`] },
      { tid: 300, pid: 300, ptid: 1, comm: 'init' },
    ],
  }); // prettier-ignore
  const labels = new Map([['io.kubernetes.pod.name', 'web-0'], ['io.kubernetes.pod.namespace', 'shop']]); // prettier-ignore
  const web = emptyContainerInfo({
    id: WEB_ID.slice(0, 12), fullId: WEB_ID, type: 'containerd', name: 'web', labels,
  }); // prettier-ignore
  const events = [
    closeAt(100, START),
    containerJsonEvent(START + 1n, web),
    closeAt(100, START + 2n),
    closeAt(100, START + 3n),
    closeAt(300, START + 4n),
    eventBytes(272, -1, [new TextEncoder().encode('{"container": {"id": "x", "name": 5}}\0')]),
  ];
  for (const rawBytes of events) writer.writeEvent({ rawBytes });
  await writer.close();
  return file;
}

test('events names containers from the capture\'s container events, from the event after one on', async () => {
  const file = await containerCapture();
  const format = '*%evt.num %evt.type %proc.name %container.id %container.name %k8s.ns.name %k8s.pod.name';
  const result = harrier(['-p', format, file]);
  assert.equal(
    result.stderr,
    `harrier events: warning: ${file}: 1 container event unreadable, skipped: their containers' fields read <NA> (the first, event 6: container.name: expected a string, found a number)\n`,
  );
  assert.equal(result.status, 0);
  // The container event is listed, as sysdig lists it; it has no thread, so no container.
  assert.deepEqual(result.stdout.trimEnd().split('\n'), [
    '1 close sh ddb16d03acc3 <NA> <NA> <NA>',
    '2 container <NA> <NA> <NA> <NA> <NA>',
    '3 close sh ddb16d03acc3 web shop web-0',
    '4 close sh ddb16d03acc3 web shop web-0',
    '5 close init host host <NA> <NA>',
    '6 container <NA> <NA> <NA> <NA> <NA>',
  ]);
  const filtered = harrier(['-p', '%evt.num %container.name', 'container.name=web', file]);
  assert.equal(filtered.status, 0);
  assert.equal(filtered.stdout, '3 web\n4 web\n');
  const pod = harrier(['-p', '%evt.num', 'k8s.pod.name startswith web and evt.num > 3', file]);
  assert.equal(pod.stdout, '4\n');
}); // prettier-ignore

test('events --json writes 64-bit times with every digit, as sysdig -j does', async () => {
  const file = await containerCapture();
  const format = '%evt.num %evt.rawtime %evt.outputtime %evt.rawtime.ns %container.name';
  const result = harrier(['--json', '-p', format, 'container.name=web', file]);
  assert.equal(result.status, 0);
  assert.equal(
    result.stdout,
    '{"evt.num":3,"evt.rawtime":1796428020909836798,"evt.outputtime":1796428020909836798,"evt.rawtime.ns":909836798,"container.name":"web"}\n' +
      '{"evt.num":4,"evt.rawtime":1796428020909836799,"evt.outputtime":1796428020909836799,"evt.rawtime.ns":909836799,"container.name":"web"}\n',
  );
});

test('events --json prints the numbers sysdig -j prints', { skip: noSysdig }, async () => {
  const file = await containerCapture();
  // sysdig sorts the keys; in this order Harrier's format order is the same.
  const format = '%evt.num %evt.outputtime %evt.rawtime %evt.rawtime.s';
  const ours = harrier(['--json', '-p', format, 'evt.type=close', file]);
  assert.equal(ours.status, 0);
  const theirs = sysdig(['-r', file, '-j', '-p', format, 'evt.type=close']);
  assert.ok(theirs.includes('1796428020909836796'), theirs);
  assert.equal(ours.stdout, theirs);
});
