import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import YAML from 'yaml';
import type { Expr, Position } from './ast.js';
import { parseCondition } from './parser.js';
import { printCondition } from './print.js';
import { corpusPath } from '../testing/corpus.js';

/** Conditions from libs' parser table and from every macro and rule in the Falco rule files. */
function loadSeeds(): string[] {
  const table = readFileSync(corpusPath('falco/libs-cases/filter_parser_cases.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { args: { str?: string }[] }).args[0].str)
    .filter((text): text is string => text !== undefined && text.length < 1000);

  const rulesFolder = corpusPath('falco/rules');
  const rules = readdirSync(rulesFolder).flatMap((name) => {
    const items: unknown = YAML.parse(readFileSync(`${rulesFolder}/${name}`, 'utf8'));
    return (Array.isArray(items) ? items : [])
      .map((item: { condition?: unknown } | null) => item?.condition)
      .filter((condition): condition is string => typeof condition === 'string');
  });
  return [...table, ...rules];
}

const seeds = loadSeeds();

/** Pieces that sit on the parser's decision points. */
const fragments = [
  '(',
  ')',
  '"',
  "'",
  '\\',
  ',',
  '=',
  '[',
  ']',
  ' ',
  '\n',
  '\t',
  '\b',
  '\0',
  'not ',
  'not(',
  'and',
  'or',
  ' and ',
  ' or ',
  'oneof ',
  'anyof ',
  'in ',
  'exists',
  'val(',
  'tolower(',
  'join("-", (',
  '0x',
  '1e+',
  '\\x',
  '\\q',
  'é',
  'a.b',
  'macro',
];

type Mutation =
  | { kind: 'insert'; at: number; fragment: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    fragment: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 3 })),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyMutation(text: string, change: Mutation): string {
  const at = text.length === 0 ? 0 : change.at % (text.length + 1);
  switch (change.kind) {
    case 'insert':
      return text.slice(0, at) + change.fragment + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'duplicate':
      return text.slice(0, at + change.length) + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
  }
}

/** The line and column a position must have, counted the way libs counts them. */
function checkPosition(text: string, position: Position): void {
  assert.ok(position.index >= 0 && position.index <= text.length, `index ${position.index}`);
  let line = 1;
  let column = 1;
  for (let i = 0; i < position.index; i++) {
    column++;
    if (text[i] === '\n' || text[i] === '\r') {
      line++;
      column = 1;
    }
  }
  assert.deepEqual(position, { index: position.index, line, column });
}

function childrenOf(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      return expr.children;
    case 'not':
      return [expr.child];
    case 'unary_check':
      return [expr.left];
    case 'binary_check':
      return [expr.left, expr.right];
    case 'field_transformer':
      return expr.values;
    default:
      return [];
  }
}

function checkTreePositions(text: string, expr: Expr): void {
  checkPosition(text, expr.position);
  for (const child of childrenOf(expr)) checkTreePositions(text, child);
}

describe('parser fuzzing', () => {
  test('never throws on mutated corpus and rule conditions, and places every position', () => {
    assert.ok(seeds.length > 1000);
    const input = fc.tuple(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
    );
    fc.assert(
      fc.property(input, ([seed, changes]) => {
        const text = changes.reduce(applyMutation, seeds[seed]);
        const result = parseCondition(text);
        if (!result.ok) return checkPosition(text, result.error.position);
        checkTreePositions(text, result.ast);
        assert.equal(typeof printCondition(result.ast), 'string');
      }),
      { numRuns: 400 },
    );
  });

  test('never throws on random text over the grammar alphabet', () => {
    const unit = fc.constantFrom(...fragments, 'a', 'b', '.', '1', '"x"', 'proc.name', ' = ');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        const result = parseCondition(text);
        if (!result.ok) checkPosition(text, result.error.position);
      }),
      { numRuns: 300 },
    );
  });
});

const at: Position = { index: 0, line: 1, column: 1 };

