/**
 * How macro references that Falco cannot resolve are worded: a macro sees only the macros
 * defined above it, so a later macro is "used before it is defined", two macros using each
 * other are named together, and what follows from an error already reported is not repeated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleFiles } from './loader.js';

const rule = (condition: string) =>
  `- rule: R\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: INFO\n`;

function errorsOf(content: string): string[] {
  return loadRuleFiles([{ name: 'f.yaml', content }])
    .diagnostics.filter((diagnostic) => diagnostic.severity === 'error')
    .map(({ line, column, message, path }) => `${line}:${column} ${path}: ${message}`);
}

test('two macros using each other give one error naming both, at the first one', () => {
  const content = [
    '- macro: m1',
    '  condition: m2 and proc.name = a',
    '- macro: m2',
    '  condition: m1 or proc.name = b',
    rule('evt.type = execve and m1'),
  ].join('\n');
  assert.deepEqual(errorsOf(content), [
    "2:14 macro 'm1' > condition: macros 'm1' and 'm2' use each other: 'm2' is defined after 'm1', at line 3, and a macro can use only the macros defined above it",
  ]);
});

test('a macro using a macro defined below it says so, with the line of the definition', () => {
  const content = [
    '- macro: early',
    '  condition: proc.name = a and late',
    '- macro: late',
    '  condition: proc.pname = b',
    rule('evt.type = execve and early'),
  ].join('\n');
  assert.deepEqual(errorsOf(content), [
    "2:32 macro 'early' > condition: macro 'late' is used before it is defined (at line 3): a macro can use only the macros defined above it",
  ]);
});

test('a macro using itself says so; a name no macro has keeps Falco words', () => {
  const content = [
    '- macro: self',
    '  condition: self or proc.name = a',
    rule('evt.type = execve and self and nowhere'),
  ].join('\n');
  assert.deepEqual(errorsOf(content), [
    "2:14 macro 'self' > condition: macro 'self' refers to itself",
    "5:45 rule 'R' > condition: Undefined macro 'nowhere' used in filter.",
  ]);
});
