import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { syscallEvents } from '../decode/pipeline.js';
import type { ScapRecord } from '../sources/scap/records.js';
import { readScapRecords } from '../sources/scap/scap-reader.js';
import { corpusPath } from '../testing/corpus.js';
import { makeCapture } from './make-capture.js';

const curl = corpusPath('falco/scap/curl_google.scap');
const catWrite = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
const workDirectory = mkdtempSync(path.join(tmpdir(), 'harrier-make-capture-'));
after(() => rmSync(workDirectory, { recursive: true, force: true }));

async function collect(file: string): Promise<ScapRecord[]> {
  const records: ScapRecord[] = [];
  for await (const record of readScapRecords(file)) records.push(record);
  return records;
}

/** Header fields of every event: [ts, tid]. */
function eventHeads(records: ScapRecord[]): Array<[bigint, number]> {
  return records.flatMap((record) =>
    record.kind === 'event'
      ? [[record.view.getBigUint64(record.start, true), Number(record.view.getBigInt64(record.start + 8, true))] as [bigint, number]]
      : [],
  ); // prettier-ignore
}

test('repeats two captures in turn with later timestamps and fresh ids for acting threads', async () => {
  const out = path.join(workDirectory, 'two.scap');
  const summary = await makeCapture({ sources: [curl, catWrite], events: 4000, out });
  assert.deepEqual([summary.events, summary.copies], [4000, 5]);
  const records = await collect(out);
  const heads = eventHeads(records);
  assert.equal(heads.length, 4000);
  for (let i = 1; i < 1536 * 2 + 345 * 2; i++) {
    if (i === 1536 || i === 1536 + 345)
      assert.ok(heads[i][0] > heads[i - 1][0], `copy boundary ${i}`);
  }
  // The busiest thread (curl itself) keeps its id in copy 0; copy 2 moves it by two id bands.
  const counts = new Map<number, number>();
  for (const [, tid] of heads.slice(0, 1536)) counts.set(tid, (counts.get(tid) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const copy2 = heads.slice(1536 + 345, 1536 * 2 + 345).map(([, tid]) => tid);
  assert.equal(copy2.filter((tid) => tid === busiest + 200_000).length, counts.get(busiest));
  // Idle threads (procinfo only) keep the one entry their source has.
  assert.ok(copy2.includes(heads[1535][1]));
  // cat_write's ids live in the second band from its first copy on.
  assert.ok(heads[1536 + 344][1] > 100_000);
  const tids = records.flatMap((record) => (record.kind === 'thread' ? [record.tid] : []));
  assert.equal(new Set(tids).size, tids.length);
  assert.equal(tids.length, summary.threads);
});

/** What the state engine attaches to each event: thread name, executable and fd name. */
async function stateRows(file: string): Promise<string[]> {
  const rows: string[] = [];
  for await (const event of syscallEvents(file)) {
    rows.push(
      `${event.info.name} ${event.thread?.comm} ${event.thread?.exePath} ${event.fd?.name}`,
    );
  }
  return rows;
}

test("Harrier's state engine sees every copy as it sees the original", async () => {
  const out = path.join(workDirectory, 'state.scap');
  await makeCapture({ sources: [curl, catWrite], events: 1536 * 2 + 345 * 2, out });
  const [curlRows, catRows] = [await stateRows(curl), await stateRows(catWrite)];
  assert.ok(curlRows.some((row) => /^connect curl .*->2607:f8b0:4004:802::2004:80$/.test(row)));
  assert.deepEqual(await stateRows(out), [...curlRows, ...catRows, ...curlRows, ...catRows]);
});

const sysdigMissing =
  spawnSync('sysdig', ['--version']).status === 0 ? false : 'sysdig is not installed';
const FORMAT =
  '*%evt.type %evt.dir %proc.name %proc.pname %proc.aname[2] %proc.cmdline %proc.cwd %fd.name %fd.type';

function sysdigLines(file: string): string[] {
  const result = spawnSync('sysdig', ['-r', file, '-p', FORMAT], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trimEnd().split('\n');
}

test('sysdig sees every copy with the same processes, parents and files as the original', {
  skip: sysdigMissing,
}, async () => {
  const out = path.join(workDirectory, 'sysdig.scap');
  await makeCapture({ sources: [curl, catWrite], events: 1536 * 2 + 345 * 2, out });
  const [curlLines, catLines] = [sysdigLines(curl), sysdigLines(catWrite)];
  assert.ok(curlLines.some((line) => line.startsWith('connect < curl bash')));
  assert.deepEqual(sysdigLines(out), [...curlLines, ...catLines, ...curlLines, ...catLines]);
}); // prettier-ignore
