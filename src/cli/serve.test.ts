import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { Command } from 'commander';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  parseListen,
  registerServeCommand,
  startServe,
  type RunningServe,
  type ServeOptions,
} from './serve.js';
import {
  caseTracePath,
  countByRule,
  falcoAuditCases,
  loadCaseRules,
} from './falco-k8s-audit-cases.js';
import type { Alert } from '../alerts/alert.js';
import { createHarrierMetrics } from '../api/metrics.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { writeCloudTrailFile } from '../testing/cloudtrail-file.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

interface Reply {
  status: number;
  body: string;
}

function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  ca?: Buffer,
): Promise<Reply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const allHeaders = { 'content-type': 'application/json', ...headers };
    const request = send(url, { method: 'POST', headers: allHeaders, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function serveWith(
  options: Partial<ServeOptions>,
  alerts: Alert[] = [],
): Promise<RunningServe> {
  const ruleSet = options.ruleSet ?? (await loadCaseRules(falcoAuditCases[0]));
  return startServe({
    listen: '127.0.0.1:0',
    ...options,
    ruleSet,
    onAlert: (alert) => alerts.push(alert),
  });
}

function traceLines(trace: string): string[] {
  return readFileSync(trace, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** A deployment-creating audit event from the corpus: one `K8s Deployment Created` alert. */
const sampleEvent = JSON.parse(
  traceLines(
    caseTracePath(falcoAuditCases.find((entry) => entry.name === 'create_deployment')!),
  )[0],
) as Record<string, unknown>;

function eventList(items: unknown[]): string {
  return JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
}

for (const auditCase of falcoAuditCases.filter((entry) => entry.name !== 'fal_01_003')) {
  test(`webhook gives Falco's alerts for case ${auditCase.name}, events posted one by one and as one EventList`, async () => {
    const ruleSet = await loadCaseRules(auditCase);
    const lines = traceLines(caseTracePath(auditCase));
    const oneByOne: Alert[] = [];
    const single = await serveWith({ ruleSet }, oneByOne);
    for (const line of lines) assert.equal((await post(single.webhook!.url, line)).status, 200);
    await single.stop();
    assert.deepEqual(countByRule(oneByOne.map((alert) => alert.rule)), auditCase.expected);

    const batched: Alert[] = [];
    const batch = await serveWith({ ruleSet }, batched);
    const reply = await post(batch.webhook!.url, eventList(lines.map((line) => JSON.parse(line))));
    await batch.stop();
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), {
      received: lines.length,
      processed: lines.length,
      rejected: 0,
    });
    assert.deepEqual(countByRule(batched.map((alert) => alert.rule)), auditCase.expected);
  });
}

test('webhook answers 400 with the plugin reason for fal_01_003 and processes nothing', async () => {
  const running = await serveWith({});
  const reply = await post(running.webhook!.url, '{"kind": 0}');
  await running.stop();
  assert.equal(reply.status, 400);
  assert.equal(reply.body, 'data not recognized as a k8s audit event\n');
  assert.equal(running.webhook!.counters.eventsProcessed, 0);
});

test('a body that is no audit event counts as a malformed record, as a bad batch item does (F21)', async () => {
  const metrics = createHarrierMetrics();
  const running = await serveWith({ metrics });
  const whole = await post(running.webhook!.url, '{"kind": 0}');
  const item = await post(running.webhook!.url, eventList([{ kind: 0 }]));
  await running.stop();
  assert.deepEqual([whole.status, item.status], [400, 200]);
  assert.deepEqual(running.detection.stats.k8s_audit, {
    received: 2,
    processed: 0,
    rejected: 2,
    alerts: 0,
  });
  const exposition = metrics.registry.render();
  assert.match(
    exposition,
    /^harrier_events_dropped_total\{source="k8s_audit",reason="malformed"\} 2$/m,
  );
});

test('webhook answers 400 with the JSON fault and its position for a body that is not JSON, 415 for another type', async () => {
  const running = await serveWith({});
  const reply = await post(running.webhook!.url, '{"kind": "EventList",\n "items": [}');
  const wrongType = await post(running.webhook!.url, eventList([sampleEvent]), {
    'content-type': 'text/plain',
  });
  await running.stop();
  assert.equal(reply.status, 400);
  assert.match(reply.body, /^invalid JSON: .+ at line 2 column 12\n$/);
  assert.equal(wrongType.status, 415);
  assert.match(wrongType.body, /wrong content type/);
  // The body that is not JSON counts as one rejected record; the refused type is no record.
  assert.deepEqual(running.detection.stats.k8s_audit, {
    received: 1,
    processed: 0,
    rejected: 1,
    alerts: 0,
  });
});

test('webhook answers 413 to a body over the limit, declared or streamed, and keeps serving', async () => {
  const running = await serveWith({ maxBodyBytes: 2048 });
  const url = running.webhook!.url;
  const big = eventList([sampleEvent, sampleEvent, sampleEvent]);
  assert.ok(big.length > 2048);
  const declared = await post(url, big);
  const streamed = await new Promise<Reply>((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: '' }));
      },
    );
    request.on('error', reject);
    for (let i = 0; i < 3; i++) request.write(big.slice(i * 1000, (i + 1) * 1000));
    request.end(big.slice(3000));
  });
  const small = await post(url, JSON.stringify(sampleEvent));
  await running.stop();
  assert.equal(declared.status, 413);
  assert.equal(streamed.status, 413);
  assert.equal(small.status, 200);
  assert.deepEqual(running.detection.stats.k8s_audit, {
    received: 1,
    processed: 1,
    rejected: 0,
    alerts: 1,
  });
});

