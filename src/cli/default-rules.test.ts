import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { fieldValuesTableFor, type FieldValuesEvent } from '../detect/rule-tests/index.js';
import { loadRuleFilesFromDisk } from '../detect/rules/loader.js';
import type { RuleSet } from '../detect/rules/ruleset.js';
import type { FieldTable } from '../engine/index.js';
import {
  DEFAULT_RULE_FILES,
  DEFAULT_RULES_DIRECTORY,
  rulePathsOrDefault,
} from './default-rules.js';

const container = {
  'container.id': '3ad7b26ded6d',
  'container.name': 'web',
  'user.name': 'root',
  'user.uid': 0,
  'proc.tty': 0,
};
const host = { 'container.id': 'host', 'user.name': 'root', 'user.uid': 0, 'proc.tty': 0 };
/** A `podman exec` child: its parent is the runtime and it is not the container's first process. */
const podmanExec = {
  ...container,
  'evt.type': 'execve',
  'evt.res': 'SUCCESS',
  'proc.pname': 'runc',
  'proc.vpid': 12,
};
const write = {
  'evt.type': 'openat',
  'evt.res': 'SUCCESS',
  'evt.is_open_write': true,
  'fd.typechar': 'f',
  'fd.num': 3,
};

let defaults: Promise<RuleSet<FieldValuesEvent>> | undefined;

/** The default files loaded in their order, compiled against field-values tables. */
function defaultRuleSet(): Promise<RuleSet<FieldValuesEvent>> {
  defaults ??= loadRuleFilesFromDisk(DEFAULT_RULE_FILES, {
    fieldTables: (source) => fieldValuesTableFor(source) as FieldTable | undefined,
  }).then((result) => {
    assert.deepEqual(result.diagnostics, []);
    return result.ruleSet as unknown as RuleSet<FieldValuesEvent>;
  });
  return defaults;
}

/** The rules the default set raises for one syscall event under `rule_matching: first`. */
async function rulesRaisedBy(fields: Record<string, unknown>): Promise<string[]> {
  const ruleSet = await defaultRuleSet();
  const event: FieldValuesEvent = { source: 'syscall', values: new Map(Object.entries(fields)) };
  return ruleSet.match('syscall', String(fields['evt.type']), event).map((rule) => rule.name);
}

test('without -r the default files load one by one, host rules before container rules', () => {
  assert.deepEqual(
    rulePathsOrDefault(undefined).map((file) => path.relative(DEFAULT_RULES_DIRECTORY, file)),
    [
      'harrier_syscall_rules.yaml',
      'harrier_container_rules.yaml',
      'harrier_k8s_audit_rules.yaml',
      'harrier_cloudtrail_rules.yaml',
    ],
  );
  assert.deepEqual(rulePathsOrDefault(['a.yaml', 'b']), ['a.yaml', 'b']);
});

