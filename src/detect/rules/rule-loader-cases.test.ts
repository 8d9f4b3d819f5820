/**
 * Falco's rule-loader unit cases (corpus `falco/engine-cases/rule_loader_cases.json`): load
 * success, error and warning messages, and compiled conditions must agree with Falco.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath } from '../../testing/corpus.js';
import { loadRuleFiles, type LoadResult } from './loader.js';
import {
  NO_PREVIOUS_LIST,
  NO_PREVIOUS_MACRO,
  NO_PREVIOUS_RULE_APPEND,
  NO_PREVIOUS_RULE_REPLACE,
} from './collector.js';
import { APPEND_DEPRECATED, ENABLED_DEPRECATED, OVERRIDE_WITH_APPEND } from './reader-rule.js';

interface LoaderCase {
  test: string;
  yaml: string[];
  load_ok: boolean[];
  errors: string[];
  warnings: string[];
  no_warnings: string[];
  compiled_conditions: Record<string, string>;
}

const cases = JSON.parse(
  readFileSync(corpusPath('falco/engine-cases/rule_loader_cases.json'), 'utf8'),
) as LoaderCase[];

/** The test file's message macros, by name. */
const messages: Record<string, string> = {
  WARNING_APPEND: APPEND_DEPRECATED,
  WARNING_ENABLED: ENABLED_DEPRECATED,
  ERROR_OVERRIDE_APPEND: OVERRIDE_WITH_APPEND,
  ERROR_NO_PREVIOUS_MACRO: NO_PREVIOUS_MACRO,
  ERROR_NO_PREVIOUS_LIST: NO_PREVIOUS_LIST,
  ERROR_NO_PREVIOUS_RULE_APPEND: NO_PREVIOUS_RULE_APPEND,
  ERROR_NO_PREVIOUS_RULE_REPLACE: NO_PREVIOUS_RULE_REPLACE,
  WARNING_NO_EVTTYPE: 'Rule matches too many evt.type values',
};

function message(text: string): string {
  if (!text.startsWith('MACRO:')) return text;
  const resolved = messages[text.slice('MACRO:'.length)];
  assert.ok(resolved !== undefined, `unknown message macro ${text}`);
  return resolved;
}

/**
 * The extractor kept only the suffix of tests written as `base + R"END(...)END"`; the base
 * rule is the one stored as the second document of `exceptions_names_not_unique`.
 */
const exceptionBase =
  cases.find((entry) => entry.test === 'exceptions_names_not_unique')?.yaml[1] ?? '';

function contentOf(entry: LoaderCase): string {
  const first = entry.yaml[0] ?? '';
  return first.startsWith('\n  exceptions:') ? exceptionBase + first : first;
}

function messagesOf(result: LoadResult, severity: 'error' | 'warning'): string[] {
  return result.diagnostics
    .filter((diagnostic) => diagnostic.severity === severity)
    .map((diagnostic) => diagnostic.message);
}

function describeResult(result: LoadResult): string {
  return result.diagnostics
    .map((diagnostic) => `${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`)
    .join('\n');
}

test('the corpus holds the 103 rule-loader cases', () => {
  assert.equal(cases.length, 103);
  assert.equal(
    cases.reduce((sum, entry) => sum + Object.keys(entry.compiled_conditions).length, 0),
    33,
  );
});

for (const entry of cases) {
  test(`rule loader case ${entry.test} agrees with Falco`, () => {
    const result = loadRuleFiles([{ name: 'rules.yaml', content: contentOf(entry) }]);
    const errors = messagesOf(result, 'error');
    const warnings = messagesOf(result, 'warning');
    const details = describeResult(result);
    assert.equal(errors.length === 0, entry.load_ok[0], `load success differs:\n${details}`);
    for (const expected of entry.errors.map(message)) {
      assert.ok(
        errors.some((text) => text.includes(expected)),
        `missing error '${expected}':\n${details}`,
      );
    }
    for (const expected of entry.warnings.map(message)) {
      assert.ok(
        warnings.some((text) => text.includes(expected)),
        `missing warning '${expected}':\n${details}`,
      );
    }
    for (const unexpected of entry.no_warnings.map(message)) {
      assert.ok(
        !warnings.some((text) => text.includes(unexpected)),
        `unexpected warning '${unexpected}':\n${details}`,
      );
    }
    for (const [name, condition] of Object.entries(entry.compiled_conditions)) {
      const rule = result.rules.find((candidate) => candidate.name === name);
      assert.equal(rule?.conditionText, condition, `compiled condition of ${name}:\n${details}`);
    }
  });
}