test('webhook with a token answers 401 to a wrong or missing token and processes nothing', async () => {
  const running = await serveWith({ token: 's3cret-token' });
  const url = running.webhook!.url;
  const body = eventList([sampleEvent]);
  const wrong = await post(url, body, { authorization: 'Bearer wrong-token!' });
  const missing = await post(url, body);
  assert.equal(wrong.status, 401);
  assert.equal(missing.status, 401);
  assert.equal(running.detection.stats.k8s_audit.received, 0);
  const right = await post(url, body, { authorization: 'Bearer s3cret-token' });
  await running.stop();
  assert.equal(right.status, 200);
  assert.equal(running.detection.stats.k8s_audit.processed, 1);
  assert.equal(running.webhook!.counters.responses.get(401), 2);
});

test('webhook serves HTTPS with a self-signed certificate', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-tls-'));
  const key = path.join(directory, 'key.pem');
  const cert = path.join(directory, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const alerts: Alert[] = [];
  const running = await serveWith(
    { tls: { cert: readFileSync(cert), key: readFileSync(key) } },
    alerts,
  );
  const url = running.webhook!.url;
  const reply = await post(url, eventList([sampleEvent]), {}, readFileSync(cert));
  const untrusted = post(url, eventList([sampleEvent]));
  await assert.rejects(untrusted, /self[- ]signed/);
  await running.stop();
  assert.ok(url.startsWith('https://127.0.0.1:'));
  assert.equal(reply.status, 200);
  assert.deepEqual(
    alerts.map((alert) => alert.rule),
    ['K8s Deployment Created'],
  );
});

test('a burst of concurrent batches has every event accounted for', async () => {
  const alerts: Alert[] = [];
  const running = await serveWith({}, alerts);
  const batches = 40;
  const perBatch = 25;
  const bodies = Array.from({ length: batches }, (_, batch) =>
    eventList(
      Array.from({ length: perBatch }, (_, index) => {
        // Every fifth event lacks its stageTimestamp and must be rejected, not lost.
        if (index % 5 === 4)
          return { ...sampleEvent, stageTimestamp: undefined, auditID: `bad-${batch}-${index}` };
        return { ...sampleEvent, auditID: `ok-${batch}-${index}` };
      }),
    ),
  );
  const replies = await Promise.all(bodies.map((body) => post(running.webhook!.url, body)));
  await running.stop();
  assert.ok(replies.every((reply) => reply.status === 200));
  const counters = running.webhook!.counters;
  assert.equal(counters.eventsReceived, batches * perBatch);
  assert.equal(counters.eventsProcessed, batches * perBatch * 0.8);
  assert.equal(counters.eventsRejected, batches * perBatch * 0.2);
  assert.deepEqual(running.detection.stats.k8s_audit, {
    received: 1000,
    processed: 800,
    rejected: 200,
    alerts: 800,
  });
  assert.equal(alerts.length, 800);
});

