import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { constants, gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { corpusPath } from '../../testing/corpus.js';
import { eventBytes } from '../../testing/event-bytes.js';
import {
  ScapFormatError,
  type EventRecord,
  type ScapRecord,
  type ThreadRecord,
} from './records.js';
import { readScapRecords } from './scap-reader.js';
import {
  eventInputOf,
  ScapWriter,
  scapHeaderOf,
  type ScapEventInput,
  type ScapHeader,
  type ScapLayout,
} from './scap-writer.js';

const traces = corpusPath('falco/tests-0.34.1/trace_files');
const captures = [
  ...['cat_write', 'connect_localhost', 'empty', 'open-multiple-files', 'ping_sendto', 'syscall']
    .map((name) => path.join(traces, `${name}.scap`)),
  ...['curl_google', 'single_ipv6_conn', 'test_ipv6_client']
    .map((name) => corpusPath('falco/scap', `${name}.scap`)),
]; // prettier-ignore

const workDirectory = mkdtempSync(path.join(tmpdir(), 'harrier-scap-writer-'));
after(() => rmSync(workDirectory, { recursive: true, force: true }));

async function collect(input: string | Uint8Array[]): Promise<ScapRecord[]> {
  const records: ScapRecord[] = [];
  for await (const record of readScapRecords(input)) records.push(record);
  return records;
}

/** Rewrites the capture at `source` record for record into `target`. */
async function rewrite(source: string, target: string, layout: ScapLayout): Promise<void> {
  const records = await collect(source);
  const writer = await ScapWriter.create(target, scapHeaderOf(records), { layout });
  for (const record of records) {
    if (record.kind === 'event' && !writer.writeEvent(eventInputOf(record))) await writer.drain();
  }
  await writer.close();
}

/** Records in a comparable form: no offsets or list versions, events as their bytes. */
function comparable(records: ScapRecord[]): unknown[] {
  return records
    .filter((record) => record.kind !== 'section')
    .map((record) => {
      if (record.kind === 'event') return eventSummary(record);
      const rest: Record<string, unknown> = { ...record, offset: 0 };
      if (record.kind === 'thread') rest.version = 9;
      // Old fd lists carry no device for FILE_V2 entries; the writer stores 0.
      if (record.kind === 'fd' && record.typeCode === 16) rest.dev ??= 0;
      return rest;
    });
}

function eventSummary(record: EventRecord): unknown {
  const length = record.view.getUint32(record.start + 16, true);
  const bytes = Buffer.from(record.bytes.subarray(record.start, record.start + length));
  return {
    cpu: record.cpu,
    flags: record.flags,
    v2: record.hasParamCount,
    bytes: bytes.toString('hex'),
  };
}

for (const capture of captures) {
  test(`rewrites ${path.basename(capture)} so that the reader returns the same records`, async () => {
    const target = path.join(workDirectory, `current-${path.basename(capture)}`);
    await rewrite(capture, target, 'current');
    const [original, copy] = [await collect(capture), await collect(target)];
    assert.ok(original.some((record) => record.kind === 'event'));
    assert.deepEqual(comparable(copy), comparable(original));
  });
}

test('legacy layout keeps login uid and capabilities, and leaves out tty, exe inode and pgid', async () => {
  const thread: ThreadRecord = (await collect(captures[2])).find(
    (record): record is ThreadRecord => record.kind === 'thread',
  ) as ThreadRecord;
  const enriched = { ...thread, tty: 34816, exeIno: 42n, pgid: 7, capEffective: 0x1ffn };
  const chunks: Uint8Array[] = [];
  const sink = new PassThrough().on('data', (chunk: Uint8Array) => chunks.push(chunk));
  const writer = await ScapWriter.create(sink, { threads: [enriched] }, { layout: 'legacy' });
  await writer.close();
  const [copy] = (await collect(chunks)).filter((record) => record.kind === 'thread');
  assert.equal(copy.kind === 'thread' && copy.loginuid, thread.loginuid);
  assert.equal(copy.kind === 'thread' && copy.capEffective, 0x1ffn);
  assert.equal(copy.kind === 'thread' && copy.tty, 0);
  assert.equal(copy.kind === 'thread' && copy.exeIno, 0n);
  assert.equal(copy.kind === 'thread' && copy.pgid, -1);
});

async function writeToMemory(header: ScapHeader, events: ScapEventInput[]): Promise<ScapRecord[]> {
  const chunks: Uint8Array[] = [];
  const sink = new PassThrough().on('data', (chunk: Uint8Array) => chunks.push(chunk));
  const writer = await ScapWriter.create(sink, header, { bufferSize: 256 });
  for (const event of events) writer.writeEvent(event);
  const summary = await writer.close();
  assert.equal(summary.events, events.length);
  assert.equal(
    summary.bytes,
    chunks.reduce((sum, chunk) => sum + chunk.length, 0),
  );
  return collect(chunks);
}

test('writes plain, flagged and large blocks as the event asks, padded to 4 bytes', async () => {
  const small = eventBytes(3, 10, [new Uint8Array([1, 2, 3])]);
  const big = eventBytes(3, 10, [new Uint8Array(70_000).fill(7)]);
  const records = await writeToMemory({}, [
    { rawBytes: small, cpu: 3 },
    { rawBytes: small, flags: 0x5 },
    { rawBytes: big },
    { rawBytes: small, large: true, flags: 0 },
  ]);
  const events = records.filter((record): record is EventRecord => record.kind === 'event');
  assert.deepEqual(
    events.map((event) => [event.blockType, event.cpu, event.flags, event.end - event.start]),
    [[0x216, 3, 0, 34], [0x217, 0, 5, 34], [0x221, 0, 0, 70030], [0x222, 0, 0, 34]],
  ); // prettier-ignore
  const stored = events[2].bytes.subarray(events[2].start, events[2].start + big.length);
  assert.deepEqual(new Uint8Array(stored), big);
});

test('writes the host tables it is given and nothing for those left out', async () => {
  const records = await writeToMemory(
    {
      machine: { cpuCount: 2, hostname: 'probe-host', bootTimestamp: 5n },
      interfaces: [
        { family: 'inet', name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', broadcast: '127.0.0.1' },
        { family: 'inet6', name: 'eth0', address: 'fe80::1', netmask: 'ffff:ffff::', broadcast: '::' },
      ],
      users: [{ uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' }],
      groups: [{ gid: 4, name: 'adm' }],
    },
    [],
  ); // prettier-ignore
  assert.deepEqual(records.map((record) => record.kind), [
    'section', 'machine', 'interface', 'interface', 'user', 'group',
  ]); // prettier-ignore
  const [, machine, , v6] = records;
  assert.equal(machine.kind === 'machine' && machine.hostname, 'probe-host');
  assert.equal(machine.kind === 'machine' && machine.bootTimestamp, 5n);
  assert.equal(v6.kind === 'interface' && v6.address, 'fe80:0:0:0:0:0:0:1');
  assert.equal(v6.kind === 'interface' && v6.netmask, 'ffff:ffff:0:0:0:0:0:0');
});

test('refuses an fd whose thread is not listed, and an event whose length overruns it', async () => {
  await assert.rejects(
    ScapWriter.create(new PassThrough(), { fds: [{ tid: 9, fd: 0, type: 'file' }] }),
    { name: 'RangeError', message: 'fd 0 belongs to unlisted thread 9' },
  );
  const writer = await ScapWriter.create(new PassThrough().resume());
  const event = eventBytes(3, 10, []);
  new DataView(event.buffer).setUint32(16, 400, true);
  assert.throws(() => writer.writeEvent({ rawBytes: event }), {
    name: 'RangeError',
    message: 'event length field 400 does not fit its 26 bytes',
  });
  await writer.close();
});

test('a new capture file is readable by its owner only, whatever the umask', async () => {
  const target = path.join(workDirectory, 'private.scap');
  const records = await collect(captures[0]);
  const previous = process.umask(0o022);
  try {
    const writer = await ScapWriter.create(target, scapHeaderOf(records));
    await writer.close();
  } finally {
    process.umask(previous);
  }
  assert.equal(statSync(target).mode & 0o777, 0o600);
});

test('gzip output (by .gz name) reads back, and flush makes events written so far readable', async () => {
  const target = path.join(workDirectory, 'flushed.scap.gz');
  const records = await collect(captures[4]);
  const writer = await ScapWriter.create(target, scapHeaderOf(records));
  const events = records.filter((record): record is EventRecord => record.kind === 'event');
  for (const event of events.slice(0, 100)) writer.writeEvent(eventInputOf(event));
  await writer.flush();
  assert.deepEqual([...readFileSync(target).subarray(0, 2)], [0x1f, 0x8b]);
  // The stream is still open, yet every block written before the flush can be read; the
  // stream then ends without its gzip trailer, between two blocks, and the reader says so.
  const partial: ScapRecord[] = [];
  const flushed = gunzipSync(readFileSync(target), { finishFlush: constants.Z_SYNC_FLUSH });
  await assert.rejects(
    async () => {
      for await (const record of readScapRecords(target)) partial.push(record);
    },
    (error: unknown) =>
      error instanceof ScapFormatError &&
      error.message ===
        `gzip stream truncated after ${readFileSync(target).length} compressed bytes at uncompressed byte ${error.offset}` &&
      error.offset === flushed.length,
  );
  assert.equal(partial.filter((record) => record.kind === 'event').length, 100);
  for (const event of events.slice(100)) writer.writeEvent(eventInputOf(event));
  await writer.close();
  const copy = await collect(target);
  assert.equal(copy.filter((record) => record.kind === 'event').length, events.length);
});

const sysdigVersion = spawnSync('sysdig', ['--version'], { encoding: 'utf8' });
const sysdigMissing =
  sysdigVersion.status === 0 ? false : 'sysdig is not installed (apt-get install sysdig)';
const FORMAT = '*%evt.num %evt.time %evt.cpu %evt.type %evt.dir %thread.tid %proc.pid %proc.name '
  + '%proc.exe %proc.pname %proc.aname[2] %proc.aname[3] %proc.cwd %proc.env %fd.num %fd.type '
  + '%fd.name %fd.sip %fd.sport %proc.cmdline %user.name %group.name %user.loginuid %proc.sid '
  + '%thread.cgroups %evt.args'; // prettier-ignore

function sysdigPrint(file: string, format = FORMAT): string {
  const result = spawnSync('sysdig', ['-r', file, '-p', format], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

for (const capture of captures.slice(0, 8)) {
  const name = path.basename(capture);
  test(`sysdig 0.29 prints the same events for ${name} rewritten in legacy layout`, {
    skip: sysdigMissing,
  }, async () => {
    const target = path.join(workDirectory, `legacy-${name}`);
    await rewrite(capture, target, 'legacy');
    const expected = sysdigPrint(capture);
    assert.equal(sysdigPrint(target), expected);
  }); // prettier-ignore
}

test('sysdig reads a live-style capture: a thread snapshot, then probe records', {
  skip: sysdigMissing,
}, async () => {
  const records = await collect(captures[7]);
  const events = records.filter((record): record is EventRecord => record.kind === 'event');
  const probeRecords = events.map((event) => {
    const { rawBytes } = eventInputOf(event);
    const view = new DataView(rawBytes.buffer);
    const tid = Number(view.getBigInt64(8, true));
    return { kind: 'event', code: view.getUint16(20, true), ts: view.getBigUint64(0, true), tid, rawBytes };
  });
  const server = { tid: 25886, ptid: 1, comm: 'v6-server', exe: 'v6-server', args: ['-p', '1234'] };
  const target = path.join(workDirectory, 'live.scap');
  const writer = await ScapWriter.create(target, { threads: [server] }, { layout: 'legacy' });
  for (const record of probeRecords) writer.writeEvent(record);
  await writer.close();
  const argsFormat = '*%evt.num %evt.type %thread.tid %fd.name %evt.args';
  assert.equal(sysdigPrint(target, argsFormat), sysdigPrint(captures[7], argsFormat));
  const names = sysdigPrint(target, '*%evt.num %evt.type %proc.name %proc.cmdline %proc.pid');
  assert.match(names, /^848 socket v6-server v6-server -p 1234 25886$/m);
  assert.match(names, /^1140 socket <NA> <NA> 25888$/m);
}); // prettier-ignore

test(
  'a flush that backs the stream up while no one waits does not leave the writer waiting for a drain that came',
  { timeout: 20_000 },
  async () => {
    // A slow reader: small high-water mark, each chunk taken a turn later.
    const slow = new Writable({
      highWaterMark: 16,
      write: (_chunk, _encoding, done) => setImmediate(done),
    });
    const writer = await ScapWriter.create(slow, {}, { bufferSize: 1 << 16 });
    const event = eventBytes(5, 7, [new Uint8Array(8), new Uint8Array(8)]);
    writer.writeEvent({ rawBytes: event });
    // The periodic flush hands the buffer over (backing the stream up) and returns once the
    // stream has written it: the 'drain' has come and gone with no drain() waiting.
    await writer.flush();
    assert.equal(slow.writableNeedDrain, false);
    assert.equal(writer.writeEvent({ rawBytes: event }), true);
    await writer.drain();
    await writer.close();
  },
);
