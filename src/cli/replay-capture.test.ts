import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { loadRuleFiles, loadRuleFilesFromDisk } from '../detect/index.js';
import { ScapWriter } from '../sources/scap/scap-writer.js';
import { eventBytes, int64 } from '../testing/event-bytes.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { replay } from './replay.js';

const run = promisify(execFile);
const TESTS = corpusPath('falco/tests-0.34.1');
const CAT_WRITE = path.join(TESTS, 'trace_files/cat_write.scap');
const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

async function replayCli(...extra: string[]) {
  const args = [
    HARRIER,
    'replay',
    CAT_WRITE,
    '-r',
    path.join(TESTS, 'rules/single_rule_with_tags.yaml'),
  ];
  const env = { ...process.env, HARRIER_HOSTNAME: 'test-falco-hostname' };
  return run(process.execPath, [...args, '--time-format', 'iso8601', ...extra], { env });
}

test('replay of cat_write.scap prints Falco text alerts byte for byte', async () => {
  const { stdout, stderr } = await replayCli();
  const expected = await readFile(
    path.join(TESTS, 'output_files/single_rule_with_cat_write.txt'),
    'utf8',
  );
  // Falco's expected file has no newline after its last line; Harrier ends every line.
  assert.equal(stdout, `${expected}\n`);
  assert.match(stderr, /cat_write\.scap: 345 events, 8 alerts\n/);
  assert.match(stderr, /open_from_cat \(Warning\): 8\n/);
});

test('replay of cat_write.scap prints Falco JSON alerts byte for byte', async () => {
  const { stdout } = await replayCli('--json');
  const expected = await readFile(
    path.join(TESTS, 'output_files/single_rule_with_cat_write.json'),
    'utf8',
  );
  assert.equal(stdout, expected);
});

/** cat_write.scap uncompressed, with the block length of its 200th block set to 7. */
async function corruptCapture(): Promise<{ file: string; offset: number }> {
  const bytes = gunzipSync(await readFile(CAT_WRITE));
  let offset = 0;
  for (let block = 0; block < 200; block++) offset += bytes.readUInt32LE(offset + 4);
  bytes.writeUInt32LE(7, offset + 4);
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'harrier-replay-')), 'bad.scap');
  await writeFile(file, bytes);
  return { file, offset };
}

test('replay processes every event before a corrupt block, then names its offset', async () => {
  const { file, offset } = await corruptCapture();
  const loaded = await loadRuleFilesFromDisk([path.join(TESTS, 'rules/single_rule.yaml')]);
  assert.ok(loaded.ruleSet);
  const result = await replay([file], loaded.ruleSet, () => {});
  const failure = result.captures[0].failure;
  assert.equal(failure?.offset, offset);
  assert.deepEqual(
    result.failures.map(({ origin }) => origin),
    [{ file }],
  );
  assert.match(
    result.failures[0].reason,
    new RegExp(`^invalid block length 7 at byte ${offset} in block 0x[0-9a-f]+$`),
  );
  assert.ok(result.captures[0].events > 100);
});

test('a corrupt capture does not stop the other files: their alerts all come', async () => {
  const { file } = await corruptCapture();
  const rules = path.join(TESTS, 'rules/single_rule_with_tags.yaml');
  const loaded = await loadRuleFilesFromDisk([rules]);
  assert.ok(loaded.ruleSet);
  const result = await replay([file, CAT_WRITE], loaded.ruleSet, () => {});
  assert.equal(result.captures[1].alerts, 8);
  assert.equal(result.captures[1].failure, undefined);
  assert.equal(result.failures.length, 1);
});

