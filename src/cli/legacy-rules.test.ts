import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { corpusPath } from '../testing/corpus.js';
import { loadRuleFilesFromDisk } from '../detect/index.js';
import { syscallEvents } from '../decode/pipeline.js';
import { SyscallDetection } from './syscall-detection.js';

const captures = [
  ...readdirSync(corpusPath('falco/tests-0.34.1/trace_files'))
    .filter((name) => /\.scap(\.gz)?$/.test(name))
    .map((name) => corpusPath('falco/tests-0.34.1/trace_files', name)),
  ...readdirSync(corpusPath('falco/scap')).map((name) => corpusPath('falco/scap', name)),
];

test("Falco's regression ruleset (legacy_falco_rules_v1.0.1.yaml) loads and runs on every capture", async () => {
  const loaded = await loadRuleFilesFromDisk([
    corpusPath('falco/rules/legacy_falco_rules_v1.0.1.yaml'),
  ]);
  const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  assert.deepEqual(
    errors.map((error) => error.message),
    [],
  );
  const ruleSet = loaded.ruleSet;
  assert.ok(ruleSet !== undefined);
  assert.equal(loaded.rules.length, 80);
  assert.equal(ruleSet.enabledCount, 56, 'the ruleset enables 56 of its 80 rules by default');
  assert.equal(captures.length, 10);
  for (const capture of captures) {
    const detection: SyscallDetection = new SyscallDetection({ ruleSet, onAlert: () => undefined });
    let events = 0;
    for await (const event of syscallEvents(capture)) {
      events++;
      detection.detect(event);
    }
    assert.equal(detection.events, events, capture);
    assert.ok(events > 0, `${capture} has events`);
  }
});
