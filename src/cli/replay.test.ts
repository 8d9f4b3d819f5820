import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { replay } from './replay.js';
import {
  caseTracePath,
  countByRule,
  falcoAuditCases,
  loadCaseRules,
} from './falco-k8s-audit-cases.js';
import type { Alert } from '../alerts/alert.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';

for (const auditCase of falcoAuditCases) {
  const expectation =
    Object.keys(auditCase.expected).length === 0 ? 'no alert' : JSON.stringify(auditCase.expected);
  test(`replayed audit trace of Falco case ${auditCase.name} gives ${expectation}`, async () => {
    const ruleSet = await loadCaseRules(auditCase);
    const alerts: Alert[] = [];
    await replay([caseTracePath(auditCase)], ruleSet, (alert) => alerts.push(alert));
    assert.deepEqual(countByRule(alerts.map((alert) => alert.rule)), auditCase.expected);
  });
}

test('replay counts fal_01_003 as one rejected record with the plugin reason', async () => {
  const auditCase = falcoAuditCases.find((entry) => entry.name === 'fal_01_003');
  assert.ok(auditCase);
  const { detection } = await replay(
    [caseTracePath(auditCase)],
    await loadCaseRules(auditCase),
    () => {},
  );
  assert.deepEqual(detection.stats.k8s_audit, {
    received: 1,
    processed: 0,
    rejected: 1,
    alerts: 0,
  });
});

test('replay reads a capture path through the capture side', async () => {
  const auditCase = falcoAuditCases[0];
  const result = await replay(
    [corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap')],
    await loadCaseRules(auditCase),
    () => {},
  );
  assert.deepEqual(
    result.captures.map(({ events, alerts }) => ({ events, alerts })),
    [{ events: 345, alerts: 0 }],
  );
});

test('harrier replay reads on past a file nested 100,000 levels deep, names it and exits 1', async () => {
  const deep = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-deep-')), 'deep.json');
  writeFileSync(deep, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const deployment = caseTracePath(falcoAuditCases.find((c) => c.name === 'create_deployment')!);
  const args = [path.join(repositoryRoot, 'bin/harrier.js'), 'replay', deep, deployment];
  const rules = corpusPath('falco/rules/k8s_audit_rules.yaml');
  const failure = await promisify(execFile)(process.execPath, [...args, '-r', rules]).then(
    () => assert.fail('exit status 0'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.match(failure.stdout, /: Informational K8s Deployment Created \(/);
  assert.match(failure.stderr, /^k8s_audit: 1 record, 1 processed, 0 rejected, 1 alert\n/);
  assert.ok(
    failure.stderr.endsWith(
      `harrier replay: ${deep}:1:513: ` +
        'expected a syscall capture, a Kubernetes audit log or a CloudTrail file, ' +
        'found JSON nested too deep (more than 512 levels of arrays and objects)\n',
    ),
    failure.stderr,
  );
});

test('harrier replay warns of a source no rule covers and of skipped files, and fails an empty input', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-warn-'));
  const deployment = caseTracePath(falcoAuditCases.find((c) => c.name === 'create_deployment')!);
  writeFileSync(path.join(directory, 'audit.log'), readFileSync(deployment));
  writeFileSync(path.join(directory, 'notes.txt'), 'not an input\n');
  const empty = path.join(directory, 'empty.json');
  writeFileSync(empty, '');
  const syscallRules = corpusPath('falco/tests-0.34.1/rules/single_rule.yaml');
  const args = [
    path.join(repositoryRoot, 'bin/harrier.js'),
    'replay',
    directory,
    '-r',
    syscallRules,
  ];
  const failure = await promisify(execFile)(process.execPath, args).then(
    () => assert.fail('exit status 0'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.equal(
    failure.stderr,
    'k8s_audit: 1 record, 1 processed, 0 rejected, 0 alerts\n' +
      'harrier replay: warning: no loaded rule covers source k8s_audit: its events were read but can raise no alert\n' +
      `harrier replay: warning: ${directory}: 1 file of no known kind skipped: notes.txt\n` +
      `harrier replay: ${empty}: empty file: no events\n`,
  );
});

test('harrier replay with a rule file error ends by saying nothing was replayed, after the warnings', async () => {
  const rules = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-rules-')), 'badprio.yaml');
  writeFileSync(
    rules,
    '- rule: bad priority\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: SUPERBAD\n' +
      '- rule: every type\n  desc: d\n  condition: proc.name=cat\n  output: o\n  priority: WARNING\n',
  );
  const capture = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
  const args = [path.join(repositoryRoot, 'bin/harrier.js'), 'replay', '-r', rules, capture];
  const failure = await promisify(execFile)(process.execPath, args).then(
    () => assert.fail('exit status 0'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.equal(failure.stdout, '');
  const lines = failure.stderr.trimEnd().split('\n');
  assert.match(lines[0], /badprio\.yaml:5:13: error LOAD_ERR_YAML_VALIDATE: Invalid priority/);
  assert.ok(
    lines.some((line) => /warning LOAD_NO_EVTTYPE/.test(line)),
    failure.stderr,
  );
  assert.equal(lines.at(-1), 'harrier replay: the rule files have 1 error: nothing replayed');
});

test('harrier replay -c warns once, at the outputs key, that it delivers to no configured output', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-replay-config-'));
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(
    config,
    'store:\n  enabled: false\noutputs:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:8/\n',
  );
  const trace = caseTracePath(falcoAuditCases.find((c) => c.name === 'create_deployment')!);
  const rules = corpusPath('falco/rules/k8s_audit_rules.yaml');
  const args = [path.join(repositoryRoot, 'bin/harrier.js'), 'replay', '-c', config];
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [
    ...args,
    '-r',
    rules,
    trace,
  ]);
  assert.deepEqual(stderr.trimEnd().split('\n').slice(0, 4), [
    `${config}:3:1: warning HARRIER_CONFIG_UNUSED: replay does not deliver to configured outputs; the 'outputs' section is not used`,
    '    3 | outputs:',
    '      | ^',
    '  at key outputs',
  ]);
  assert.equal(stderr.split('HARRIER_CONFIG_UNUSED').length, 2);
  // Its alerts are printed as without the section.
  assert.match(stdout, /K8s Deployment Created/);
});
