/**
 * Harrier's default ruleset (`rules/`): it validates with no error or warning, its rule tests
 * pass with every rule covered both ways, and every rule carries what the ruleset promises:
 * MITRE tactic and technique tags, a tuning hook, an event-type set for syscall rules, and a
 * section in docs/rules.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { decodeCloudTrailRecord, decodeK8sAuditEvent } from '../../decode/json-event-decoder.js';
import type { K8sAuditEvent } from '../../decode/json-events.js';
import type { FieldTable } from '../../engine/index.js';
import { readZipMembers } from '../../sources/files/index.js';
import { corpusPath, repositoryRoot } from '../../testing/corpus.js';
import { loadRuleFiles, loadRuleFilesFromDisk } from '../rules/loader.js';
import type { Rule } from '../rules/rule.js';
import { fieldValuesTableFor, type FieldValuesEvent } from './field-values-table.js';
import { readRuleTestFile, type TestInput } from './rule-test-file.js';
import { defaultRulesDirectory } from './runner.js';

const run = promisify(execFile);
const harrier = path.join(repositoryRoot, 'bin/harrier.js');
const ruleFiles = [
  'harrier_syscall_rules.yaml',
  'harrier_container_rules.yaml',
  'harrier_k8s_audit_rules.yaml',
  'harrier_cloudtrail_rules.yaml',
].map((name) => path.join(defaultRulesDirectory(), name));

test('harrier rules validate rules/ reports no error and no warning', async () => {
  const { stdout } = await run(process.execPath, [
    harrier,
    'rules',
    'validate',
    defaultRulesDirectory(),
  ]);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, ruleFiles.length, stdout);
  for (const line of lines) assert.match(line, /: ok \(0 error\(s\), 0 warning\(s\)\)$/);
});

test('harrier rules test rules/ passes with every rule covered by a firing and a non-firing case', async () => {
  const { stdout } = await run(process.execPath, [
    harrier,
    'rules',
    'test',
    '--require-coverage',
    defaultRulesDirectory(),
  ]);
  assert.match(
    stdout,
    /^4 file\(s\), \d+ case\(s\): \d+ passed, 0 failed, 0 problem\(s\), 0 rule\(s\) not fully covered$/m,
  );
});

test('the default rule files load together, and every rule has MITRE tags', async () => {
  const result = await loadRuleFilesFromDisk(ruleFiles);
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.rules.length >= 70, `only ${result.rules.length} rules`);
  for (const rule of result.rules) {
    assert.ok(
      rule.tags.some((tag) => tag.startsWith('mitre_')),
      `${rule.name} has no mitre_ tactic tag`,
    );
    assert.ok(
      rule.tags.some((tag) => /^T\d{4}(\.\d{3})?$/.test(tag)),
      `${rule.name} has no technique tag`,
    );
    if (rule.source === 'syscall')
      assert.notEqual(rule.eventTypes, null, `${rule.name} runs on every event type`);
  }
});

test('every default rule has a user_ tuning item or exceptions, and a section in docs/rules.md', async () => {
  const docs = await readFile(path.join(repositoryRoot, 'docs/rules.md'), 'utf8');
  for (const file of ruleFiles) {
    const items = parse(await readFile(file, 'utf8')) as Array<Record<string, unknown>>;
    for (const item of items.filter((entry) => typeof entry.rule === 'string')) {
      const condition = String(item.condition);
      const tunable = /\buser_\w+/.test(condition) || Array.isArray(item.exceptions);
      assert.ok(tunable, `rule '${item.rule}' has no user_ macro or list and no exceptions`);
      assert.ok(
        docs.includes(`### ${String(item.rule)}\n`),
        `docs/rules.md has no section for '${item.rule}'`,
      );
    }
  }
});

test("docs/rules.md counts each file's rules, in its table and its file lines", async () => {
  const docs = await readFile(path.join(repositoryRoot, 'docs/rules.md'), 'utf8');
  const counts = await Promise.all(
    ruleFiles.map(async (file) => {
      const items = parse(await readFile(file, 'utf8')) as Array<Record<string, unknown>>;
      return items.filter((entry) => typeof entry.rule === 'string').length;
    }),
  );
  const table = [...docs.matchAll(/^\| [^|]+ \| (\d+) \|$/gm)].map(([, count]) => Number(count));
  const total = counts.reduce((sum, count) => sum + count, 0);
  assert.deepEqual(table, [...counts, total]);
  for (const [index, file] of ruleFiles.entries())
    assert.ok(
      docs.includes(`File: \`rules/${path.basename(file)}\` (${counts[index]} rules).`),
      path.basename(file),
    );
});

test('every override example in docs/rules.md loads after the default rules', async () => {
  const docs = await readFile(path.join(repositoryRoot, 'docs/rules.md'), 'utf8');
  // Blocks inside list items are indented; strip the indentation of their fence.
  const examples = [...docs.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)]
    .map(([, indent, text]) => text.replace(new RegExp(`^${indent}`, 'gm'), ''))
    .filter((text) => !text.includes('cases:'));
  assert.ok(examples.length >= 82, `only ${examples.length} examples`);
  const defaults = await Promise.all(
    ruleFiles.map(async (name) => ({ name, content: await readFile(name, 'utf8') })),
  );
  for (const [index, content] of examples.entries()) {
    const result = loadRuleFiles([...defaults, { name: `example-${index + 1}.yaml`, content }]);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => diagnostic.message),
      [],
      content,
    );
    assert.ok(result.ruleSet, content);
  }
});

/** The audit events of Falco's k8s_audit test traces (one JSON object per line). */
function corpusAuditEvents(): K8sAuditEvent[] {
  const directory = corpusPath('falco/tests-0.34.1/trace_files/k8s_audit');
  const lines = readdirSync(directory).flatMap((name) =>
    readFileSync(path.join(directory, name), 'utf8').split('\n'),
  );
  return lines.flatMap((line) => {
    const decoded = line.trim() === '' ? undefined : decodeK8sAuditEvent(JSON.parse(line));
    return decoded?.ok === true ? [decoded.event] : [];
  });
}