/** Loads one corpus case by name. */
function loadCase(name: string): LoadResult {
  const entry = cases.find((candidate) => candidate.test === name);
  assert.ok(entry !== undefined, name);
  return loadRuleFiles([{ name: 'rules.yaml', content: contentOf(entry) }]);
}

test("Falco's extra assertions on appended and replaced rule fields hold", () => {
  const appended = loadCase('rule_override_append').rules[0];
  assert.equal(
    appended?.output,
    'user=%user.name command=%proc.cmdline file=%fd.name proc=%proc.name',
  );
  assert.equal(appended?.description, 'legit rule description with append');
  assert.equal(appended?.conditionText, '(evt.type = open and proc.name = cat)');
  const replaced = loadCase('rule_override_replace').rules[0];
  assert.equal(replaced?.description, 'a replaced legit description');
  assert.equal(replaced?.conditionText, 'evt.type = close');
  const mixed = loadCase('rule_override_append_replace').rules[0];
  assert.equal(mixed?.priority, 'Warning');
  assert.equal(mixed?.description, 'a replaced legit description');
});

test("Falco's extra assertions on enabled rules and warnings hold", () => {
  const enabledCount = (name: string): number | undefined => loadCase(name).ruleSet?.enabledCount;
  assert.equal(enabledCount('rule_override_with_enabled'), 1);
  assert.equal(enabledCount('rule_not_enabled'), 0);
  assert.equal(enabledCount('rule_enabled_warning'), 1);
  assert.equal(enabledCount('no_evttype_warning_for_unsatisfiable_condition'), 1);
  assert.equal(enabledCount('no_evttype_warning_for_never_true_macro'), 2);
  assert.equal(enabledCount('rule_enabled_is_ignored_by_append'), 0);
  assert.equal(enabledCount('rewrite_rule'), 1);
  assert.equal(enabledCount('deprecated_field_in_output'), 1);
  assert.equal(enabledCount('no_deprecated_field_warning_in_output'), 1);
  assert.equal(loadCase('rewrite_rule').rules[0]?.conditionText, 'proc.name = cat');
  for (const name of [
    'rule_override_with_enabled',
    'rule_not_enabled',
    'required_engine_version_semver',
    'required_engine_version_not_semver',
    'exceptions_fields_transformer',
  ]) {
    assert.deepEqual(loadCase(name).diagnostics, [], name);
  }
  const escaping = loadCase('list_value_with_escaping');
  assert.deepEqual(
    escaping.diagnostics.map((item) => item.code),
    ['LOAD_UNUSED_LIST'],
  );
  assert.equal(escaping.rules.length, 0);
});

test("Falco's extra assertions on capture settings hold", () => {
  assert.equal(loadCase('rule_capture_enabled').rules[0]?.capture, true);
  const byDefault = loadCase('rule_capture_disabled_by_default').rules[0];
  assert.equal(byDefault?.capture, false);
  assert.equal(byDefault?.captureDuration, 0);
  assert.equal(loadCase('rule_capture_duration').rules[0]?.captureDuration, 10000);
  assert.equal(loadCase('rule_override_capture_replace').rules[0]?.capture, false);
  assert.equal(loadCase('rule_override_capture_duration_replace').rules[0]?.captureDuration, 15000);
});

test("Falco's snippet assertions hold: errors show the offending line, folded conditions their text", () => {
  const override = loadCase('rule_incorrect_override_type').diagnostics.find(
    (item) => item.severity === 'error',
  );
  assert.match(override?.snippet ?? '', /priority: append/);
  for (const name of [
    'deprecated_evt_dir_folded_scalar_condition_snippet',
    'deprecated_evt_dir_via_macro_folded_scalar_condition_snippet',
  ]) {
    const warning = loadCase(name).diagnostics.find((item) => item.code === 'LOAD_DEPRECATED_ITEM');
    assert.ok(warning !== undefined && !warning.snippet.includes('condition: >'), name);
  }
  // Falco shows the rule's line naming the macro; Harrier warns once at the macro itself, so
  // the snippet is the macro's condition with the deprecated check.
  const viaMacro = loadCase(
    'deprecated_evt_dir_via_macro_folded_scalar_condition_snippet',
  ).diagnostics.find((item) => item.code === 'LOAD_DEPRECATED_ITEM');
  assert.equal(viaMacro?.path, "macro 'spawned_process' > condition");
  assert.match(viaMacro?.snippet ?? '', /evt\.dir = </);
});