test('parseListen reads host:port, a bare port and bracketed IPv6', () => {
  assert.deepEqual(parseListen('0.0.0.0:9765'), { host: '0.0.0.0', port: 9765 });
  assert.deepEqual(parseListen('8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListen('[::1]:443'), { host: '::1', port: 443 });
  assert.throws(() => parseListen('host:99999'), {
    name: 'RangeError',
    message: "listen: port 99999 is out of range (0 to 65535) in 'host:99999'",
  });
});

test('serve help offers no option that serve refuses (no --syscalls)', () => {
  const program = new Command();
  registerServeCommand(program);
  const help = program.commands.find((command) => command.name() === 'serve')!.helpInformation();
  assert.match(help, /--audit-log <file>/);
  assert.doesNotMatch(help, /--syscalls/);
});

/** Runs `harrier serve` with `args` until its webhook listens, stops it, gives stderr. */
async function serveStderr(args: string[]): Promise<string> {
  const rules = corpusPath('falco/rules/k8s_audit_rules.yaml');
  const options = ['-r', rules, '--listen', '127.0.0.1:0', '--no-store', ...args];
  const child = spawn(process.execPath, [HARRIER, 'serve', ...options]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 20_000;
  while (!stderr.includes('audit webhook listening') && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGTERM');
  await exited;
  return stderr;
}

test('serve logs readable lines and a text stop summary, NDJSON under --json', async () => {
  const text = await serveStderr([]);
  assert.ok(!text.split('\n').some((line) => line.startsWith('{')), text);
  assert.match(text, /^\S+ INFO cli\.serve: rules loaded \(count=\d+ /m);
  assert.ok(
    text.endsWith('harrier serve: stopped\n  no records received\n  webhook: 0 requests\n'),
    text,
  );

  const json = await serveStderr(['--json']);
  const lines = json
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  assert.deepEqual([lines[0].msg, lines.at(-1)?.msg], ['rules loaded', 'stopped']);
});

/** A warn-level logger whose lines are kept, parsed. */
function keptWarnings(): { logger: Logger; lines: { msg: string; file?: string }[] } {
  const lines: { msg: string; file?: string }[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => done(void lines.push(JSON.parse(String(chunk)))),
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

/** Waits until `done()` holds, checking every 50 ms; fails after 10 s. */
async function waitFor(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a missing audit log is waited for with one warning, then read from its first line', async () => {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-serve-log-')), 'audit.log');
  const { logger, lines } = keptWarnings();
  const alerts: Alert[] = [];
  const running = await serveWith({ webhook: false, auditLogs: [log], logger }, alerts);
  writeFileSync(log, `${JSON.stringify(sampleEvent)}\n`);
  await waitFor(() => alerts.length === 1, 'the alert of the new log');
  await running.stop();
  assert.deepEqual(lines, [
    {
      level: 40,
      time: (lines[0] as { time?: number }).time,
      pid: process.pid,
      hostname: (lines[0] as { hostname?: string }).hostname,
      file: log,
      msg: 'audit log does not exist yet; reading it from its start once created',
    },
  ]);
  assert.deepEqual(
    alerts.map((alert) => alert.rule),
    ['K8s Deployment Created'],
  );
});

test('an audit log that turns into a directory is warned about once, not at every check', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-serve-log-'));
  const log = path.join(directory, 'audit.log');
  writeFileSync(log, '');
  const { logger, lines } = keptWarnings();
  const running = await serveWith({ webhook: false, auditLogs: [log], logger });
  renameSync(log, path.join(directory, 'audit.log.1'));
  mkdirSync(log);
  await waitFor(() => lines.length > 0, 'the read failure');
  // The follower checks every 200 ms: five more checks fail the same way.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await running.stop();
  assert.deepEqual(
    lines.map((line) => line.msg),
    ['audit log read failed; retrying at every check'],
  );
});

test('a CloudTrail directory removed while served is warned about once, again after it came back', async () => {
  const trail = mkdtempSync(path.join(tmpdir(), 'harrier-serve-trail-'));
  const { logger, lines } = keptWarnings();
  const running = await serveWith({ webhook: false, cloudTrail: [trail], logger });
  const warnings = () => lines.filter((line) => line.file === trail).map((line) => line.msg);
  const warning = 'CloudTrail directory scan failed; retrying at the next scan';
  try {
    rmSync(trail, { recursive: true });
    await waitFor(() => warnings().length > 0, 'the scan failure');
    // The directory is scanned every second: two more scans fail the same way.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    assert.deepEqual(warnings(), [warning]);
    // A scan that works again ends the failure: the next removal is warned about anew.
    mkdirSync(trail);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    rmSync(trail, { recursive: true });
    await waitFor(() => warnings().length > 1, 'the second scan failure');
  } finally {
    await running.stop();
  }
  assert.deepEqual(warnings(), [warning, warning]);
});

/** A loopback port free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a source that cannot start leaves nothing listening and names the path', async () => {
  const port = await freePort();
  const missing = path.join(tmpdir(), 'harrier-no-such-trail-dir');
  await assert.rejects(
    serveWith({ listen: `127.0.0.1:${port}`, cloudTrail: [missing] }),
    new RegExp(`^Error: cannot read the CloudTrail path ${missing}: ENOENT`),
  );
  // The port is free again: the webhook did not start, or was stopped.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => probe.close(resolve));
});

test('a webhook that cannot listen stops the audit log follower already started', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as { port: number };
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-serve-log-')), 'audit.log');
  writeFileSync(log, '');
  const alerts: Alert[] = [];
  await assert.rejects(serveWith({ listen: `127.0.0.1:${port}`, auditLogs: [log] }, alerts), {
    message: `cannot start the audit webhook on 127.0.0.1:${port}: the address is already in use`,
  });
  await new Promise((resolve) => taken.close(resolve));
  writeFileSync(log, `${JSON.stringify(sampleEvent)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(alerts.length, 0);
});

test('serve with CloudTrail files only stops once they are read, with its summary and status 0', async () => {
  const trail = writeCloudTrailFile(mkdtempSync(path.join(tmpdir(), 'harrier-serve-ct-')), 3);
  const args = ['serve', '-r', path.join(repositoryRoot, 'rules'), '--no-store', '--no-webhook'];
  const child = spawn(process.execPath, [HARRIER, ...args, '--cloudtrail', trail], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.match(stderr, /INFO cli\.serve: every source has ended; stopping\n/);
  assert.ok(
    stderr.endsWith(
      'harrier serve: stopped\n  aws_cloudtrail: 3 records, 3 processed, 0 rejected, 0 alerts\n',
    ),
    stderr,
  );
  assert.equal(status, 0);
});

/** A one-rule k8s_audit rule file: `name` fires on every `create`, `output` prefixed. */
function auditRule(name: string, output: string): string {
  return [
    `- rule: ${name}`,
    '  desc: test rule',
    '  condition: ka.verb=create',
    `  output: ${output} (user=%ka.user.name)`,
    '  priority: WARNING',
    '  source: k8s_audit',
    '',
  ].join('\n');
}

test(
  "SIGHUP reloads serve's rules and -c rule settings; a broken file keeps the running ones, and serve goes on (F2)",
  { timeout: 60_000 },
  async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'harrier-serve-hup-'));
    const rules = path.join(directory, 'rules.yaml');
    const config = path.join(directory, 'harrier.yaml');
    writeFileSync(rules, auditRule('First rule', 'first'));
    writeFileSync(config, 'append_output:\n  - extra_output: "[v1]"\n');
    const args = ['serve', '-r', rules, '-c', config, '--listen', '127.0.0.1:0', '--no-store'];
    const child = spawn(process.execPath, [HARRIER, ...args, '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    const logLines = () =>
      stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(
      () => logLines().some((line) => line.msg === 'audit webhook listening'),
      'listening',
    );
    const { port } = logLines().find((line) => line.msg === 'audit webhook listening')!;
    const url = `http://127.0.0.1:${String(port)}/k8s-audit`;
    const alertOutputs = () =>
      stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { output: string }).output);
    const postAndWait = async (count: number) => {
      assert.equal((await post(url, JSON.stringify(sampleEvent))).status, 200);
      await waitFor(() => alertOutputs().length === count, `alert ${count}`);
    };
    const reloaded = (count: number, msg: string) =>
      waitFor(() => logLines().filter((line) => line.msg === msg).length === count, msg);

    await postAndWait(1);
    writeFileSync(rules, auditRule('Second rule', 'second'));
    writeFileSync(config, 'append_output:\n  - extra_output: "[v2]"\n');
    child.kill('SIGHUP');
    await reloaded(1, 'rules reloaded; serving went on');
    await postAndWait(2);
    writeFileSync(rules, '- rule: Broken\n  condition: ka.verb=\n');
    child.kill('SIGHUP');
    await reloaded(1, 'rule reload failed; the running rules stay in place');
    await postAndWait(3);
    child.kill('SIGTERM');
    const status = await exited;

    assert.equal(status, 0);
    assert.deepEqual(
      alertOutputs().map((output) => output.replace(/^\S+: Warning /, '')),
      [
        'first (user=minikube-user) [v1]',
        'second (user=minikube-user) [v2]',
        'second (user=minikube-user) [v2]',
      ],
    );
    const summary = logLines().at(-1)!;
    assert.deepEqual([summary.msg, summary.reloads, summary.failedReloads], ['stopped', 1, 1]);
  },
);
