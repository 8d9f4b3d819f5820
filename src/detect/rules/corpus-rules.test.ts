/**
 * The official rule files (corpus `falco/rules/`) load as they load in Falco: no errors, the
 * warnings Falco gives, and every rule of the main files compiled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { corpusPath } from '../../testing/corpus.js';
import { loadRuleFiles, type LoadResult } from './loader.js';

const read = (name: string): { name: string; content: string } => ({
  name,
  content: readFileSync(corpusPath('falco/rules', name), 'utf8'),
});

function codes(result: LoadResult, severity: 'error' | 'warning'): string[] {
  return result.diagnostics
    .filter((item) => item.severity === severity)
    .map((item) => `${item.code} [${item.path}] ${item.message}`);
}

/** Names defined by `- rule:` items that are definitions (not appends or overrides). */
function definedRuleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const block of text.split(/\n(?=- )/)) {
    const name = /^- rule:\s*(.+)$/m
      .exec(block)?.[1]
      ?.trim()
      .replace(/^(['"])(.*)\1$/, '$2');
    if (name !== undefined && !/^\s+(append|override):/m.test(block)) names.add(name);
  }
  return names;
}

/** Files loaded after the file they extend, as they are meant to be. */
const extending: Record<string, string> = { 'k8s_audit_rules_gke.yaml': 'k8s_audit_rules.yaml' };

/** Needs the krsi plugin's fields and event types on syscall events, which Harrier lacks. */
const needsKrsiPlugin = 'example_rules.yaml';

const ruleFiles = readdirSync(corpusPath('falco/rules')).filter((name) => name.endsWith('.yaml'));

test('the corpus holds the 14 official rule files', () => {
  assert.equal(ruleFiles.length, 14);
});

for (const name of ruleFiles.filter((file) => file !== needsKrsiPlugin)) {
  test(`${name} loads without errors`, () => {
    const base = extending[name];
    const files = base === undefined ? [read(name)] : [read(base), read(name)];
    const result = loadRuleFiles(files);
    assert.deepEqual(codes(result, 'error'), []);
    assert.ok(result.ruleSet !== undefined);
  });
}

test('example_rules.yaml fails only on the krsi plugin fields it needs', () => {
  const result = loadRuleFiles([read(needsKrsiPlugin)]);
  const errors = codes(result, 'error');
  assert.ok(errors.length > 0);
  for (const error of errors) assert.match(error, /krsi/);
});

for (const name of [
  'falco_rules.yaml',
  'falco-incubating_rules.yaml',
  'falco-sandbox_rules.yaml',
  'k8s_audit_rules.yaml',
  'aws_cloudtrail_rules.yaml',
]) {
  test(`every rule of ${name} compiles, with no warnings`, () => {
    const file = read(name);
    const result = loadRuleFiles([file]);
    assert.deepEqual(codes(result, 'warning'), []);
    const compiled = new Set(result.rules.map((rule) => rule.name));
    assert.deepEqual(
      [...definedRuleNames(file.content)].filter((rule) => !compiled.has(rule)),
      [],
    );
  });
}

// Falco warns once per rule, at the rule; Harrier once per macro that tests evt.dir, at the
// macro, however many rules use it (the four rules here share two macros).
test('deprecated rules warn once per macro that tests evt.dir, at the macro', () => {
  const result = loadRuleFiles([read('falco-deprecated_rules.yaml')]);
  const warnings = result.diagnostics.filter((item) => item.severity === 'warning');
  assert.deepEqual(
    warnings.map(({ code, path }) => `${code} ${path}`),
    [
      "LOAD_DEPRECATED_ITEM macro 'inbound_outbound' > condition",
      "LOAD_DEPRECATED_ITEM macro 'outbound' > condition",
    ],
  );
  for (const warning of warnings) assert.match(warning.message, /'evt\.dir'/);
});

test('the stable rules compile to Falco-shaped conditions and all have event types', () => {
  const result = loadRuleFiles([read('falco_rules.yaml')]);
  const shell = result.rules.find((rule) => rule.name === 'Terminal shell in container');
  assert.ok(shell !== undefined);
  assert.match(shell.conditionText, /^\(evt\.type in \(execve, execveat\) and /);
  for (const rule of result.rules) assert.notEqual(rule.eventTypes, null, rule.name);
});