test('harrier replay exits 1 on a corrupt capture after its summary', async () => {
  const { file, offset } = await corruptCapture();
  const rules = path.join(TESTS, 'rules/single_rule.yaml');
  const failure = await run(process.execPath, [HARRIER, 'replay', file, '-r', rules]).then(
    () => assert.fail('exit status 0'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.match(failure.stderr, /bad\.scap: \d+ events, 0 alerts\n/);
  assert.match(
    failure.stderr,
    new RegExp(
      `\nharrier replay: [^\n]*bad\\.scap: invalid block length 7 at byte ${offset} in block`,
    ),
  );
});

test('replay merges a capture with an audit log in time order', async () => {
  const audit = corpusPath(
    'falco/tests-0.34.1/trace_files/k8s_audit/create_nginx_pod_privileged.json',
  );
  const rules = [
    path.join(TESTS, 'rules/single_rule.yaml'),
    corpusPath('falco/rules/k8s_audit_rules.yaml'),
  ];
  const loaded = await loadRuleFilesFromDisk(rules);
  assert.ok(loaded.ruleSet, loaded.diagnostics.map((d) => d.message).join('\n'));
  const times: bigint[] = [];
  const sources: string[] = [];
  const result = await replay([audit, CAT_WRITE], loaded.ruleSet, (alert) => {
    times.push(alert.time);
    sources.push(alert.source);
  });
  assert.deepEqual(
    [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    times,
  );
  assert.equal(sources.filter((source) => source === 'syscall').length, 8);
  assert.ok(sources.includes('k8s_audit'));
  assert.equal(result.byRule.get('open_from_cat')?.count, 8);
});

/** cat_write.scap uncompressed, the block type at `offset` overwritten with `type`. */
async function captureWithBlockType(offset: number, type: number): Promise<string> {
  const bytes = gunzipSync(await readFile(CAT_WRITE));
  bytes.writeUInt32LE(type, offset);
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'harrier-replay-')), 'blocks.scap');
  await writeFile(file, bytes);
  return file;
}

/** Offset of the first event block of the uncompressed cat_write.scap. */
async function firstEventOffset(): Promise<number> {
  const bytes = gunzipSync(await readFile(CAT_WRITE));
  let offset = 0;
  while (![0x204, 0x208, 0x216, 0x217, 0x221, 0x222].includes(bytes.readUInt32LE(offset)))
    offset += bytes.readUInt32LE(offset + 4);
  return offset;
}

test('a process-list block of unknown type is skipped as libscap skips it, and the summary warns with its offset and type', async () => {
  // Byte 2756 of the uncompressed cat_write.scap starts its process list (block 0x212).
  const file = await captureWithBlockType(2756, 0xffffffff);
  const loaded = await loadRuleFilesFromDisk([path.join(TESTS, 'rules/single_rule.yaml')]);
  assert.ok(loaded.ruleSet);
  const result = await replay([file], loaded.ruleSet, () => {});
  assert.deepEqual(result.captures[0].skippedBlocks, {
    count: 1,
    first: [{ offset: 2756, blockType: 0xffffffff }],
    uncompressed: false,
  });
  assert.equal(result.captures[0].events, 345);
  assert.deepEqual(result.failures, []);
  const rules = path.join(TESTS, 'rules/single_rule.yaml');
  const { stderr } = await run(process.execPath, [HARRIER, 'replay', file, '-r', rules]);
  assert.match(
    stderr,
    /\nharrier replay: warning: [^\n]*blocks\.scap: 1 block of unknown type skipped, as libscap skips them \(0xffffffff at byte 2756\); what they held, such as a process list, is missing\n/,
  );
});

test('a block of unknown type after the first event ends the capture there, as libscap fails', async () => {
  const first = await firstEventOffset();
  const bytes = gunzipSync(await readFile(CAT_WRITE));
  let offset = first;
  for (let block = 0; block < 50; block++) offset += bytes.readUInt32LE(offset + 4);
  const file = await captureWithBlockType(offset, 0x7777);
  const loaded = await loadRuleFilesFromDisk([path.join(TESTS, 'rules/single_rule.yaml')]);
  assert.ok(loaded.ruleSet);
  const result = await replay([file], loaded.ruleSet, () => {});
  assert.equal(result.captures[0].events, 50);
  assert.deepEqual(
    result.failures.map(({ reason }) => reason),
    [`unexpected block type after the first event at byte ${offset} in block 0x7777`],
  );
});

