import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from './parser.js';
import { compileCondition, type CompiledFilter } from './compiler.js';
import type { FieldDefinition, FieldTable } from './fields/types.js';
import { closeEvaluationScope, openEvaluationScope, SharedChecks } from './shared-checks.js';

interface Event {
  name: string;
  size: number;
}

/** A table whose fields count their extractions. */
function countingTable() {
  const reads = { name: 0, size: 0 };
  const field = (name: 'name' | 'size', type: 'CHARBUF' | 'UINT64'): FieldDefinition<Event> => ({
    name: `t.${name}`,
    type,
    argument: 'none',
    description: 'test field',
    extract: (event) => {
      reads[name]++;
      return name === 'name' ? event.name : BigInt(event.size);
    },
  });
  const table: FieldTable<Event> = {
    source: 'test',
    fields: new Map([
      ['t.name', field('name', 'CHARBUF')],
      ['t.size', field('size', 'UINT64')],
    ]),
  };
  return { table, reads };
}

function compile(text: string, table: FieldTable<Event>, shared?: SharedChecks) {
  const parsed = parseCondition(text);
  assert.ok(parsed.ok);
  const compiled = compileCondition(parsed.ast, table, shared);
  assert.ok(compiled.ok);
  return compiled.filter;
}

function evaluateInScope(filters: CompiledFilter<Event>[], event: Event): boolean[] {
  openEvaluationScope();
  try {
    return filters.map((filter) => filter.evaluate(event));
  } finally {
    closeEvaluationScope();
  }
}

const conditions = [
  '(t.name = cat and t.size > 10) and t.name startswith c',
  '(t.name = cat and t.size > 10) or t.size = 3',
  'not (t.name = cat and t.size > 10) and (t.name = dog or t.size = 3)',
  '(t.name = dog or t.size = 3) and t.size < 100',
];

test('rules sharing a subexpression judge it once per scope, with unchanged verdicts', () => {
  const { table, reads } = countingTable();
  const shared = new SharedChecks();
  const filters = conditions.map((text) => compile(text, table, shared));
  const alone = countingTable();
  const unshared = conditions.map((text) => compile(text, alone.table));
  let sharedReads = 0;
  for (const event of [
    { name: 'cat', size: 11 },
    { name: 'cat', size: 3 },
    { name: 'dog', size: 200 },
    { name: 'cow', size: 3 },
  ]) {
    const expected = unshared.map((filter) => filter.evaluate(event));
    const before = reads.name + reads.size;
    assert.deepEqual(evaluateInScope(filters, event), expected, JSON.stringify(event));
    sharedReads += reads.name + reads.size - before;
    // Outside a scope nothing is remembered: each filter is judged in full.
    assert.deepEqual(
      filters.map((filter) => filter.evaluate(event)),
      expected,
    );
  }
  assert.ok(sharedReads < alone.reads.name + alone.reads.size);
});

test('a shared result lasts one scope: the next event is judged afresh', () => {
  const { table, reads } = countingTable();
  const shared = new SharedChecks();
  const filters = conditions.slice(0, 2).map((text) => compile(text, table, shared));
  assert.deepEqual(evaluateInScope(filters, { name: 'cat', size: 11 }), [true, true]);
  const afterFirst = reads.name;
  assert.deepEqual(evaluateInScope(filters, { name: 'cow', size: 11 }), [false, false]);
  assert.ok(reads.name > afterFirst);
  // The same event object with a changed value, in a new scope, is judged on its new value.
  const event = { name: 'cat', size: 11 };
  assert.deepEqual(evaluateInScope(filters, event), [true, true]);
  event.size = 3;
  assert.deepEqual(evaluateInScope(filters, event), [false, true]);
});

test('only subtrees equal but for their positions are shared', () => {
  const { table, reads } = countingTable();
  const shared = new SharedChecks();
  const [first, spaced, other] = [
    '(t.name = cat and t.size > 10)',
    '(  t.name = cat   and t.size > 10  )',
    '(t.name = cat and t.size > 11)',
  ].map((text) => compile(text, table, shared));
  const event = { name: 'cat', size: 11 };
  assert.deepEqual(evaluateInScope([first, spaced, other], event), [true, true, false]);
  // One read for the two equal subtrees, one for the other.
  assert.deepEqual(reads, { name: 2, size: 2 });
});
