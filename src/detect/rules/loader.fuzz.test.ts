/**
 * Fuzzing the loader with mutated official rule files: whatever the input, the result is only
 * diagnostics with known codes and positions inside the file, never an exception or a hang.
 * `src/bench/fuzz-rules.ts` runs the same property many thousand times.
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { corpusPath } from '../../testing/corpus.js';
import { checkLoadIsClean, mutatedRuleText } from './mutate-rules.js';

const sources = [
  'falco_rules.yaml',
  'k8s_audit_rules.yaml',
  'falco-sandbox_rules.yaml',
  'aws_cloudtrail_rules.yaml',
].map((name) => readFileSync(corpusPath('falco/rules', name), 'utf8'));

test('mutated rule files give only positioned diagnostics (300 cases)', () => {
  fc.assert(
    fc.property(mutatedRuleText(sources), (text) => {
      const started = performance.now();
      checkLoadIsClean(text);
      if (performance.now() - started > 5000) throw new Error('load took more than 5 s');
    }),
    { numRuns: 300, seed: 20240611 },
  );
});

test('pathological nesting and expansion are refused, not followed', () => {
  const deepMacros = Array.from(
    { length: 1500 },
    (_, index) => `- macro: m${index}\n  condition: m${index + 1}\n`,
  ).join('');
  const doubling = Array.from(
    { length: 40 },
    (_, index) => `- macro: d${index}\n  condition: d${index + 1} or d${index + 1}\n`,
  ).join('');
  const rule = (condition: string): string =>
    `- rule: r\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: INFO\n`;
  checkLoadIsClean(`${deepMacros}- macro: m1500\n  condition: evt.type = open\n${rule('m0')}`);
  checkLoadIsClean(`${doubling}- macro: d40\n  condition: evt.type = open\n${rule('d0')}`);
  checkLoadIsClean(rule('('.repeat(5000) + 'evt.type = open' + ')'.repeat(5000)));
  checkLoadIsClean('- a: &a [*a]\n' + '- &b [' + '*b, '.repeat(50) + ']\n');
});
