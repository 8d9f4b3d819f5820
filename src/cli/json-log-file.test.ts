import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { corpusPath } from '../testing/corpus.js';
import type { RawRecord, RecordError } from '../sources/k8s-audit/index.js';
import type { JsonSource } from './json-pipeline.js';
import { readJsonLog, type JsonLogRead } from './json-log-file.js';

const deployment = readFileSync(
  corpusPath('falco/tests-0.34.1/trace_files/k8s_audit/create_deployment.json'),
  'utf8',
).trim();

/** `count` audit events, one a line, numbered by their auditID, each with a random-looking uid. */
function auditLines(count: number): string {
  const event = JSON.parse(deployment) as Record<string, unknown>;
  let seed = 7;
  const uid = () => {
    let text = '';
    for (let i = 0; i < 4; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      text += seed.toString(16).padStart(8, '0');
    }
    return text;
  };
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify({ ...event, auditID: `event-${index + 1}`, uid: uid() }),
  ).join('\n');
}

interface Taken {
  sources: JsonSource[];
  records: RawRecord[];
  errors: RecordError[];
  read: JsonLogRead;
}

async function read(bytes: Uint8Array | string, maxTextBytes?: number): Promise<Taken> {
  const taken: Omit<Taken, 'read'> = { sources: [], records: [], errors: [] };
  const sink = {
    take: (source: JsonSource, records: RawRecord[], errors: RecordError[]) => {
      if (!taken.sources.includes(source)) taken.sources.push(source);
      taken.records.push(...records);
      taken.errors.push(...errors);
    },
  };
  const input = { name: 'log', bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes };
  return { ...taken, read: await readJsonLog(input, sink, maxTextBytes) };
}

function auditIds(records: RawRecord[]): string[] {
  return records.map((record) => (record.value as { auditID: string }).auditID);
}

test('a gzip audit log cut at 90% gives its records up to the cut, and where the stream stops', async () => {
  const text = auditLines(200);
  const gzipped = gzipSync(text);
  const cut = gzipped.subarray(0, Math.floor(gzipped.length * 0.9));
  const { records, errors, read: result } = await read(cut);
  // The records before the cut all come; the line the cut falls in is named.
  assert.ok(records.length > 100, `${records.length} records`);
  assert.deepEqual(
    auditIds(records),
    auditIds(records).map((_, index) => `event-${index + 1}`),
  );
  const cutLine = records.length + 1;
  assert.deepEqual(
    errors.map(({ origin }) => origin.line),
    [cutLine],
  );
  assert.equal(errors[0].reason, 'invalid JSON: unexpected end of input inside a string');
  assert.match(
    result.failure?.reason ?? '',
    new RegExp(
      `^gzip stream truncated at compressed byte ${cut.length} \\(uncompressed byte \\d+, line ${cutLine}\\)$`,
    ),
  );
  assert.equal(result.source, 'k8s_audit');
});

test('a gzip log missing only its trailer gives every record', async () => {
  const gzipped = gzipSync(`${auditLines(50)}\n`);
  const { records, errors, read: result } = await read(gzipped.subarray(0, gzipped.length - 8));
  assert.equal(records.length, 50);
  assert.deepEqual(errors, []);
  const end = gzipped.length - 8;
  const size = Buffer.byteLength(`${auditLines(50)}\n`);
  assert.equal(
    result.failure?.reason,
    `gzip stream truncated at compressed byte ${end} (uncompressed byte ${size})`,
  );
});

test('damaged gzip data that only the checksum sees is placed before the trailer, with the first line that did not read', async () => {
  const gzipped = gzipSync(auditLines(200));
  const trailer = gzipped.length - 8;
  let damaged = 0;
  for (let at = 4000; at < 4040; at += 4) {
    const bad = Buffer.from(gzipped);
    bad.fill(0x55, at, at + 4);
    const { records, errors, read: result } = await read(bad);
    const reason = result.failure?.reason ?? '';
    const exact = /^corrupt gzip data at compressed byte (\d+) \(uncompressed byte \d+\)$/.exec(
      reason,
    );
    if (exact !== null) {
      assert.ok(Number(exact[1]) >= at, reason);
      continue;
    }
    const checksum = `corrupt gzip data somewhere before compressed byte ${trailer}: the checksum in its trailer does not match`;
    if (errors.length === 0) assert.equal(reason, checksum);
    else
      assert.equal(
        reason,
        `${checksum}; line ${errors[0].origin.line} is the first that could not be read`,
      );
    // The records before the damage were read, in order.
    assert.deepEqual(
      auditIds(records).slice(0, 99),
      auditIds(records)
        .slice(0, 99)
        .map((_, i) => `event-${i + 1}`),
    );
    damaged++;
  }
  assert.ok(damaged > 0, 'no damage was left for the checksum to find');
});

