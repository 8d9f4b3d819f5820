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
