import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { constants, gunzipSync, inflateRawSync, gzipSync } from 'node:zlib';
import { corpusPath } from '../../testing/corpus.js';
import type { ScapRecord, ThreadRecord } from './records.js';
import { CaptureFileError, ScapFormatError } from './records.js';
import { readScapRecords } from './scap-reader.js';
import { readCaptureChunks } from './byte-stream.js';

const emptyTrace = corpusPath('falco/tests-0.34.1/trace_files/empty.scap');
const catWrite = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');

async function collect(input: Parameters<typeof readScapRecords>[0]): Promise<ScapRecord[]> {
  const records: ScapRecord[] = [];
  for await (const record of readScapRecords(input)) records.push(record);
  return records;
}

function countKinds(records: ScapRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.kind] = (counts[record.kind] ?? 0) + 1;
  return counts;
}

/** A block: type, total length, body padded to 4 bytes, total length again. */
function block(type: number, body: number[]): number[] {
  const padded = [...body, ...new Array((4 - (body.length % 4)) % 4).fill(0)];
  const length = padded.length + 12;
  const u32 = (value: number): number[] =>
    [value, value >>> 8, value >>> 16, value >>> 24].map((b) => b & 0xff);
  return [...u32(type), ...u32(length), ...padded, ...u32(length)];
}

const SECTION = block(0x0a0d0d0a, [0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 2, 0, ...new Array(8).fill(0xff)]);

test('reads every record kind of a gzip capture with version-2 lists', async () => {
  const records = await collect(emptyTrace);
  assert.deepEqual(countKinds(records), {
    section: 1, machine: 1, interface: 11, user: 45, group: 77, thread: 218, fd: 883, event: 143,
  }); // prettier-ignore
  const machine = records.find((record) => record.kind === 'machine');
  assert.equal(machine?.kind === 'machine' && machine.hostname, 'ubuntu');
  assert.equal(machine?.kind === 'machine' && machine.cpuCount, 4);
});

test('reads version-9 process entries with their namespace, cgroup and login fields', async () => {
  const records = await collect(emptyTrace);
  const systemd = records.find((record): record is ThreadRecord => record.kind === 'thread');
  assert.equal(systemd?.version, 9);
  assert.equal(systemd?.comm, 'systemd');
  assert.equal(systemd?.exepath, '/lib/systemd/systemd');
  assert.equal(systemd?.sid, 1);
  assert.equal(systemd?.vpgid, 1);
  assert.equal(systemd?.fdlimit, 1048576);
  assert.equal(systemd?.loginuid, 0xffffffff);
  assert.equal(systemd?.vmsizeKb, 38056);
  assert.ok(systemd?.cgroups.includes('pids=/init.scope'));
  assert.ok(systemd?.env.includes('PATH=/sbin:/usr/sbin:/bin:/usr/bin'));
});

test('reads fd entries of file and socket types', async () => {
  const records = await collect(emptyTrace);
  const devNull = records.find((record) => record.kind === 'fd');
  assert.deepEqual(
    devNull?.kind === 'fd' && [
      devNull.tid,
      devNull.fd,
      devNull.type,
      devNull.name,
      devNull.openFlags,
      devNull.dev,
    ],
    [1, 0, 'file_v2', '/dev/null', 3, 6],
  );
  const sockets = records.filter(
    (record) => record.kind === 'fd' && record.type.startsWith('ipv4'),
  );
  assert.ok(sockets.length > 0);
  for (const socket of sockets)
    assert.match((socket as { sourceAddress: string }).sourceAddress, /^\d+\.\d+\.\d+\.\d+$/);
});

test('reads a plain capture in small chunks exactly as the gzip file', async () => {
  const plain = gunzipSync(readFileSync(catWrite));
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < plain.length; at += 777) chunks.push(plain.subarray(at, at + 777));
  const fromChunks = await collect(chunks);
  const fromFile = await collect(catWrite);
  assert.equal(fromChunks.length, fromFile.length);
  assert.deepEqual(countKinds(fromChunks), {
    section: 1,
    machine: 1,
    interface: 5,
    user: 32,
    group: 61,
    thread: 73,
    fd: 384,
    event: 345,
  });
  const eventBytes = (record: ScapRecord | undefined): number[] =>
    record?.kind === 'event' ? [...record.bytes.subarray(record.start, record.end)] : [];
  assert.deepEqual(eventBytes(fromChunks.at(-1)), eventBytes(fromFile.at(-1)));
  assert.equal(eventBytes(fromFile.at(-1)).length, 42); // a procinfo event, padded block
});

test('skips a block type it does not know and reports it', async () => {
  const bytes = Uint8Array.from([...SECTION, ...block(0x999, [1, 2, 3])]);
  const records = await collect([bytes]);
  assert.deepEqual(
    records.map((record) => record.kind),
    ['section', 'unknown-block'],
  );
  assert.equal(records[1].kind === 'unknown-block' && records[1].blockType, 0x999);
});

