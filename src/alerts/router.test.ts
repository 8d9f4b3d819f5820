import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertRouter, type OutputSpec } from './router.js';
import { sampleAlert } from '../testing/sample-alert.js';
import { startCaptureServer, type CapturedRequest } from '../testing/loopback.js';

const fastRetry = { initialDelayMs: 20, maxDelayMs: 150 };

function hook(url: string, extra: Partial<OutputSpec> = {}): OutputSpec {
  return {
    name: 'hook',
    type: 'webhook',
    options: { url, concurrency: 1 },
    timeoutMs: 300,
    retry: fastRetry,
    ...extra,
  };
}

function pids(requests: readonly CapturedRequest[]): number[] {
  return requests.map((request) => JSON.parse(request.body).output_fields['proc.pid'] as number);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-router-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('delivers each alert once as Falco JSON with a stable Harrier-Alert-Id header', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const router = new AlertRouter({ outputs: [hook(server.url)] });
  for (const sequence of range(5)) router.deliver(sampleAlert({ sequence }));
  assert.equal(await router.flush(5000), true);
  await router.close();

  assert.deepEqual(pids(server.accepted), range(5));
  const first = server.accepted[0]!;
  assert.equal(first.headers['content-type'], 'application/json');
  assert.match(String(first.headers['harrier-alert-id']), /^[0-9a-f-]{36}$/);
  assert.equal(JSON.parse(first.body).rule, 'Terminal shell in container');
  assert.equal(new Set(server.accepted.map((r) => r.headers['harrier-alert-id'])).size, 5);
});

test('every alert arrives after the destination returns 500s, times out, refuses, then recovers', async (t) => {
  let seen = 0;
  const down = await startCaptureServer(() => {
    seen++;
    if (seen <= 4) return { status: 500, body: 'boom' };
    if (seen <= 6) return 'hang';
    return 'destroy';
  });
  const router = new AlertRouter({ outputs: [hook(down.url)] });
  t.after(() => router.close());
  for (const sequence of range(20)) router.deliver(sampleAlert({ sequence }));

  while (seen < 7) await new Promise((resolve) => setTimeout(resolve, 20));
  await down.close();
  await new Promise((resolve) => setTimeout(resolve, 300)); // connections refused meanwhile
  const up = await startCaptureServer(undefined, down.port);
  t.after(() => up.close());

  assert.equal(await router.flush(15_000), true);
  assert.deepEqual(
    [...new Set(pids(up.accepted))].sort((a, b) => a - b),
    range(20),
  );
  const stats = router.stats().outputs.hook!;
  assert.equal(stats.delivered, 20);
  assert.equal(stats.depth, 0);
  assert.ok(stats.failures >= 7, `failures ${stats.failures}`);
  assert.equal(down.accepted.length, 0);
});

test('a new router on the same state dir sends what the previous one left queued', async (t) => {
  const stateDir = tempDir(t);
  const server = await startCaptureServer(() => ({ status: 503 }));
  t.after(() => server.close());
  const first = new AlertRouter({ stateDir, outputs: [hook(server.url)] });
  for (const sequence of range(10)) first.deliver(sampleAlert({ sequence }));
  assert.equal(await first.flush(200), false);
  await first.close();

  server.responder = () => ({ status: 200 });
  const second = new AlertRouter({ stateDir, outputs: [hook(server.url)] });
  assert.equal(await second.flush(10_000), true);
  const stats = second.stats().outputs.hook!;
  await second.close();
  assert.deepEqual(pids(server.accepted), range(10));
  assert.equal(stats.delivered, 10);
  // Webhooks send one alert at a time: only the head of the queue had been attempted before
  // the restart, so it alone counts as a possible duplicate.
  assert.equal(stats.possibleDuplicates, 1);
});

test('a full queue counts the overflow and reports it as a Critical alert once room frees', async (t) => {
  const server = await startCaptureServer(() => ({ status: 503 }));
  t.after(() => server.close());
  const router = new AlertRouter({ outputs: [hook(server.url, { queueSize: 5 })], hostname: 'h1' });
  t.after(() => router.close());
  for (const sequence of range(12)) router.deliver(sampleAlert({ sequence }));
  assert.equal(router.stats().outputs.hook!.dropped, 7);
  assert.equal(router.stats().outputs.hook!.depth, 5);

  server.responder = () => ({ status: 200 });
  assert.equal(await router.flush(10_000), true);
  const bodies = server.accepted.map((request) => JSON.parse(request.body));
  assert.equal(bodies.length, 6);
  const overflow = bodies.find((body) => body.rule === 'Harrier output queue overflow');
  assert.equal(overflow.priority, 'Critical');
  assert.equal(overflow.hostname, 'h1');
  assert.equal(overflow.output_fields['harrier.dropped'], 7);
  assert.equal(overflow.output_fields['harrier.output'], 'hook');
});

