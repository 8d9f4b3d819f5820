import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlDocuments } from './yaml-tree.js';
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
