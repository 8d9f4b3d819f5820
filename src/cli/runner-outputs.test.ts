/**
 * The store and metrics that `replay` and `serve` start, through the command line: alerts a
 * replay stored come back from `harrier alerts` with their context, and a serve's `/metrics`
 * counts what was posted to its webhook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../config/index.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { storeSettings } from './alert-sink.js';
import { metricsAddress } from './metrics-endpoint.js';
import { startRunnerOutputs } from './runner-outputs.js';
import { silentLogger } from '../log.js';

const execFileAsync = promisify(execFile);
const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const FALCO_TESTS = corpusPath('falco/tests-0.34.1');
const CAT_WRITE = path.join(FALCO_TESTS, 'trace_files/cat_write.scap');
const AUDIT = (name: string) => path.join(FALCO_TESTS, 'trace_files/k8s_audit', `${name}.json`);
const CAT_RULES = ['single_rule.yaml', 'double_rule.yaml'].map((name) =>
  path.join(FALCO_TESTS, 'rules', name),
);

const AUDIT_RULE = `
- rule: Deployment created
  desc: a deployment is created
  condition: ka.verb = create and ka.target.resource = deployments
  output: "deployment %ka.target.name created by %ka.user.name"
  priority: NOTICE
  source: k8s_audit
`;

async function scratch(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'harrier-runner-outputs-'));
}

async function harrier(args: string[], env: Record<string, string> = {}) {
  return execFileAsync(process.execPath, [HARRIER, ...args], {
    env: { ...process.env, HARRIER_HOSTNAME: 'harrier-test-host', ...env },
    maxBuffer: 16 * 1024 * 1024,
    // A command that never exits (a server left listening) fails the test instead of hanging it.
    timeout: 60_000,
  });
}

interface FalcoAlert {
  rule: string;
  priority: string;
  source: string;
  time: string;
  output: string;
  output_fields: Record<string, unknown>;
}

interface StoredLine {
  id: string;
  alert: FalcoAlert;
  lineage: Record<string, unknown>[];
  recent: Record<string, unknown>[];
}

const jsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);

test('alerts a replay stored come back from harrier alerts exactly, with context, and every filter narrows', async () => {
  const directory = await scratch();
  const database = path.join(directory, 'alerts.db');
  const config = path.join(directory, 'harrier.yaml');
  // The default 30-day retention counts from when alerts are stored: 2016 alerts stay.
  await writeFile(config, `store:\n  path: ${database}\n`);
  const auditRules = path.join(directory, 'audit.yaml');
  await writeFile(auditRules, AUDIT_RULE);
  const rules = [...CAT_RULES, auditRules].flatMap((file) => ['-r', file]);
  const replayed = await harrier([
    'replay', ...rules, '-c', config, '--json', CAT_WRITE, AUDIT('create_deployment'),
  ]); // prettier-ignore
  const printed = jsonLines<FalcoAlert>(replayed.stdout);
  assert.equal(printed.length, 16);

  const search = async (...filters: string[]) =>
    jsonLines<StoredLine>((await harrier(['alerts', '-c', config, '--json', ...filters])).stdout);
  const sorted = (alerts: FalcoAlert[]) => alerts.map((alert) => JSON.stringify(alert)).sort();
  const expect = async (filters: string[], keep: (alert: FalcoAlert) => boolean) => {
    const found = await search(...filters);
    assert.deepEqual(
      sorted(found.map((line) => line.alert)),
      sorted(printed.filter(keep)),
      `harrier alerts ${filters.join(' ')}`,
    );
    return found;
  };

  const opens = await expect(
    ['--rule', 'open_from_cat'],
    (alert) => alert.rule === 'open_from_cat',
  );
  assert.equal(opens.length, 8);
  for (const { alert, lineage, recent } of opens) {
    assert.deepEqual(
      lineage.slice(0, 3).map((entry) => entry['proc.name']),
      ['cat', 'bash', 'emacs'],
    );
    assert.equal(lineage[0]?.['proc.cmdline'], 'cat /dev/null');
    // up to 16 events before the alert, its own event, and the execve when the ring passed it
    assert.ok(recent.length > 0 && recent.length <= 17);
    assert.ok(recent.every((event) => event['proc.pid'] === lineage[0]?.['proc.pid']));
    const numbers = recent.map((event) => Number(event['evt.num']));
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
    );
    const last = String(recent.at(-1)?.['evt.time.iso8601']).replace('+0000', 'Z');
    assert.equal(last, alert.time, 'the last recent event is the one that raised the alert');
  }
  const first = opens.at(-1)!;
  assert.ok(
    first.recent.some(
      (event) => event['evt.type'] === 'execve' && event['proc.cmdline'] === 'cat /dev/null',
    ),
    JSON.stringify(first.recent),
  );

  const byRank = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational'];
  const atLeast = (priority: string) => (alert: FalcoAlert) =>
    byRank.indexOf(alert.priority) <= byRank.indexOf(priority);
  assert.equal((await expect(['--priority', 'error'], atLeast('Error'))).length, 1);
  assert.equal((await expect(['--priority', 'warning'], atLeast('Warning'))).length, 9);
  assert.equal((await expect(['--priority', 'notice'], atLeast('Notice'))).length, 10);
  const audit = await expect(['--source', 'k8s_audit'], (alert) => alert.source === 'k8s_audit');
  assert.equal(audit.length, 1);
  assert.deepEqual([audit[0]?.lineage, audit[0]?.recent], [[], []]);
  await expect(['--source', 'syscall'], (alert) => alert.source === 'syscall');
  const split = '2016-08-04T16:17:57.882Z';
  const since = (alert: FalcoAlert) => Date.parse(alert.time) >= Date.parse(split);
  assert.equal((await expect(['--since', split], since)).length, 5);
  await expect(['--since', '2017-01-01T00:00:00Z'], (alert) => alert.source === 'k8s_audit');
  await expect(['--container', 'host'], (alert) => alert.source === 'syscall');
  await expect(['--container', 'f00d'], () => false);
  await expect(['--rule', '*_from_cat', '--priority', 'info', '--since', split], (alert) =>
    alert.rule.endsWith('_from_cat') && since(alert),
  ); // prettier-ignore
});

test('replay keeps the store within max_alerts, set here from the environment', async () => {
  const directory = await scratch();
  const config = path.join(directory, 'harrier.yaml');
  await writeFile(config, `store:\n  path: ${path.join(directory, 'alerts.db')}\n`);
  const replayed = await harrier(
    ['replay', ...CAT_RULES.flatMap((file) => ['-r', file]), '-c', config, '--json', CAT_WRITE],
    { HARRIER__STORE__RETENTION__MAX_AGE: '36500d', HARRIER__STORE__RETENTION__MAX_ALERTS: '5' },
  );
  const printed = jsonLines<FalcoAlert>(replayed.stdout);
  assert.equal(printed.length, 15);
  const kept = jsonLines<StoredLine>((await harrier(['alerts', '-c', config, '--json'])).stdout);
  assert.deepEqual(
    kept.map((line) => JSON.stringify(line.alert)),
    printed
      .slice(-5)
      .reverse()
      .map((alert) => JSON.stringify(alert)),
  );
});

test('replay without a store flag or configuration stores nothing; a store it cannot open stops it', async () => {
  const directory = await scratch();
  const plain = await harrier(['replay', '-r', CAT_RULES[0]!, CAT_WRITE]);
  assert.doesNotMatch(plain.stderr, /alert store open/);
  const blocked = path.join(directory, 'file');
  await writeFile(blocked, 'not a directory');
  await assert.rejects(
    harrier(['replay', '-r', CAT_RULES[0]!, '--store', path.join(blocked, 'alerts.db'), CAT_WRITE]),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(
        error.stderr,
        /^harrier replay: cannot open the alert store .*file\/alerts\.db: /m,
      );
      return true;
    },
  );
});

test('outputs whose state_dir does not exist are refused with the directory named', async () => {
  const text = 'state_dir: /proc/nope\noutputs:\n  - name: out\n    type: stdout\n';
  const { config } = loadConfig(text, 'harrier.yaml', {});
  assert.ok(config);
  const started = await startRunnerOutputs({
    flags: { store: false },
    config,
    route: true,
    print: () => {},
    storeByDefault: false,
    serveMetrics: false,
    logger: silentLogger(),
  });
  assert.equal(
    started,
    'cannot keep the output queues in state_dir /proc/nope: directory /proc/nope does not exist',
  );
});

const NO_PROBE = { ...process.env, HARRIER_PROBE_PATH: '/nonexistent/harrier-probe' };

test('--store with --no-store, and --metrics with --no-metrics, are usage errors (status 2)', async () => {
  const refused = async (args: string[]) =>
    // Without a probe loader, a run that accepted its flags by mistake stops at preflight.
    execFileAsync(process.execPath, [HARRIER, ...args], { env: NO_PROBE }).then(
      () => assert.fail(`accepted: ${args.join(' ')}`),
      (error: { code: number; stderr: string }) => [error.code, error.stderr.split('\n')[0]],
    );
  const store = path.join(await mkdtemp(path.join(tmpdir(), 'harrier-flags-')), 'x.db');
  assert.deepEqual(await refused(['replay', '--store', store, '--no-store', CAT_WRITE]), [
    2,
    "error: option '--store <file>' cannot be used with option '--no-store'",
  ]);
  assert.deepEqual(
    await refused(['run', '--no-store', '--metrics', '127.0.0.1:0', '--no-metrics']),
    [2, "error: option '--metrics <host:port>' cannot be used with option '--no-metrics'"],
  );
});

test('store and metrics settings: flags win over the configuration, which wins over defaults', () => {
  const { config } = loadConfig(
    'state_dir: /srv/h\nmetrics:\n  enabled: true\n  listen: 127.0.0.1:9999\n',
    'harrier.yaml',
    {},
  );
  assert.ok(config);
  assert.deepEqual(storeSettings(undefined, config, true), {
    path: '/srv/h/alerts.db',
    retention: { maxAgeMs: 30 * 86_400_000 },
    explicit: true,
  });
  // A command that stores nothing by default (replay) stores only for a store section.
  assert.equal(storeSettings(undefined, config, false), undefined);
  const withStore = loadConfig('store:\n  path: /srv/h/r.db\n', 'harrier.yaml', {}).config;
  assert.ok(withStore);
  assert.equal(storeSettings(undefined, withStore, false)?.path, '/srv/h/r.db');
  assert.equal(storeSettings(false, config, true), undefined);
  assert.equal(storeSettings('/tmp/x.db', undefined, false)?.path, '/tmp/x.db');
  assert.equal(storeSettings(undefined, undefined, false), undefined);
  assert.deepEqual(storeSettings(undefined, undefined, true), {
    path: '/var/lib/harrier/alerts.db',
    retention: { maxAgeMs: 30 * 86_400_000 },
    explicit: false,
  });
  assert.equal(metricsAddress(undefined, config), '127.0.0.1:9999');
  assert.equal(metricsAddress(false, config), undefined);
  assert.equal(metricsAddress('127.0.0.1:0', undefined), '127.0.0.1:0');
  assert.equal(metricsAddress(undefined, undefined), undefined);
});

/** A running `harrier serve` whose stderr is read for the addresses it bound. */
async function startServeProcess(args: string[]) {
  const child = spawn(process.execPath, [HARRIER, 'serve', ...args], {
    env: { ...process.env, HARRIER_HOSTNAME: 'harrier-test-host' },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 15_000;
  const bound = () => ({
    webhook: /audit webhook listening \(address=\S+ port=(\d+)/.exec(stderr)?.[1],
    metrics: /metrics endpoint listening \(.*url=([^\s)]+)/.exec(stderr)?.[1],
  });
  while (bound().webhook === undefined || bound().metrics === undefined) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { webhook, metrics } = bound();
  return {
    webhookUrl: `http://127.0.0.1:${webhook}/k8s-audit`,
    metricsUrl: metrics!,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Sample lines of a metrics page, by series. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(.+) (\S+)$/.exec(line);
    if (match !== null && !line.startsWith('#')) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

test('serve counts webhook events, rejects and alerts on /metrics and stores the alerts', async (t) => {
  const directory = await scratch();
  const database = path.join(directory, 'alerts.db');
  const config = path.join(directory, 'harrier.yaml');
  await writeFile(
    config,
    [
      `state_dir: ${directory}`,
      'outputs:',
      '  - name: screen',
      '    type: stdout',
      '    format: json',
      'store:',
      `  path: ${database}`,
      '  retention:',
      '    max_age: 36500d',
      'metrics:',
      '  enabled: true',
      '  listen: 127.0.0.1:0',
      '',
    ].join('\n'),
  );
  const rules = path.join(directory, 'audit.yaml');
  await writeFile(rules, AUDIT_RULE);
  const serve = await startServeProcess(['-r', rules, '-c', config, '--listen', '127.0.0.1:0']);
  t.after(() => serve.stop());

  const post = async (body: string) => {
    const response = await fetch(serve.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return response.status;
  };
  const event = (name: string) => readFile(AUDIT(name), 'utf8');
  // An EventList with one item the k8saudit plugin refuses: that record alone is dropped.
  const items = `[${await event('create_service')},{"kind":"Event"}]`;
  const list = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":${items}}`;
  assert.deepEqual(
    [
      await post(await event('create_deployment')),
      await post(await event('delete_deployment')),
      await post(list),
      await post(await event('create_deployment')),
      await post('{"kind": 0}'),
    ],
    [200, 200, 200, 200, 400],
  );

  let samples = await scrape(serve.metricsUrl);
  for (let waited = 0; samples.get('harrier_output_queue_depth{output="screen"}') !== 0; waited++) {
    assert.ok(waited < 100, 'the stdout output never emptied its queue');
    await new Promise((resolve) => setTimeout(resolve, 50));
    samples = await scrape(serve.metricsUrl);
  }
  const expected: Record<string, number> = {
    'harrier_events_total{source="k8s_audit",type="create"}': 3,
    'harrier_events_total{source="k8s_audit",type="delete"}': 1,
    // the list's bad item, and the body '{"kind": 0}' that holds no audit event at all
    'harrier_events_dropped_total{source="k8s_audit",reason="malformed"}': 2,
    'harrier_alerts_total{rule="Deployment created",priority="Notice"}': 2,
    'harrier_rule_evaluation_seconds_count{source="k8s_audit"}': 4,
    'harrier_output_deliveries_total{output="screen",result="delivered"}': 2,
    'harrier_output_queue_depth{output="screen"}': 0,
    'harrier_webhook_responses_total{status="200"}': 4,
    'harrier_webhook_responses_total{status="400"}': 1,
  };
  assert.deepEqual(
    Object.fromEntries(Object.keys(expected).map((series) => [series, samples.get(series)])),
    expected,
    JSON.stringify([...samples], null, 1),
  );

  assert.equal(await serve.stop(), 0);
  const printed = jsonLines<FalcoAlert>(serve.output().stdout);
  assert.deepEqual(
    printed.map((alert) => alert.output_fields['ka.target.name']),
    ['nginx-deployment', 'nginx-deployment'],
  );
  const stored = jsonLines<StoredLine>(
    (await harrier(['alerts', '--store', database, '--source', 'k8s_audit', '--json'])).stdout,
  );
  assert.deepEqual(
    stored.map((line) => [line.alert.rule, line.alert.output]),
    printed.map((alert) => [alert.rule, alert.output]),
  );
});

/** A scratch directory with the audit rule, and a loopback port another server holds. */
async function auditRulesAndTakenPort(t: { after: (fn: () => void) => void }) {
  const directory = await scratch();
  const rules = path.join(directory, 'audit.yaml');
  await writeFile(rules, AUDIT_RULE);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  return { directory, rules, port: (taken.address() as AddressInfo).port };
}

test('serve exits 2 when its webhook port is taken, its metrics endpoint closed again', async (t) => {
  const { rules, port } = await auditRulesAndTakenPort(t);
  const args = ['serve', '-r', rules, '--no-store', '--metrics', '127.0.0.1:0'];
  await assert.rejects(
    harrier([...args, '--listen', `127.0.0.1:${port}`]),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /metrics endpoint listening/);
      assert.match(
        error.stderr,
        new RegExp(
          `^harrier serve: cannot start the audit webhook on 127\\.0\\.0\\.1:${port}: the address is already in use$`,
          'm',
        ),
      );
      return true;
    },
  );
});

test('serve with its metrics port taken exits 2 saying so, before any store file is made', async (t) => {
  const { directory, rules, port } = await auditRulesAndTakenPort(t);
  const store = path.join(directory, 'alerts.db');
  const args = ['serve', '-r', rules, '--store', store, '--listen', '127.0.0.1:0'];
  await assert.rejects(
    harrier([...args, '--metrics', `127.0.0.1:${port}`]),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(
        error.stderr,
        new RegExp(
          `^harrier serve: cannot serve metrics on 127\\.0\\.0\\.1:${port}: the address is already in use$`,
          'm',
        ),
      );
      assert.doesNotMatch(error.stderr, /alert store open/);
      return true;
    },
  );
  assert.equal(existsSync(store), false, 'no store file left behind');
});