test('a UTF-8 byte-order mark at the start is skipped', async () => {
  const { records, errors, read: result } = await read(`\ufeff${auditLines(2)}\n`);
  assert.deepEqual(auditIds(records), ['event-1', 'event-2']);
  assert.deepEqual(errors, []);
  assert.deepEqual(result, { source: 'k8s_audit' });
});

test('a JSON line cut inside a string is an end of input inside a string, at the end of the line', async () => {
  const lines = auditLines(3).split('\n');
  const cut = lines[1].slice(0, lines[1].indexOf('"verb":"') + 10);
  const { records, errors } = await read([lines[0], cut, lines[2]].join('\n'));
  assert.deepEqual(auditIds(records), ['event-1', 'event-3']);
  assert.deepEqual(errors, [
    {
      origin: { file: 'log', line: 2, column: cut.length + 1 },
      reason: 'invalid JSON: unexpected end of input inside a string',
    },
  ]);
});

test('a line over the limit is a rejected line and the lines after it are read', async () => {
  const lines = auditLines(3).split('\n');
  const long = JSON.stringify({ kind: 'Event', pad: 'x'.repeat(5000) });
  const { records, errors, read: result } = await read([lines[0], long, lines[2]].join('\n'), 4096);
  assert.deepEqual(auditIds(records), ['event-1', 'event-3']);
  assert.deepEqual(errors, [
    {
      origin: { file: 'log', line: 2 },
      reason: `line of ${long.length} bytes, over the 4096 bytes limit for one JSON text`,
    },
  ]);
  assert.equal(result.failure, undefined);
});

test('a single JSON text over the limit is a failure of its file, naming the limit', async () => {
  const single = JSON.stringify({ Records: [{ eventTime: 'x', pad: 'y'.repeat(5000) }] });
  const { records, read: result } = await read(single, 4096);
  assert.deepEqual(records, []);
  assert.deepEqual(result.failure, {
    origin: { file: 'log', line: 1 },
    reason:
      'a JSON text over the 4096 bytes limit for one value; only JSON lines files (one value a line) may be larger',
  });
  const pretty = JSON.stringify({ Records: [{ eventTime: 'x', pad: 'y'.repeat(5000) }] }, null, 2);
  const document = await read(pretty, 4096);
  assert.equal(document.read.failure?.origin.line, 5);
});

test('a pretty-printed audit payload is read whole, its records all from line 1', async () => {
  const list = { kind: 'EventList', items: [JSON.parse(deployment), JSON.parse(deployment)] };
  const { records, errors, read: result } = await read(JSON.stringify(list, null, 2));
  assert.equal(records.length, 2);
  assert.deepEqual(errors, []);
  assert.equal(result.source, 'k8s_audit');
});

test('an empty or blank file is a failure: it holds no events', async () => {
  for (const text of ['', '\n  \n']) {
    const { read: result } = await read(text);
    assert.deepEqual(result.failure, { origin: { file: 'log' }, reason: 'empty file: no events' });
  }
});

test('invisible characters in the keys of an object of neither kind are shown by code point', async () => {
  const { read: result } = await read('{"\ufeffkind":"Event","a\u200bb":1}\n');
  assert.deepEqual(result.failure, {
    origin: { file: 'log', line: 1 },
    reason:
      'expected a syscall capture, a Kubernetes audit log or a CloudTrail file, found a JSON object without kind, auditID, Records, eventTime or eventSource (keys: <U+FEFF>kind, a<U+200B>b)',
  });
});