/**
 * cat_write.scap uncompressed, the type code of its `index`-th event (from 0) set to 0x7ff0,
 * past every event table; returns the file and the byte offset of that event's block.
 */
async function captureWithUnknownEvent(index: number): Promise<{ file: string; offset: number }> {
  const bytes = gunzipSync(await readFile(CAT_WRITE));
  let offset = await firstEventOffset();
  for (let block = 0; block < index; block++) offset += bytes.readUInt32LE(offset + 4);
  // Blocks with flags (0x208, 0x217, 0x222) have 4 bytes more before the event header.
  const hasFlags = [0x208, 0x217, 0x222].includes(bytes.readUInt32LE(offset));
  bytes.writeUInt16LE(0x7ff0, offset + 8 + (hasFlags ? 6 : 2) + 20);
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'harrier-replay-')), 'newer.scap');
  await writeFile(file, bytes);
  return { file, offset };
}

test('an event of a type past the event table is skipped as libscap skips it, counted and warned about once per type', async () => {
  const { file, offset } = await captureWithUnknownEvent(10);
  const rules = path.join(TESTS, 'rules/single_rule.yaml');
  const loaded = await loadRuleFilesFromDisk([rules]);
  assert.ok(loaded.ruleSet);
  const result = await replay([file], loaded.ruleSet, () => {});
  assert.equal(result.captures[0].events, 344);
  assert.equal(result.captures[0].alerts, 8);
  assert.equal(result.captures[0].unknownEvents.count, 1);
  assert.deepEqual(result.captures[0].unknownEvents.types, [
    { eventType: 0x7ff0, offset, count: 1 },
  ]);

  const text = await run(process.execPath, [HARRIER, 'replay', file, '-r', rules]);
  assert.match(text.stderr, /newer\.scap: 344 events, 1 of unknown type skipped, 8 alerts\n/);
  assert.match(
    text.stderr,
    new RegExp(
      `\nharrier replay: warning: [^\n]*newer\\.scap: 1 event of a type newer than Harrier's event table skipped, as libscap skips them \\(type 0x7ff0 first at byte ${offset}: 1\\); they have no event number, as in Falco\n`,
    ),
  );
  const json = await run(process.execPath, [HARRIER, 'replay', '--json', file, '-r', rules]);
  const summary = JSON.parse(json.stderr.split('\n')[0]) as { captures: unknown[] };
  assert.deepEqual(summary.captures, [
    {
      path: file,
      events: 344,
      unknownEvents: 1,
      alerts: 8,
      droppedWhileRecorded: { kernel: 0, userspace: 0 },
    },
  ]);
});

test("a replay warns when the state's tables were full: descriptors past a process's 4096", async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-state-full-'));
  const capture = path.join(directory, 'many-fds.scap');
  const writer = await ScapWriter.create(capture);
  const text = new TextEncoder();
  const u32 = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);
  /** PPME_SYSCALL_OPENAT_2_X: fd, dirfd, name, flags, mode, dev, ino. */
  const OPENAT_X = 307;
  for (let fd = 3; fd < 3 + 4100; fd++) {
    const open = eventBytes(OPENAT_X, 42, [
      int64(fd), int64(-100), text.encode(`/tmp/f${fd}\0`), u32(1), u32(0), u32(0), int64(fd),
    ]); // prettier-ignore
    writer.writeEvent({ rawBytes: open });
  }
  await writer.close();
  const { ruleSet } = loadRuleFiles([
    { name: 'r.yaml', content: '- rule: r\n  desc: d\n  condition: evt.type = close\n  output: o\n  priority: NOTICE\n' },
  ]); // prettier-ignore
  assert.ok(ruleSet);
  const result = await replay([capture], ruleSet, () => {});
  assert.deepEqual(result.captures[0].stateRefused, { threads: 0, fds: 4, pendingClones: 0 });
  const printed = await run(process.execPath, [HARRIER, 'replay', capture, '--no-store']);
  assert.match(
    printed.stderr,
    /many-fds\.scap: the state's tables were full: 0 new threads, 4 descriptors and 0 fork children's fd copies were not kept; fields of their later events read <NA>\n/,
  );
});
