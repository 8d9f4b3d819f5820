import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleFiles, loadRuleFilesFromDisk } from '../detect/index.js';
import { parseCondition } from '../engine/index.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { requiresSuccess, succeededOnlyNames } from './failed-calls.js';
import { syscallSetFor } from './live-syscalls.js';

function ruleSetOf(...conditions: string[]) {
  const content = conditions
    .map((condition, index) => {
      const rule = `- rule: r${index}\n  desc: d\n  condition: ${condition}\n`;
      return `${rule}  output: o\n  priority: INFO\n`;
    })
    .join('\n');
  const { ruleSet, diagnostics } = loadRuleFiles([{ name: 'r.yaml', content }]);
  assert.ok(ruleSet, diagnostics.map((d) => d.message).join('\n'));
  return ruleSet;
}

function requires(condition: string, type: string): boolean {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok, condition);
  return requiresSuccess(parsed.ast, type);
}

const CANDIDATES = ['open', 'openat', 'openat2', 'creat', 'close', 'execve', 'execveat'];

test('result checks require success for the event types whose result they read', () => {
  assert.equal(requires('evt.rawres >= 0', 'openat'), true);
  assert.equal(requires('evt.rawres > -1', 'execve'), true);
  assert.equal(requires('evt.rawres > -2', 'execve'), false);
  assert.equal(requires('fd.num >= 0', 'openat'), true);
  assert.equal(requires('fd.num in (0, 1, 2)', 'openat'), true);
  assert.equal(requires('fd.num >= 0', 'close'), false, "a close's fd.num is its argument");
  assert.equal(requires('evt.res = SUCCESS', 'close'), true);
  assert.equal(requires('evt.failed = false', 'openat'), true);
  assert.equal(requires('not evt.failed = true', 'openat'), true);
  assert.equal(requires('evt.arg.res = 0', 'execve'), true);
  assert.equal(requires('evt.arg.res = 0', 'openat'), false, "an open's first parameter is fd");
  assert.equal(requires('fd.num = -1 and evt.res startswith E', 'openat'), false);
});

test('and needs one conjunct, or needs every branch, and a type left out counts as success', () => {
  assert.equal(requires('proc.name = sh and fd.num >= 0', 'openat'), true);
  assert.equal(requires('proc.name = sh or fd.num >= 0', 'openat'), false);
  assert.equal(requires('(fd.num >= 0 and a.b = c) or evt.rawres >= 0', 'openat'), true);
  const mixed = '(evt.type = openat and fd.num >= 0) or (evt.type = execve and proc.name = sh)';
  assert.equal(requires(mixed, 'openat'), true);
  assert.equal(requires(mixed, 'execve'), false);
  assert.equal(requires('evt.type in (execve, execveat) and proc.name = sh', 'openat'), true);
});

test('a syscall is succeeded-only when no enabled rule can match its failures', () => {
  const ruleSet = ruleSetOf(
    'evt.type = openat and fd.num >= 0 and fd.name = /etc/shadow',
    'evt.type = execve and proc.name = sh',
  );
  assert.deepEqual(succeededOnlyNames(ruleSet, CANDIDATES), [
    'close',
    'creat',
    'execveat',
    'open',
    'openat',
    'openat2',
  ]);
  const set = syscallSetFor(ruleSet);
  assert.deepEqual(set.succeededOnly, ['close', 'creat', 'execveat', 'open', 'openat', 'openat2']);
  assert.deepEqual(set.succeededOnlySlots, [2, 3, 85, 257, 322, 437]);
});

test('a rule on every event type keeps every failure, and so does a syscall the state reads', () => {
  assert.deepEqual(succeededOnlyNames(ruleSetOf('proc.name = nc'), CANDIDATES), []);
  const ruleSet = ruleSetOf('evt.type = connect and evt.rawres >= 0');
  assert.ok(!succeededOnlyNames(ruleSet, ['connect']).includes('connect'));
});

test("Falco's stable rules need failed opens and execs, Harrier's own rules none", async () => {
  const load = async (...paths: string[]) => {
    const { ruleSet, diagnostics } = await loadRuleFilesFromDisk(paths);
    assert.ok(ruleSet, diagnostics.map((d) => d.message).join('\n'));
    return ruleSet;
  };
  // "Directory traversal monitored file read" also takes failed opens (open_file_failed), and
  // spawned_process does not check the result.
  const falco = await load(corpusPath('falco/rules/falco_rules.yaml'));
  assert.deepEqual(succeededOnlyNames(falco, CANDIDATES), ['close', 'creat']);
  const harrier = await load(
    path.join(repositoryRoot, 'rules/harrier_syscall_rules.yaml'),
    path.join(repositoryRoot, 'rules/harrier_container_rules.yaml'),
  );
  assert.deepEqual(succeededOnlyNames(harrier, CANDIDATES), [...CANDIDATES].sort());
});
