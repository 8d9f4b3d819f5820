import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createProgramDestination } from './program.js';
import { neverAbort, testContext } from '../../testing/loopback.js';

const alerts = (from: number) =>
  [from, from + 1].map((sequence) => ({
    id: `${sequence}`,
    attempts: 0,
    alert: sampleAlert({ sequence }),
  }));

function tempFile(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-program-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'out');
}

test('runs the command per batch with Falco JSON lines on stdin', async (t) => {
  const out = tempFile(t);
  const destination = createProgramDestination({ command: `cat >> '${out}'` }, testContext());
  await destination.send(alerts(1), neverAbort);
  await destination.send(alerts(3), neverAbort);
  const pids = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).output_fields['proc.pid']);
  assert.deepEqual(pids, [1, 2, 3, 4]);
});

test('a non-zero exit status is a retryable failure', async () => {
  const destination = createProgramDestination(
    { command: 'cat > /dev/null; exit 3' },
    testContext(),
  );
  await assert.rejects(destination.send(alerts(1), neverAbort), {
    name: 'DeliveryError',
    retryable: true,
    message: /exited with 3/,
  });
});

test('keep_alive feeds one long-running command, text lines from the template', async (t) => {
  const out = tempFile(t);
  const destination = createProgramDestination(
    { command: `exec cat >> '${out}'`, format: 'text', keepAlive: true },
    testContext('{{rule}} {{proc.pid}}'),
  );
  await destination.send(alerts(1), neverAbort);
  await destination.send(alerts(3), neverAbort);
  await destination.close();
  assert.equal(
    readFileSync(out, 'utf8'),
    [1, 2, 3, 4].map((pid) => `Terminal shell in container ${pid}\n`).join(''),
  );
});