test('rejects input without a section header at byte 0', async () => {
  await assert.rejects(collect([Uint8Array.from(block(0x204, [0, 0]))]), (error: unknown) => {
    return error instanceof ScapFormatError && error.offset === 0 && error.blockType === 0x204;
  });
});

test('rejects a block whose trailer disagrees with its header, at that block', async () => {
  const bad = block(0x205, [1, 0, 0, 0]);
  bad[bad.length - 4] ^= 1;
  await assert.rejects(collect([Uint8Array.from([...SECTION, ...bad])]), (error: unknown) => {
    return (
      error instanceof ScapFormatError &&
      error.offset === SECTION.length &&
      /trailer/.test(error.message)
    );
  });
});

test('rejects a truncated gzip stream with a positioned error after the records before it', async () => {
  const raw = readFileSync(catWrite);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = `${mkdtempSync(`${tmpdir()}/harrier-`)}/cut.scap.gz`;
  const kept = Math.floor(raw.length / 2);
  writeFileSync(path, raw.subarray(0, kept));
  const seen: ScapRecord[] = [];
  await assert.rejects(
    (async () => {
      for await (const record of readScapRecords(path)) seen.push(record);
    })(),
    // The cut falls inside the single process-list block, which starts at byte 2756.
    (error: unknown) =>
      error instanceof ScapFormatError &&
      error.offset === 2756 &&
      error.blockType === 0x212 &&
      error.message ===
        `gzip stream truncated after ${kept} compressed bytes at uncompressed byte 2756 in block 0x212`,
  );
  assert.deepEqual(countKinds(seen), { section: 1, machine: 1, interface: 5, user: 32, group: 61 });
});

async function scratchFile(name: string, bytes: Uint8Array): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-scap-'));
  const file = path.join(directory, name);
  await writeFile(file, bytes);
  return file;
}

async function readError(input: string): Promise<Error> {
  try {
    await collect(input);
  } catch (error) {
    return error as Error;
  }
  return assert.fail(`${input} was read to its end`);
}

test('a missing capture and a directory say so, with no byte offset', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-scap-'));
  const missing = await readError(path.join(directory, 'none.scap'));
  assert.ok(missing instanceof CaptureFileError);
  assert.equal(missing.message, 'no such file');
  const folder = await readError(directory);
  assert.ok(folder instanceof CaptureFileError);
  assert.equal(folder.message, 'is a directory');
});

test('a gzip capture cut inside its gzip header is a truncated stream, not an empty capture', async () => {
  const file = await scratchFile('head.scap.gz', readFileSync(catWrite).subarray(0, 5));
  const error = await readError(file);
  assert.ok(error instanceof ScapFormatError);
  assert.equal(
    error.message,
    'gzip stream truncated after 5 compressed bytes at uncompressed byte 0',
  );
});

/** The records read from `input` until it ends or fails, and the failure. */
async function readUntilError(input: string | Uint8Array[]) {
  const records: ScapRecord[] = [];
  try {
    for await (const record of readScapRecords(input)) records.push(record);
  } catch (error) {
    return { records, error };
  }
  return { records, error: undefined };
}

test('corrupt gzip data names the compressed byte, after every record before it', async () => {
  const bytes = Buffer.from(readFileSync(catWrite));
  for (let at = 4000; at < 4100; at++) bytes[at] = (at * 131) & 0xff; // zlib: invalid distance
  const { records, error } = await readUntilError(await scratchFile('bad.scap.gz', bytes));
  assert.ok(error instanceof CaptureFileError, String(error));
  const match = /^corrupt gzip data at compressed byte (\d+) \(uncompressed byte (\d+)\)$/.exec(
    error.message,
  );
  assert.ok(match, error.message);
  const at = Number(match[1]);
  assert.ok(at >= 4000 && at < 4200, error.message);
  // Every record that the compressed bytes before the fault hold complete was read.
  const clean = gunzipSync(bytes.subarray(0, at), { finishFlush: constants.Z_SYNC_FLUSH });
  assert.equal(Number(match[2]), clean.length);
  const expected = (await readUntilError([clean])).records;
  assert.ok(expected.length > 0);
  assert.equal(records.length, expected.length);
});