/** Values that print in a form that reads back: no ( ) , NUL or vertical tab, no final `\`. */
const safeValue = fc
  .string({
    unit: fc.constantFrom(
      'a',
      'B',
      '/',
      '.',
      '*',
      '-',
      '_',
      ' ',
      '"',
      "'",
      '\\',
      '\t',
      '\n',
      '=',
      'é',
      '7',
    ),
    minLength: 1,
    maxLength: 8,
  })
  .filter((text) => !text.endsWith('\\'));

const listName = fc.constantFrom('shell_binaries', 'known_users', 'oneof', 'anyof');
const fieldNode: fc.Arbitrary<Expr> = fc.oneof(
  fc
    .constantFrom('proc.name', 'evt.type', 'fd.name', 'k8s.ns.name')
    .map((field): Expr => ({ kind: 'field', field, position: at })),
  fc
    .constantFrom('2', 'a b', '')
    .map((argument): Expr => ({ kind: 'field', field: 'proc.aname', argument, position: at })),
);
const leftSide: fc.Arbitrary<Expr> = fc.oneof(
  fieldNode,
  fc
    .tuple(fc.constantFrom('tolower', 'toupper', 'b64', 'basename', 'len'), fieldNode)
    .map(([transformer, field]): Expr => ({
      kind: 'field_transformer',
      transformer,
      values: [field],
      position: at,
    })),
);
const valueNode = safeValue.map((value): Expr => ({ kind: 'value', value, position: at }));
const listNode = fc
  .array(safeValue, { maxLength: 3 })
  .map((values): Expr => ({ kind: 'list', values, position: at }));
const listOrName = fc.oneof(
  listNode,
  listName.map((value): Expr => ({ kind: 'value', value, position: at })),
);

const check: fc.Arbitrary<Expr> = fc.oneof(
  leftSide.map((left): Expr => ({ kind: 'unary_check', left, operator: 'exists', position: at })),
  fc
    .tuple(
      leftSide,
      fc.constantFrom('=', '==', '!=', 'contains', 'startswith', 'glob', 'regex'),
      valueNode,
    )
    .map(([left, operator, right]): Expr => ({
      kind: 'binary_check',
      left,
      operator,
      right,
      position: at,
    })),
  fc
    .tuple(
      leftSide,
      fc.constantFrom('<', '<=', '>', '>='),
      fc.constantFrom('0', '-12', '0x1F', '1.5e+3'),
    )
    .map(([left, operator, value]): Expr => ({
      kind: 'binary_check',
      left,
      operator,
      right: { kind: 'value', value, position: at },
      position: at,
    })),
  fc
    .tuple(
      leftSide,
      fc.constantFrom('in', 'intersects', 'pmatch', '= oneof', '!= allof', 'endswith anyof'),
      listOrName,
    )
    .map(([left, operator, right]): Expr => ({
      kind: 'binary_check',
      left,
      operator,
      right,
      position: at,
    })),
  fc
    .constantFrom('spawned_process', 'container', 'not_macro', 'andy')
    .map((identifier): Expr => ({ kind: 'identifier', identifier, position: at })),
);

const { condition } = fc.letrec<{ condition: Expr }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    check,
    fc
      .tuple(
        fc.constantFrom('and' as const, 'or' as const),
        fc.array(tie('condition'), { minLength: 2, maxLength: 3 }),
      )
      .map(([kind, children]): Expr => ({ kind, children, position: at })),
    tie('condition')
      .filter((child) => child.kind !== 'not')
      .map((child): Expr => ({ kind: 'not', child, position: at })),
  ),
}));

function withoutPositions(expr: Expr): unknown {
  return JSON.parse(
    JSON.stringify(expr, (key, item: unknown) => (key === 'position' ? undefined : item)),
  );
}

describe('generated conditions', () => {
  test('read back from their printed form as the same tree', () => {
    fc.assert(
      fc.property(condition, (tree) => {
        const printed = printCondition(tree);
        const result = parseCondition(printed);
        assert.ok(
          result.ok,
          `${JSON.stringify(printed)}: ${result.ok ? '' : result.error.message}`,
        );
        assert.deepEqual(withoutPositions(result.ast), withoutPositions(tree));
        checkTreePositions(printed, result.ast);
      }),
      { numRuns: 300 },
    );
  });
});
