import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';

/** `code key: message` of each diagnostic of `text` under `environment`. */
function problems(text: string, environment: Record<string, string>): string[] {
  return loadConfig(text, 'h.yaml', environment).diagnostics.map(
    (d) => `${d.code} ${d.key}: ${d.message}`,
  );
}

const fileOutput = 'outputs:\n  - name: file\n    type: file\n    path: /tmp/a.jsonl\n';

test('an unknown key set by the environment names its variable', () => {
  assert.deepEqual(problems('priority: debug\n', { HARRIER__NOPE: '1' }), [
    "HARRIER_CONFIG_UNKNOWN_KEY nope: unknown key 'nope'; expected one of rules_files, priority, rule_matching, append_output, sources, state_dir, outputs, grouping, store, metrics (set by environment variable HARRIER__NOPE)",
  ]);
  // A mapping the variable had to create is its own too.
  assert.deepEqual(problems('priority: debug\n', { HARRIER__NOPE__DEEPER: '1' }), [
    "HARRIER_CONFIG_UNKNOWN_KEY nope: unknown key 'nope'; expected one of rules_files, priority, rule_matching, append_output, sources, state_dir, outputs, grouping, store, metrics (set by environment variable HARRIER__NOPE__DEEPER)",
  ]);
});

test('an override that is not valid YAML is reported, not read as what the parser made of it', () => {
  assert.deepEqual(problems(fileOutput, { HARRIER__OUTPUTS__FILE__KEEP: '[1' }), [
    "HARRIER_CONFIG_ENV HARRIER__OUTPUTS__FILE__KEEP: HARRIER__OUTPUTS__FILE__KEEP: the value is not valid YAML: expected ']' to close the flow sequence opened here, found the end of the value (at character 1)",
  ]);
  const good = loadConfig(fileOutput, 'h.yaml', { HARRIER__OUTPUTS__FILE__KEEP: '3' });
  assert.equal(good.config!.outputs[0]!.options.keep, 3);
});