/** The inputs of the firing cases in one of the default rules' test files. */
async function firingCaseInputs(testFile: string): Promise<TestInput[]> {
  const file = await readRuleTestFile(path.join(defaultRulesDirectory(), testFile));
  return file.cases.filter((item) => item.fires).flatMap((item) => item.inputs);
}

/**
 * `rule: %field` for each output field of `rules` that is `<NA>` on every event the rule fires
 * on. A rule that fires on no event fails the test. `eventType` names a syscall event's type,
 * so an event reaches only the rules that run on it, as in the engine.
 */
function alwaysMissingFields<E>(
  rules: readonly Rule[],
  events: readonly E[],
  eventType: (event: E) => string | undefined = () => undefined,
): string[] {
  const alwaysMissing: string[] = [];
  for (const rule of rules) {
    const firing = events.filter((event) => {
      const type = eventType(event);
      const runs = type === undefined || rule.eventTypes === null || rule.eventTypes.has(type);
      return runs && rule.filter.evaluate(event);
    });
    assert.ok(firing.length > 0, `'${rule.name}' fires on no event`);
    const fields = firing.map((event) => rule.formatter.format(event).fields);
    for (const name of rule.formatter.fieldNames) {
      if (fields.every((values) => values.get(name) === null))
        alwaysMissing.push(`${rule.name}: %${name}`);
    }
  }
  return alwaysMissing;
}

test('every output field of a k8s audit rule has a value on some event the rule fires on', async () => {
  const inputs = await firingCaseInputs('harrier_k8s_audit_rules.test.yaml');
  const cases = inputs.flatMap((input) => {
    const decoded = input.kind === 'raw' ? decodeK8sAuditEvent(input.record) : undefined;
    return decoded?.ok === true ? [decoded.event] : [];
  });
  const events = [...corpusAuditEvents(), ...cases];
  assert.ok(events.length >= 60, `only ${events.length} audit events`);
  const result = await loadRuleFilesFromDisk([ruleFiles[2]]);
  assert.deepEqual(result.diagnostics, []);
  // A field printed <NA> on every alert reads the wrong place (ka.sourceips did) or lacks a case.
  assert.deepEqual(alwaysMissingFields(result.rules, events), []);
});

/** The CloudTrail records of the corpus: Falco's plugin samples and the Stratus detonations. */
async function corpusTrailRecords(): Promise<unknown[]> {
  const records: unknown[] = [];
  const samples = corpusPath('falco/tests-0.34.1/trace_files/plugins');
  for (const name of readdirSync(samples)) {
    const log = JSON.parse(readFileSync(path.join(samples, name), 'utf8')) as {
      Records: unknown[];
    };
    records.push(...log.Records);
  }
  const stratus = corpusPath('cloudtrail/stratus-red-team-detonations.zip');
  for await (const { name, bytes } of readZipMembers({ name: stratus, path: stratus })) {
    // One member is malformed JSON on purpose (the replay tests read it).
    if (name.endsWith('ec2-user-data.json')) continue;
    const log = JSON.parse(Buffer.from(bytes ?? []).toString()) as { Records: unknown[] };
    records.push(...log.Records);
  }
  return records;
}

test('every output field of a CloudTrail rule has a value on some record the rule fires on', async () => {
  const inputs = await firingCaseInputs('harrier_cloudtrail_rules.test.yaml');
  const cases = inputs.flatMap((input) => (input.kind === 'raw' ? [input.record] : []));
  const records = [...(await corpusTrailRecords()), ...cases];
  assert.ok(records.length >= 40, `only ${records.length} CloudTrail records`);
  const events = records.flatMap((record) => {
    const decoded = decodeCloudTrailRecord(record, 1n);
    return decoded.ok ? [decoded.event] : [];
  });
  assert.equal(events.length, records.length);
  const result = await loadRuleFilesFromDisk([ruleFiles[3]]);
  assert.deepEqual(result.diagnostics, []);
  // Each call a rule watches names its target its own way (roleName, groupName, names, ...).
  assert.deepEqual(alwaysMissingFields(result.rules, events), []);
});

test('every output field of a syscall or container rule has a value on some case the rule fires on', async () => {
  // Field-values events: a field no case gives reads <NA>, so every field needs a case that
  // gives it; a field the rule's events can never carry (k8s.* on a host-only rule) cannot.
  const inputs = [
    ...(await firingCaseInputs('harrier_syscall_rules.test.yaml')),
    ...(await firingCaseInputs('harrier_container_rules.test.yaml')),
  ];
  const events = inputs.flatMap((input): FieldValuesEvent[] =>
    input.kind === 'fields'
      ? [{ source: 'syscall', values: new Map(Object.entries(input.fields)) }]
      : [],
  );
  assert.ok(events.length >= 90, `only ${events.length} syscall events`);
  const result = await loadRuleFilesFromDisk(ruleFiles.slice(0, 2), {
    fieldTables: (source) => fieldValuesTableFor(source) as FieldTable | undefined,
  });
  assert.deepEqual(result.diagnostics, []);
  const eventType = (event: FieldValuesEvent) => {
    const type = event.values.get('evt.type');
    return type === undefined ? undefined : String(type);
  };
  assert.deepEqual(alwaysMissingFields(result.rules, events, eventType), []);
});
