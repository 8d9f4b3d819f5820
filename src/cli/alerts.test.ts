import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleAlert } from '../testing/sample-alert.js';
import { AlertStore } from '../store/index.js';
import { repositoryRoot } from '../testing/corpus.js';
import { runAlertsCommand } from './alerts.js';

const base = 1_714_564_800_000; // 2024-05-01T12:00:00Z

function fixtureStore(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-cli-alerts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'alerts.db');
  const store = new AlertStore({ path: file });
  const at = (minutes: number): bigint => BigInt(base + minutes * 60_000) * 1_000_000n;
  store.record('old', sampleAlert({ sequence: 1, time: at(0), priority: 'Critical' }), {
    lineage: [{ 'proc.name': 'bash' }],
  });
  store.record(
    'k8s',
    sampleAlert({ sequence: 2, time: at(50), source: 'k8s_audit', rule: 'Attach to pod' }),
  );
  store.record('new', sampleAlert({ sequence: 3, time: at(55), containerId: 'beef00000001' }));
  store.close();
  return file;
}

function run(options: Parameters<typeof runAlertsCommand>[0]): { status: number; lines: string[] } {
  let text = '';
  const status = runAlertsCommand(options, (chunk) => (text += chunk), base + 60 * 60_000);
  return { status, lines: text.split('\n').filter((line) => line !== '') };
}

test('lists matching alerts newest first with their ids', (t) => {
  const store = fixtureStore(t);
  const ids = (options: Parameters<typeof runAlertsCommand>[0]) =>
    run({ store, brief: true, ...options }).lines.map((line) => /\[id (\w+)\]$/.exec(line)?.[1]);
  assert.deepEqual(ids({}), ['new', 'k8s', 'old']);
  assert.deepEqual(ids({ since: '30m' }), ['new', 'k8s']);
  assert.deepEqual(ids({ since: '2024-05-01T12:52:00Z' }), ['new']);
  assert.deepEqual(ids({ priority: 'critical' }), ['old']);
  assert.deepEqual(ids({ source: 'k8s_audit' }), ['k8s']);
  assert.deepEqual(ids({ rule: 'Attach*' }), ['k8s']);
  assert.deepEqual(ids({ container: 'beef' }), ['new']);
});

test('--json prints the id, the Falco alert and related events per line', (t) => {
  const store = fixtureStore(t);
  const { status, lines } = run({ store, json: true, priority: 'Critical' });
  assert.equal(status, 0);
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!);
  assert.equal(record.id, 'old');
  assert.equal(record.alert.priority, 'Critical');
  assert.equal(record.alert.output_fields['proc.pid'], 1);
  assert.deepEqual(record.lineage, [{ 'proc.name': 'bash' }]);
  assert.deepEqual(record.recent, []);
});

test('rejects an unknown priority and a missing store with status 2', (t) => {
  const store = fixtureStore(t);
  assert.equal(run({ store, priority: 'loud' }).status, 2);
  assert.equal(run({ store: `${store}.missing` }).status, 2);
});

/** `harrier alerts ARGS` in a child process: as nobody when this test runs as root. */
function harrierAlerts(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const harrier = path.join(repositoryRoot, 'bin/harrier.js');
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return spawnSync(process.execPath, [harrier, 'alerts', ...args], {
    ...asNobody,
    encoding: 'utf8',
  });
}

test('searches a store whose directory the user may not write, and writes nothing there', (t) => {
  const store = fixtureStore(t);
  const directory = path.dirname(store);
  chmodSync(directory, 0o555);
  chmodSync(store, 0o444);
  const result = harrierAlerts(['--store', store, '--priority', 'critical', '--brief']);
  chmodSync(directory, 0o755);
  assert.equal(result.stderr, '');
  assert.match(result.stdout, /\[id old\]\n$/);
  assert.equal(result.status, 0);
  assert.deepEqual(readdirSync(directory), ['alerts.db']);
});

test("a file that is not a store is named with SQLite's reason, status 2", (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-cli-alerts-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'hello.c');
  writeFileSync(file, 'int main(void) { return 0; }\n'.repeat(40));
  chmodSync(directory, 0o755);
  chmodSync(file, 0o644);
  const result = harrierAlerts(['--store', file]);
  assert.equal(
    result.stderr,
    `harrier alerts: cannot open the alert store ${file}: file is not a database\n`,
  );
  assert.equal(result.status, 2);
});

test('an unknown --source is refused with the valid ones, status 2', () => {
  const result = harrierAlerts(['--store', '/nonexistent/alerts.db', '--source', 'syscal']);
  assert.equal(
    result.stderr,
    "harrier alerts: --source takes one of syscall, k8s_audit, aws_cloudtrail, found 'syscal'\n",
  );
  assert.equal(result.status, 2);
});