test('the default file list names every rule file in rules/', async () => {
  const names = (await readdir(DEFAULT_RULES_DIRECTORY)).filter(
    (name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml'),
  );
  assert.deepEqual(DEFAULT_RULE_FILES.map((file) => path.basename(file)).sort(), names.sort());
});

test('the default rules load with rule_matching first', async () => {
  assert.equal((await defaultRuleSet()).ruleMatching, 'first');
});

test('busybox nc -e run by podman exec raises the netcat rule, not the root exec rule', async () => {
  const nc = {
    'proc.name': 'nc',
    'proc.exepath': '/bin/busybox',
    'proc.args': '-e /x 127.0.0.1 9',
  };
  assert.deepEqual(await rulesRaisedBy({ ...podmanExec, ...nc }), [
    'Netcat or socat with program execution',
  ]);
});

test('grep for a key header run by podman exec raises the key search rule', async () => {
  const grep = { 'proc.name': 'grep', 'proc.args': '-r BEGIN RSA PRIVATE /scn' };
  assert.deepEqual(await rulesRaisedBy({ ...podmanExec, ...grep }), [
    'Search for private keys or credentials',
  ]);
});

test('debugfs run by podman exec raises the host access tool rule', async () => {
  const debugfs = { 'proc.name': 'debugfs', 'proc.exepath': '/bin/busybox', 'proc.args': 'x' };
  assert.deepEqual(await rulesRaisedBy({ ...podmanExec, ...debugfs }), [
    'Namespace or host access tool run in container',
  ]);
});

test('a plain command run by podman exec still raises the root exec rule', async () => {
  const id = { 'proc.name': 'id', 'proc.exepath': '/bin/busybox', 'proc.args': '' };
  assert.deepEqual(await rulesRaisedBy({ ...podmanExec, ...id }), [
    'Root process executed into container',
  ]);
});

test('a miner started from /tmp raises the miner rule, not the temporary directory rule', async () => {
  const miner = {
    ...host,
    'evt.type': 'execve',
    'evt.res': 'SUCCESS',
    'proc.name': 'xmrig',
    'proc.exepath': '/tmp/xmrig',
    'proc.pname': 'bash',
    'proc.args': '-o pool.example:3333',
  };
  assert.deepEqual(await rulesRaisedBy(miner), ['Crypto miner started']);
});

test('nginx forking sh raises the service rule on the host and the container rule in a container', async () => {
  const shell = {
    'evt.type': 'execve',
    'evt.res': 'SUCCESS',
    'proc.name': 'sh',
    'proc.pname': 'nginx',
  };
  assert.deepEqual(await rulesRaisedBy({ ...host, ...shell }), ['Shell spawned by a service']);
  assert.deepEqual(await rulesRaisedBy({ ...container, ...shell, 'proc.vpid': 7 }), [
    'Shell spawned by a containerized application',
  ]);
});

test('a .bashrc written below /tmp raises the shell start-up rule, not the hidden file rule', async () => {
  const bashrc = {
    ...host,
    ...write,
    'proc.name': 'touch',
    'evt.arg.flags': 'O_WRONLY|O_CREAT|O_F_CREATED',
    'fd.name': '/tmp/s/.bashrc',
    'fd.filename': '.bashrc',
    'fd.directory': '/tmp/s',
  };
  assert.deepEqual(await rulesRaisedBy(bashrc), ['Shell configuration file modified']);
});

test('an executable written to /usr/bin in a container raises the binary directory rule, not drift', async () => {
  const dropped = {
    ...container,
    ...write,
    'evt.is_open_exec': true,
    'proc.name': 'cp',
    'evt.arg.flags': 'O_WRONLY|O_CREAT|O_F_CREATED',
    'fd.name': '/usr/bin/x',
    'fd.filename': 'x',
    'fd.directory': '/usr/bin',
  };
  assert.deepEqual(await rulesRaisedBy(dropped), ['Write below binary directory']);
});

test('podman taking the CNI lock below /etc raises nothing', async () => {
  const lock = {
    ...host,
    ...write,
    'proc.name': 'podman',
    'proc.pname': 'node',
    'evt.arg.flags': 'O_CREAT|O_RDWR|O_CLOEXEC',
    'fd.name': '/etc/cni/net.d/cni.lock',
    'fd.filename': 'cni.lock',
    'fd.directory': '/etc/cni/net.d',
  };
  assert.deepEqual(await rulesRaisedBy(lock), []);
});

/** `%field` references of every default rule's output, by rule name. */
async function defaultOutputFields(): Promise<Map<string, string[]>> {
  const outputs = new Map<string, string[]>();
  for (const file of DEFAULT_RULE_FILES) {
    const items = parse(await readFile(file, 'utf8')) as Array<{ rule?: string; output?: string }>;
    for (const item of items) {
      if (item.rule === undefined || item.output === undefined) continue;
      outputs.set(
        item.rule,
        [...item.output.matchAll(/%([a-z0-9_.]+(?:\[[^\]]*\])?)/g)].map((m) => m[1]),
      );
    }
  }
  return outputs;
}

test('default rule outputs print each argument once and no value a reader cannot use', async () => {
  const problems: string[] = [];
  for (const [rule, fields] of await defaultOutputFields()) {
    // evt.args already shows every argument, a mode as 04755(S_IXOTH|...|S_ISUID)
    if (fields.includes('evt.args') && fields.some((f) => f.startsWith('evt.arg.')))
      problems.push(`${rule}: an argument twice`);
    // evt.arg.pid renders the process's name, not the pid
    if (fields.includes('evt.arg.pid') && !fields.includes('evt.rawarg.pid'))
      problems.push(`${rule}: no numeric pid`);
    // raw nanosecond timestamps
    if (fields.some((f) => /^proc\.exe_ino\.[cm]time$/.test(f)))
      problems.push(`${rule}: a raw ctime`);
    // fd.name is <NA> for the calls that open nothing (mkdir, unlink, symlink, chmod)
    if (fields.includes('fd.name') && fields.includes('evt.arg.path'))
      problems.push(`${rule}: fd.name next to evt.arg.path, one always <NA>`);
  }
  assert.deepEqual(problems, []);
});
