import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YAMLParseError } from 'yaml';
import { describeSyntaxError, parseYamlDocuments } from './yaml-tree.js';
import { loadRuleFiles } from './loader.js';

const DEEP = 5000;

test('a 5000-deep flow list is a nested-too-deep error inside the brackets, not a stack overflow', () => {
  const text = `- list: deep\n  items: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n`;
  const parsed = parseYamlDocuments(text);
  assert.ok(!parsed.ok);
  assert.equal(
    parsed.error.message,
    'nested too deep: the YAML reader cannot follow lists and mappings this deep',
  );
  const itemsStart = text.indexOf('[');
  assert.ok(parsed.error.offset > itemsStart && parsed.error.offset < itemsStart + DEEP);
});

test('5000 nested block lists are reported as nested too deep with their line', () => {
  const text = Array.from({ length: DEEP }, (_, depth) => `${'  '.repeat(depth)}-`).join('\n');
  const [diagnostic] = loadRuleFiles([{ name: 'deep.yaml', content: text }]).diagnostics;
  assert.equal(diagnostic?.code, 'LOAD_ERR_YAML_PARSE');
  assert.match(diagnostic?.message ?? '', /^nested too deep/);
  assert.ok((diagnostic?.line ?? 0) > 1);
});

/** The YAML parse error of `content` as a rule file: [line, column, message]. */
function yamlError(content: string): [number, number, string] {
  const diagnostics = loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics;
  assert.deepEqual(
    diagnostics.map((item) => item.code),
    ['LOAD_ERR_YAML_PARSE'],
  );
  const [{ line, column, message }] = diagnostics as [(typeof diagnostics)[0]];
  return [line ?? 0, column ?? 0, message];
}

test('a flow sequence unclosed at the end of the file is reported at its [, at 2:10', () => {
  const found = "expected ']' to close the flow sequence opened here, found the end of the file";
  assert.deepEqual(yamlError('- list: items\n  items: [a, b'), [2, 10, found]);
  assert.deepEqual(yamlError('- list: items\n  items: [a, b\n\n'), [2, 10, found]);
});

test('unclosed quotes and flow mappings are reported where they open', () => {
  assert.deepEqual(yamlError('- macro: m\n  condition: "proc.name = x\n- list: l\n  items: []\n'), [
    2,
    14,
    "expected '\"' to close the double-quoted string opened here, found the end of the file",
  ]);
  assert.deepEqual(yamlError("- macro: m\n  condition: 'it''s\n"), [
    2,
    14,
    `expected "'" to close the single-quoted string opened here, found the end of the file`,
  ]);
  // The escaped quote does not close the string.
  assert.deepEqual(yamlError('- list: l\n  items: [a, "b\\"]\n').slice(0, 2), [2, 14]);
  assert.deepEqual(yamlError('- macro: m\n  condition: {a: b\n'), [
    2,
    14,
    "expected '}' to close the flow mapping opened here, found the end of the file",
  ]);
});

test('of nested brackets the unclosed one is named, and where the reader stopped before the end', () => {
  assert.deepEqual(yamlError('- list: l\n  items: [1, [2, 3]\n- list: m\n'), [
    2,
    10,
    "expected ']' to close the flow sequence opened here, found none before line 3, column 1",
  ]);
  assert.deepEqual(yamlError('- list: l\n  items: [1, {b: c\n').slice(0, 2), [2, 14]);
});

test('a YAML error the library places past the end of the file is moved onto its last character', () => {
  const text = '- list: l\n  items: x\n';
  const problem = new YAMLParseError([text.length, text.length + 1], 'UNEXPECTED_TOKEN', 'Oops');
  assert.deepEqual(describeSyntaxError(text, problem), {
    message: 'oops',
    offset: text.indexOf('x'),
  });
});