test('--brief with --json, an unknown --priority and a directory as store are refused, status 2', (t) => {
  const store = fixtureStore(t);
  const directory = path.dirname(store);
  const briefJson = harrierAlerts(['--store', store, '--brief', '--json']);
  assert.equal(
    JSON.parse(briefJson.stderr).msg,
    '--brief and --json are alternatives: give one of them',
  );
  assert.equal(briefJson.stdout, '');
  assert.equal(briefJson.status, 2);
  const priority = run({ store: '/nonexistent/alerts.db', priority: 'bogus' });
  assert.equal(priority.status, 2);
  const loud = harrierAlerts(['--store', store, '--priority', 'loud']);
  assert.equal(
    loud.stderr,
    "harrier alerts: --priority takes one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug, found 'loud'\n",
  );
  chmodSync(directory, 0o755);
  const asStore = harrierAlerts(['--store', directory]);
  assert.equal(
    asStore.stderr,
    `harrier alerts: cannot open the alert store ${directory}: it is a directory\n`,
  );
  assert.equal(asStore.status, 2);
});

test('a store the user may not reach is named as permission denied, not as missing', (t) => {
  const store = fixtureStore(t);
  const directory = path.dirname(store);
  // Nobody (or a user without search permission) cannot look into a directory of mode 0.
  chmodSync(directory, 0o000);
  const result = harrierAlerts(['--store', store]);
  chmodSync(directory, 0o700);
  assert.equal(
    result.stderr,
    `harrier alerts: cannot reach the alert store ${store}: permission denied\n`,
  );
  assert.equal(result.status, 2);
});

test("text views date the alert line (a store spans days); --json keeps Falco's output", (t) => {
  const store = fixtureStore(t);
  const brief = run({ store, brief: true, rule: 'Attach*' }).lines;
  assert.deepEqual(brief, [
    '2024-05-01T12:50:00.000000000+0000: Notice A shell was spawned (proc.name=bash proc.pid=2 container.id=f00dcafe1234) [id k8s]',
  ]);
  const full = run({ store, priority: 'critical' }).lines;
  assert.equal(
    full[0],
    '2024-05-01T12:00:00.000000000+0000: Critical A shell was spawned (proc.name=bash proc.pid=1 container.id=f00dcafe1234) [id old]',
  );
  const [json] = run({ store, json: true, priority: 'critical' }).lines;
  assert.match(JSON.parse(json!).alert.output, /^12:00:00\.000000000: Critical /);
});

test('-c reads the store path only: an unset ${VAR} in an output does not stop alerts', (t) => {
  const store = fixtureStore(t);
  const config = path.join(path.dirname(store), 'harrier.yaml');
  const url = '$' + '{HARRIER_TEST_NEVER_SET}';
  writeFileSync(
    config,
    `store:\n  path: ${store}\noutputs:\n  - name: s\n    type: slack\n    url: ${url}\n`,
  );
  assert.equal(process.env.HARRIER_TEST_NEVER_SET, undefined);
  const { status, lines } = run({ config, brief: true });
  assert.equal(status, 0);
  assert.deepEqual(
    lines.map((line) => /\[id (\w+)\]$/.exec(line)?.[1]),
    ['new', 'k8s', 'old'],
  );
});

test('a run of three or more repeats of one call among the recent events shows as its first line and a count', (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-cli-alerts-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'alerts.db');
  const store = new AlertStore({ path: file });
  const at = (num: number, type: string, extra: Record<string, unknown> = {}) => ({
    'evt.num': num, 'evt.time.iso8601': `2024-05-01T12:00:00.00000000${num % 10}+0000`,
    'evt.type': type, 'thread.tid': 6036, 'proc.name': 'runc:[1:CHILD]', ...extra,
  }); // prettier-ignore
  store.record('runc', sampleAlert({ sequence: 1, time: BigInt(base) * 1_000_000n }), {
    lineage: [],
    recent: [
      at(1, 'execve', { 'proc.cmdline': 'runc init' }),
      at(2, 'prctl'), at(3, 'prctl'), at(4, 'prctl'), at(5, 'prctl'),
      at(6, 'close', { 'fd.name': '/run/oci-log' }), at(7, 'close', { 'fd.name': '/run/oci-log' }),
      at(8, 'openat', { 'fd.name': '/etc/passwd' }),
    ],
  }); // prettier-ignore
  store.close();
  const { status, lines } = run({ store: file });
  assert.equal(status, 0);
  assert.deepEqual(lines.slice(1), [
    '  recent events:',
    '    #1 2024-05-01T12:00:00.000000001+0000 runc:[1:CHILD](6036) execve runc init',
    '    #2 2024-05-01T12:00:00.000000002+0000 runc:[1:CHILD](6036) prctl',
    '    (3 more like it, to #5)',
    '    #6 2024-05-01T12:00:00.000000006+0000 runc:[1:CHILD](6036) close /run/oci-log',
    '    #7 2024-05-01T12:00:00.000000007+0000 runc:[1:CHILD](6036) close /run/oci-log',
    '    #8 2024-05-01T12:00:00.000000008+0000 runc:[1:CHILD](6036) openat /etc/passwd',
  ]);
});