test('damage only the gzip checksum sees is said to lie before the trailer, after every record the data holds', async () => {
  const good = readFileSync(catWrite);
  // A flipped bit near the end of the deflate data that still decodes (to other bytes).
  let bytes: Buffer | undefined;
  for (let at = good.length - 40; at < good.length - 8 && bytes === undefined; at++) {
    const flipped = Buffer.from(good);
    flipped[at] ^= 0x01;
    try {
      gunzipSync(flipped);
    } catch (error) {
      if (/incorrect data check/.test((error as Error).message)) bytes = flipped;
    }
  }
  assert.ok(bytes, 'no flip that only the checksum sees');
  const { records, error } = await readUntilError(await scratchFile('checksum.scap.gz', bytes));
  assert.ok(error instanceof CaptureFileError, String(error));
  assert.equal(
    error.message,
    `corrupt gzip data somewhere before compressed byte ${good.length - 8}: the checksum in its trailer does not match`,
  );
  const decoded = inflateRawSync(bytes.subarray(10, bytes.length - 8), {
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const expected = (await readUntilError([decoded])).records;
  assert.ok(expected.length > 300);
  assert.equal(records.length, expected.length);
});

test('a gzip capture cut inside its trailer gives every record, then the cut after the last block', async () => {
  const gzipped = readFileSync(catWrite);
  const whole = await collect(catWrite);
  const kept = gzipped.length - 3;
  const cut = await scratchFile('trailer.scap.gz', gzipped.subarray(0, kept));
  const { records, error } = await readUntilError(cut);
  assert.equal(records.length, whole.length);
  assert.ok(error instanceof ScapFormatError, String(error));
  const size = gunzipSync(gzipped).length;
  assert.equal(
    error.message,
    `gzip stream truncated after ${kept} compressed bytes at uncompressed byte ${size}`,
  );
});

test('bytes after the gzip member that start no member: every record, then where they start', async () => {
  const gzipped = readFileSync(catWrite);
  const whole = await collect(catWrite);
  const trailing = Buffer.concat([gzipped, Buffer.from('not a gzip member')]);
  const { records, error } = await readUntilError(await scratchFile('tail.scap.gz', trailing));
  assert.equal(records.length, whole.length);
  assert.ok(error instanceof CaptureFileError, String(error));
  // zlib judges the two magic bytes of a header together: the fault is on the second.
  const size = gunzipSync(gzipped).length;
  assert.equal(
    error.message,
    `corrupt gzip data at compressed byte ${gzipped.length + 1} (uncompressed byte ${size})`,
  );
});

test('format errors in a gzip capture count uncompressed bytes, and say so', async () => {
  const plain = gunzipSync(readFileSync(catWrite));
  plain.writeUInt32LE(7, 2756 + 4); // the process-list block's length
  const gzipped = await scratchFile('length.scap.gz', gzipSync(plain));
  const error = await readError(gzipped);
  assert.ok(error instanceof ScapFormatError);
  assert.equal(error.message, 'invalid block length 7 at uncompressed byte 2756 in block 0x212');
  const raw = await scratchFile('length.scap', plain);
  assert.equal(
    (await readError(raw)).message,
    'invalid block length 7 at byte 2756 in block 0x212',
  );
});

test('a cut gzip stream gives every byte it holds, then where it stopped in both streams', async () => {
  // Several 4 MiB chunks of output, so that the cut falls long after the first chunk.
  const text = Buffer.from(randomBytes(9 * 1024 * 1024).toString('base64'));
  const compressed = gzipSync(text, { level: 1 });
  const kept = compressed.length - 1000;
  const file = await scratchFile('cut.gz', compressed.subarray(0, kept));
  const held = gunzipSync(compressed.subarray(0, compressed.length - 1000), {
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  let received = 0;
  const chunks = readCaptureChunks(file);
  await assert.rejects(
    async () => {
      for await (const chunk of chunks) received += chunk.length;
    },
    (error: unknown) =>
      error instanceof CaptureFileError &&
      error.message ===
        `gzip stream truncated at compressed byte ${kept} (uncompressed byte ${held.length})`,
  );
  assert.equal(received, held.length);
  assert.ok(received > 8 * 1024 * 1024);
});

/** Each record as offset, kind and, for events, the event's bytes. */
function recordKeys(records: ScapRecord[]): string[] {
  return records.map((record) => {
    if (record.kind !== 'event') return `${record.offset} ${record.kind}`;
    const bytes = Buffer.from(record.bytes.subarray(record.start, record.end)).toString('hex');
    return `${record.offset} event ${record.cpu} ${bytes}`;
  });
}

test('reads the same records whatever the chunk boundaries, blocks cut anywhere', async () => {
  const raw = new Uint8Array(gunzipSync(readFileSync(emptyTrace)));
  const whole = recordKeys(await collect([raw]));
  for (const size of [1, 7, 8, 13, 4096, 65_537]) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < raw.length; at += size) chunks.push(raw.subarray(at, at + size));
    assert.deepEqual(recordKeys(await collect(chunks)), whole, `chunks of ${size} bytes`);
  }
});

test('places a corrupt block length at its offset when the block is cut between chunks', async () => {
  const bad = block(0x216, new Array(30).fill(0));
  bad[4] = 10; // a length below the block overhead
  const bytes = Uint8Array.from([...SECTION, ...bad]);
  const cut = SECTION.length + 9;
  await assert.rejects(collect([bytes.subarray(0, cut), bytes.subarray(cut)]), (error: unknown) => {
    return error instanceof ScapFormatError && error.offset === SECTION.length;
  });
});
