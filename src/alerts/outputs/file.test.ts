import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleAlert } from '../../testing/sample-alert.js';
import { formatAlertJson } from '../format.js';
import { createFileDestination } from './file.js';
import { neverAbort, testContext } from '../../testing/loopback.js';
import { capturingLogger } from '../../testing/capturing-logger.js';

function deliveries(from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: `${from + index}`,
    attempts: 0,
    alert: sampleAlert({ sequence: from + index }),
  }));
}

test('appends Falco JSON lines and rotates by size, keeping the configured number of files', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.jsonl');
  const destination = createFileDestination({ path: file, maxBytes: 1500, keep: 2 }, testContext());
  for (let batch = 0; batch < 8; batch++)
    await destination.send(deliveries(batch * 2, 2), neverAbort);
  await destination.close();

  const read = (name: string): number[] =>
    readFileSync(name, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).output_fields['proc.pid']);
  const current = read(file);
  const previous = read(`${file}.1`);
  const older = read(`${file}.2`);
  assert.equal(existsSync(`${file}.3`), false);
  for (const name of [file, `${file}.1`, `${file}.2`]) assert.ok(readFileSync(name).length <= 1500);
  // The newest alerts are in the file itself, older ones in .1 then .2, nothing reordered.
  const all = [...older, ...previous, ...current];
  assert.deepEqual(
    all,
    Array.from({ length: all.length }, (_, index) => 16 - all.length + index),
  );
  assert.equal(current.at(-1), 15);
});

test('text format writes the template', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.log');
  const destination = createFileDestination(
    { path: file, format: 'text' },
    testContext('{{rule}}: {{proc.pid}}'),
  );
  await destination.send(deliveries(3, 2), neverAbort);
  await destination.close();
  assert.equal(
    readFileSync(file, 'utf8'),
    'Terminal shell in container: 3\nTerminal shell in container: 4\n',
  );
});

test('the alert file and its rotated files are made readable by their owner only', async (t) => {
  const umask = process.umask(0o022);
  t.after(() => process.umask(umask));
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.jsonl');
  const destination = createFileDestination({ path: file, maxBytes: 1500 }, testContext());
  for (let batch = 0; batch < 4; batch++)
    await destination.send(deliveries(batch * 2, 2), neverAbort);
  await destination.close();
  for (const name of [file, `${file}.1`])
    assert.equal((statSync(name).mode & 0o777).toString(8), '600');
});

test('an existing 0644 alert file is made 0600 when first appended to, with one warning', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.jsonl');
  writeFileSync(file, `${formatAlertJson(sampleAlert())}\n`);
  chmodSync(file, 0o644);
  const { logger, lines } = capturingLogger();
  const destination = createFileDestination({ path: file }, { ...testContext(), logger });

  await destination.send(deliveries(1, 1), neverAbort);
  await destination.send(deliveries(2, 1), neverAbort);
  await destination.close();

  assert.equal((statSync(file).mode & 0o777).toString(8), '600');
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 4);
  assert.deepEqual(
    lines.map((line) => [line.level, line.files, line.previousModes]),
    [[40, [file], ['0644']]],
  );
});

test("a 0644 file of Falco text alert lines is Harrier's: made 0600", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.txt');
  writeFileSync(file, '2018-10-25T13:58:49.736141000+0000: Notice K8s Secret Created (user=a)\n');
  chmodSync(file, 0o644);
  const { logger } = capturingLogger();
  const destination = createFileDestination({ path: file }, { ...testContext(), logger });

  await destination.send(deliveries(1, 1), neverAbort);
  await destination.close();

  assert.equal((statSync(file).mode & 0o777).toString(8), '600');
});

test('a 0644 file that does not start with an alert line keeps its mode, with a warning (F1)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'hosts');
  writeFileSync(file, '127.0.0.1 localhost\n');
  chmodSync(file, 0o644);
  const { logger, lines } = capturingLogger();
  const destination = createFileDestination({ path: file }, { ...testContext(), logger });

  await destination.send(deliveries(1, 1), neverAbort);
  await destination.close();

  assert.equal((statSync(file).mode & 0o777).toString(8), '644');
  assert.deepEqual(
    lines.map((line) => [line.level, line.file, line.mode]),
    [[40, file, '0644']],
  );
  assert.match(String(lines[0].msg), /could not be made 0600; using it as it is/);
  assert.match((lines[0].err as Error).message, /does not start with an alert line/);
});

test(
  "another user's 0644 alert file is appended to as it is, warned about once (needs root)",
  { skip: process.getuid?.() !== 0 && 'needs root to give a file to another user' },
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'harrier-file-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'alerts.jsonl');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    chownSync(file, 65534, 65534);
    const { logger, lines } = capturingLogger();
    const destination = createFileDestination({ path: file }, { ...testContext(), logger });

    await destination.send(deliveries(1, 1), neverAbort);
    await destination.send(deliveries(2, 1), neverAbort);
    await destination.close();

    assert.equal((statSync(file).mode & 0o777).toString(8), '644');
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 3);
    assert.deepEqual(
      lines.map((line) => [line.level, line.file, line.mode]),
      [[40, file, '0644']],
    );
    assert.match((lines[0].err as { message: string }).message, /belongs to uid 65534/);
  },
);