test('text shows each alert with its lineage on one line and its recent events one per line; --brief only the alerts', (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-cli-alerts-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'alerts.db');
  const store = new AlertStore({ path: file });
  const time = BigInt(base) * 1_000_000n;
  store.record('shadow', sampleAlert({ sequence: 1, time }), {
    lineage: [
      { 'proc.name': 'cat', 'proc.pid': 1234 },
      { 'proc.name': 'bash', 'proc.pid': 1200 },
      { 'proc.name': 'sshd', 'proc.pid': 900 },
    ],
    recent: [
      { 'evt.num': 7, 'evt.time.iso8601': '2024-05-01T12:00:00.000000001+0000', 'evt.type': 'execve',
        'thread.tid': 1234, 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/shadow' },
      { 'evt.num': 9, 'evt.time.iso8601': '2024-05-01T12:00:00.000000002+0000', 'evt.type': 'openat',
        'thread.tid': 1234, 'proc.name': 'cat', 'fd.name': '/etc/shadow' },
      { 'evt.num': 11, 'evt.time.iso8601': '2024-05-01T12:00:00.000000003+0000', 'evt.type': 'brk',
        'thread.tid': 1234, 'proc.name': 'cat' },
    ],
  }); // prettier-ignore
  store.record('bare', sampleAlert({ sequence: 2, time: time - 1n }));
  store.close();
  const { status, lines } = run({ store: file });
  assert.equal(status, 0);
  assert.deepEqual(lines.slice(1, 6), [
    '  lineage: cat(1234) < bash(1200) < sshd(900)',
    '  recent events:',
    '    #7 2024-05-01T12:00:00.000000001+0000 cat(1234) execve cat /etc/shadow',
    '    #9 2024-05-01T12:00:00.000000002+0000 cat(1234) openat /etc/shadow',
    '    #11 2024-05-01T12:00:00.000000003+0000 cat(1234) brk',
  ]);
  assert.match(lines[0]!, /\[id shadow\]$/);
  assert.match(lines[6]!, /\[id bare\]$/);
  assert.equal(lines.length, 7);
  assert.deepEqual(
    run({ store: file, brief: true }).lines.map((line) => /\[id (\w+)\]$/.exec(line)?.[1]),
    ['shadow', 'bare'],
  );
});

test('--since and --limit values SQLite cannot take are usage errors naming what fits, status 2', (t) => {
  const store = fixtureStore(t);
  chmodSync(path.dirname(store), 0o755);
  chmodSync(store, 0o644);
  const refused = (args: string[]) => {
    const result = harrierAlerts(['--store', store, ...args]);
    assert.equal(result.stdout, '');
    assert.equal(result.status, 2);
    return result.stderr;
  };
  const range =
    'from 1970-01-01T00:00:00.000Z to 2262-04-11T23:47:16.854Z, the times the store holds';
  for (const date of ['3000-01-01', '0001-01-01'])
    assert.equal(
      refused(['--since', date]),
      `harrier alerts: --since takes a time ${range}, found '${date}'\n`,
    );
  assert.match(
    refused(['--since', '1000000d']),
    /^harrier alerts: --since reaches back at most to 1970-01-01T00:00:00\.000Z, \d+d from now, found '1000000d'\n$/,
  );
  assert.equal(
    refused(['--limit', '99999999999999999999']),
    "harrier alerts: --limit takes a whole number of alerts from 1 to 1000000000, found '99999999999999999999'\n",
  );
  assert.equal(
    refused(['--since', '2016']),
    "harrier alerts: --since takes a duration with its unit or an ISO 8601 date, found the bare number '2016': write 2016s for seconds, or a date such as 2016-01-01\n",
  );
  const widest = ['--since', '1970-01-01', '--limit', '1000000000', '--brief'];
  const all = harrierAlerts(['--store', store, ...widest]);
  assert.equal(all.stderr, '');
  assert.deepEqual(
    all.stdout.split('\n').map((line) => /\[id (\w+)\]$/.exec(line)?.[1]),
    ['new', 'k8s', 'old', undefined],
  );
  assert.equal(all.status, 0);
});

test('a search that matches nothing says so on stderr, status 0', (t) => {
  const store = fixtureStore(t);
  const harrier = path.join(repositoryRoot, 'bin/harrier.js');
  const none = spawnSync(
    process.execPath,
    [harrier, 'alerts', '--store', store, '--rule', 'Nothing*'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(none.status, 0);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, `harrier alerts: no alert in ${store} matches the search\n`);
  const some = spawnSync(process.execPath, [harrier, 'alerts', '--store', store, '--brief'], {
    encoding: 'utf8',
  });
  assert.equal(some.stderr, '');
  assert.equal(some.stdout.trim().split('\n').length, 3);
});