test('alerts a destination refuses with 400 are set aside and do not block the rest', async (t) => {
  const server = await startCaptureServer((request) =>
    JSON.parse(request.body).output_fields['proc.pid'] === 1
      ? { status: 400, body: 'bad' }
      : { status: 200 },
  );
  t.after(() => server.close());
  const router = new AlertRouter({ outputs: [hook(server.url)] });
  for (const sequence of range(3)) router.deliver(sampleAlert({ sequence }));
  assert.equal(await router.flush(5000), true);
  const stats = router.stats().outputs.hook!;
  await router.close();
  assert.deepEqual(pids(server.accepted), [0, 2]);
  assert.equal(stats.rejected, 1);
  assert.equal(stats.delivered, 2);
});

test('outputs get only alerts that pass their own filters and the global minimum priority', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const router = new AlertRouter({
    minPriority: 'Notice',
    outputs: [
      hook(`${server.url}/critical`, { name: 'critical', minPriority: 'Critical' }),
      hook(`${server.url}/k8s`, { name: 'k8s', sources: ['k8s_audit'] }),
    ],
  });
  router.deliver(sampleAlert({ sequence: 1, priority: 'Critical' }));
  router.deliver(sampleAlert({ sequence: 2, priority: 'Notice', source: 'k8s_audit' }));
  router.deliver(sampleAlert({ sequence: 3, priority: 'Debug', source: 'k8s_audit' }));
  assert.equal(await router.flush(5000), true);
  const stats = router.stats();
  await router.close();
  const byPath = (p: string): number[] => pids(server.accepted.filter((r) => r.path === p));
  assert.deepEqual(byPath('/critical'), [1]);
  assert.deepEqual(byPath('/k8s'), [2]);
  assert.equal(stats.belowPriority, 1);
  assert.equal(stats.received, 3);
});

/** Runs the crash fixture; resolves with its stdout once `until` matches it. */
function runFixture(
  args: string[],
  until: RegExp,
): { child: ChildProcess; output: Promise<string> } {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'router-crash-fixture.js');
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (until.test(text)) resolve(text);
    });
    child.on('exit', (code, signal) =>
      until.test(text) ? resolve(text) : reject(new Error(`fixture exited ${code ?? signal}`)),
    );
  });
  return { child, output };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

test('kill -9 while the destination is down, then restarts: every alert arrives, duplicates counted', async (t) => {
  const stateDir = tempDir(t);
  const probe = await startCaptureServer();
  const port = probe.port;
  await probe.close(); // nothing listens on the port: connections are refused
  const url = `http://127.0.0.1:${port}/`;

  const first = runFixture([stateDir, url, '300', 'hold'], /queued\n/);
  await first.output;
  await new Promise((resolve) => setTimeout(resolve, 200));
  first.child.kill('SIGKILL');
  await exited(first.child);

  // The second run dies the moment its first request reaches the destination: that alert
  // arrived but was never acknowledged, so the third run sends it again.
  const running: { second?: ChildProcess } = {};
  const server = await startCaptureServer(() => {
    const second = running.second;
    if (second !== undefined && second.exitCode === null && second.signalCode === null)
      second.kill('SIGKILL');
    return { status: 200 };
  }, port);
  t.after(() => server.close());
  const secondRun = runFixture([stateDir, url, '0', 'hold'], /queued\n/);
  running.second = secondRun.child;
  await exited(secondRun.child);

  const third = runFixture([stateDir, url, '0', 'drain'], /\}\n/);
  const stats = JSON.parse(await third.output).hook;
  await exited(third.child);

  const ids = server.accepted.map((request) => String(request.headers['harrier-alert-id']));
  const unique = new Set(ids);
  assert.deepEqual(
    [...new Set(pids(server.accepted))].sort((a, b) => a - b),
    range(300),
  );
  assert.equal(unique.size, 300);
  const duplicates = ids.length - unique.size;
  assert.ok(duplicates >= 1, 'the alert in flight at the kill arrives twice');
  assert.ok(
    stats.possibleDuplicates >= duplicates,
    `counted ${stats.possibleDuplicates}, seen ${duplicates}`,
  );
  assert.equal(stats.depth, 0);
});
