import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import YAML from 'yaml';
import type { Expr, Position } from './ast.js';
import { parseCondition, type ParseResult } from './parser.js';
import { corpusPath } from '../testing/corpus.js';

/** One row of libs' parser test table: the helper called and its arguments. */
interface CaseRow {
  file: string;
  line: number;
  func: 'test_accept' | 'test_reject' | 'test_reject_msg' | 'test_equal_ast';
  args: ({ str: string } | { expr: string })[];
}

const rows: CaseRow[] = readFileSync(
  corpusPath('falco/libs-cases/filter_parser_cases.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CaseRow);

// Builders for expected trees; positions are ignored when trees are compared, as libs'
// is_equal ignores them.
const at: Position = { index: 0, line: 1, column: 1 };
const field = (name: string): Expr => ({ kind: 'field', field: name, position: at });
const value = (text: string): Expr => ({ kind: 'value', value: text, position: at });
const list = (...values: string[]): Expr => ({ kind: 'list', values, position: at });
const identifier = (name: string): Expr => ({ kind: 'identifier', identifier: name, position: at });
const not = (child: Expr): Expr => ({ kind: 'not', child, position: at });
const and = (...children: Expr[]): Expr => ({ kind: 'and', children, position: at });
const or = (...children: Expr[]): Expr => ({ kind: 'or', children, position: at });
const unary = (left: Expr, operator: string): Expr => ({
  kind: 'unary_check',
  left,
  operator,
  position: at,
});
const binary = (left: Expr, operator: string, right: Expr): Expr => ({
  kind: 'binary_check',
  left,
  operator,
  right,
  position: at,
});
const transform = (transformer: string, ...values: Expr[]): Expr => ({
  kind: 'field_transformer',
  transformer,
  values,
  position: at,
});

const allNodeTypes = or(
  and(unary(field('evt.name'), 'exists'), binary(field('evt.type'), 'in', list('a', 'b'))),
  binary(field('proc.name'), '=', value('cat')),
);

/** The C++ expressions of libs' table, written out as TypeScript, keyed by test line. */
const expectedTrees: Record<number, Expr> = {
  784: allNodeTypes,
  810: or(
    and(
      unary(transform('b64', field('evt.name')), 'exists'),
      binary(
        transform('tolower', transform('toupper', field('evt.type'))),
        'in',
        transform('val', field('some.field')),
      ),
    ),
    binary(field('proc.name'), '=', transform('b64', transform('tolower', field('some.field')))),
  ),
  832: allNodeTypes,
  851: allNodeTypes,
  855: not(not(identifier('not_macro'))),
  1403: binary(field('proc.name'), '== oneof', list('cat', 'nginx')),
  1411: binary(field('proc.name'), '!= anyof', list('cat', 'nginx')),
  1419: binary(field('proc.name'), '= allof', list('cat')),
  1427: binary(field('proc.name'), '== oneof', list()),
  1435: binary(field('proc.name'), '== oneof', value('my_list')),
  1445: and(
    binary(field('proc.name'), '== oneof', list('cat', 'nginx')),
    unary(field('fd.name'), 'exists'),
  ),
  1456: and(binary(field('proc.name'), '==', value('anyof')), unary(field('fd.name'), 'exists')),
  1469: and(
    binary(field('proc.name'), '== oneof', list('cat')),
    binary(field('proc.name'), '==', value('anyof')),
  ),
  1478: binary(field('proc.name'), 'contains oneof', list('cat', 'nginx')),
  1485: binary(field('proc.name'), 'startswith anyof', list('/etc/', '/tmp/')),
};

/** The `std::string(100000, '(')` input of the depth-limit row (line 99). */
const expressionInputs: Record<number, string> = { 99: '('.repeat(100000) };

/**
 * Rows that pass `&pos` to test_accept: libs checks where the parser stopped. Line 396 only
 * passes it to skip the whitespace variants, so it carries no expectation.
 */
const expectedEnds: Record<number, Position | null> = {
  396: null,
  738: { index: 7, line: 1, column: 8 },
  742: { index: 11, line: 1, column: 12 },
  746: { index: 5, line: 1, column: 6 },
  750: { index: 9, line: 1, column: 10 },
  754: { index: 5, line: 1, column: 6 },
  758: { index: 12, line: 3, column: 4 },
  762: { index: 17, line: 4, column: 3 },
};

function withoutPositions(expr: Expr): unknown {
  return JSON.parse(
    JSON.stringify(expr, (key, item: unknown) => (key === 'position' ? undefined : item)),
  );
}

function inputOf(row: CaseRow): string {
  const first = row.args[0];
  if ('str' in first) return first.str;
  const input = expressionInputs[row.line];
  if (input === undefined) throw new Error(`no TypeScript input for line ${row.line}`);
  return input;
}

function describeFailure(text: string, result: ParseResult): string {
  if (result.ok) return `accepted ${JSON.stringify(text)}`;
  const { message, position } = result.error;
  return `${JSON.stringify(text)} failed at ${position.line}:${position.column}: ${message}`;
}

/** libs' test_accept: the input and, unless an end is checked, three whitespace variants. */
function checkAccept(row: CaseRow, text: string): void {
  const checksEnd = row.args.length > 1;
  const variants = [text];
  if (!checksEnd) {
    const padded = ` ${text} `;
    variants.push(padded, padded.replaceAll(' ', '\n'), padded.replaceAll(' ', '\t'));
  }
  for (const variant of variants) {
    const result = parseCondition(variant);
    assert.ok(result.ok, describeFailure(variant, result));
  }
  if (checksEnd) checkEnd(row, text);
}

/**
 * Where the parser stopped, seen through a stray `)` appended to the input: libs reports
 * trailing text at the position the accepted input ended.
 */
function checkEnd(row: CaseRow, text: string): void {
  const end = expectedEnds[row.line];
  if (end === undefined) throw new Error(`no expected end for line ${row.line}`);
  if (end === null) return;
  const result = parseCondition(`${text})`);
  assert.ok(!result.ok, describeFailure(text, result));
  assert.match(result.error.message, /^unexpected token after '\w+', expecting 'or', 'and'$/);
  assert.deepEqual(result.error.position, end);
}

function checkReject(text: string): ParseResult & { ok: false } {
  const result = parseCondition(text);
  assert.ok(!result.ok, describeFailure(text, result));
  assert.ok(result.error.position.index >= 0 && result.error.position.index <= text.length);
  return result;
}

function checkRow(row: CaseRow): void {
  const text = inputOf(row);
  switch (row.func) {
    case 'test_accept':
      return checkAccept(row, text);
    case 'test_reject':
      checkReject(text);
      return;
    case 'test_reject_msg': {
      const expected = row.args[1];
      assert.ok('str' in expected);
      assert.equal(checkReject(text).error.message, expected.str);
      return;
    }
    case 'test_equal_ast': {
      const expected = expectedTrees[row.line];
      if (expected === undefined) throw new Error(`no expected tree for line ${row.line}`);
      const result = parseCondition(text);
      assert.ok(result.ok, describeFailure(text, result));
      assert.deepEqual(withoutPositions(result.ast), withoutPositions(expected));
      return;
    }
  }
}

describe("libs' filter parser cases", () => {
  test('covers all 546 rows of the table', () => {
    assert.equal(rows.length, 546);
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.func, (counts.get(row.func) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), {
      test_reject_msg: 5,
      test_accept: 335,
      test_reject: 191,
      test_equal_ast: 15,
    });
  });

  for (const row of rows) {
    const first = row.args[0];
    const shown = 'str' in first ? JSON.stringify(first.str).slice(0, 80) : first.expr;
    test(`${row.func} ${shown} (${row.file}:${row.line})`, () => checkRow(row));
  }
});

/** libs' pos_visitor: each node's kind and `index line column`, in visiting order. */
function positionTrace(expr: Expr): string {
  const { index, line, column } = expr.position;
  const here = `${index} ${line} ${column}`;
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.kind + here + expr.children.map(positionTrace).join('');
    case 'not':
      return `not${here}${positionTrace(expr.child)}`;
    case 'identifier':
    case 'value':
    case 'list':
    case 'transformer_list':
    case 'field':
      return expr.kind + here;
    case 'unary_check':
      return `unary${here}${positionTrace(expr.left)}`;
    case 'binary_check':
      return `binary${here}${positionTrace(expr.left)}${positionTrace(expr.right)}`;
    case 'field_transformer':
      return `transformer${here}${expr.values.map(positionTrace).join('')}`;
  }
}

function traceOf(text: string): string {
  const result = parseCondition(text);
  assert.ok(result.ok, describeFailure(text, result));
  return positionTrace(result.ast);
}

describe('node positions, as in libs position_* tests', () => {
  const cases: [string, string][] = [
    ['proc.name exists', 'unary0 1 1field0 1 1'],
    ['proc.name=nginx', 'binary0 1 1field0 1 1value10 1 11'],
    ['proc.aname[3]=nginx', 'binary0 1 1field0 1 1value14 1 15'],
    ['proc.name =nginx', 'binary0 1 1field0 1 1value11 1 12'],
    ['proc.name= nginx', 'binary0 1 1field0 1 1value11 1 12'],
    ['proc.name = nginx', 'binary0 1 1field0 1 1value12 1 13'],
    ['proc.name in (nginx, apache)', 'binary0 1 1field0 1 1list13 1 14'],
    ['proc.name in ( nginx, apache)', 'binary0 1 1field0 1 1list13 1 14'],
    ['not proc.name=nginx', 'not0 1 1binary4 1 5field4 1 5value14 1 15'],
    [
      'proc.name=nginx or proc.name=apache',
      'or0 1 1binary0 1 1field0 1 1value10 1 11binary19 1 20field19 1 20value29 1 30',
    ],
    [
      '(proc.name=nginx or proc.name=apache)',
      'or1 1 2binary1 1 2field1 1 2value11 1 12binary20 1 21field20 1 21value30 1 31',
    ],
    [
      'proc.name=nginx and proc.name=apache',
      'and0 1 1binary0 1 1field0 1 1value10 1 11binary20 1 21field20 1 21value30 1 31',
    ],
    [
      '(proc.name=nginx and proc.name=apache)',
      'and1 1 2binary1 1 2field1 1 2value11 1 12binary21 1 22field21 1 22value31 1 32',
    ],
    [
      '(proc.aname[2]=nginx and evt.type in (connect,accept)) or (not fd.name exists) or ' +
        '(proc.name=apache and evt.type=switch)',
      'or0 1 1and1 1 2binary1 1 2field1 1 2value15 1 16binary25 1 26field25 1 26list37 1 38' +
        'not59 1 60unary63 1 64field63 1 64and83 1 84binary83 1 84field83 1 84value93 1 94' +
        'binary104 1 105field104 1 105value113 1 114',
    ],
    [
      '\n(proc.aname[2]=nginx\n     and evt.type in (connect,accept))\n' +
        '   or (not fd.name exists)\n   or (proc.name=apache\n       and evt.type=switch)',
      'or0 1 1and2 2 2binary2 2 2field2 2 2value16 2 16binary31 3 10field31 3 10list43 3 22' +
        'not68 4 8unary72 4 12field72 4 12and95 5 8binary95 5 8field95 5 8value105 5 18' +
        'binary123 6 12field123 6 12value132 6 21',
    ],
    [
      'b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) or ' +
        'proc.name=b64(tolower(some.field))',
      'or0 1 1and0 1 1unary0 1 1transformer0 1 1field4 1 5binary25 1 26transformer25 1 26' +
        'transformer33 1 34field41 1 42transformer55 1 56field59 1 60binary74 1 75field74 1 75' +
        'transformer84 1 85transformer88 1 89field96 1 97',
    ],
    ['proc.name == oneof (cat)', 'binary0 1 1field0 1 1list19 1 20'],
    // A transformer argument takes the position from before its leading blanks.
    [
      'join("-", (fd.name, fd.directory)) = value',
      'binary0 1 1transformer0 1 1value5 1 6transformer_list9 1 10value37 1 38',
    ],
  ];
  test('gives every item of a transformer list the position of the list', () => {
    const result = parseCondition('join("-", ( fd.name,  tolower(fd.directory), "x")) = value');
    assert.ok(result.ok && result.ast.kind === 'binary_check');
    const join = result.ast.left;
    assert.ok(join.kind === 'field_transformer' && join.values[1].kind === 'transformer_list');
    const items = join.values[1].children;
    assert.deepEqual(
      items.map((item) => [item.kind, item.position.index]),
      [
        ['field', 9],
        ['field_transformer', 9],
        ['value', 9],
      ],
    );
  });

  for (const [text, expected] of cases) {
    test(`places the nodes of ${JSON.stringify(text).slice(0, 60)}`, () => {
      assert.equal(traceOf(text), expected);
    });
  }
});

describe('errors carry libs messages and stop positions', () => {
  const transformers =
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";
  const operators =
    "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', " +
    "'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'";
  const unbalanced = 'parser fatal error: recursion is unbalanced';
  const cases: [string, string, [number, number, number], number?][] = [
    ['', 'filter input string is empty', [0, 1, 1]],
    ['   ', "expected a '(' token, a field check, or an identifier", [3, 1, 4]],
    ['proc.name in (bash, sh', "expected a ')' token", [22, 1, 23]],
    ['a.b = b = 1', "unexpected token after 'b', expecting 'or', 'and'", [8, 1, 9]],
    ['evt.type = open and', "expected blank or '(' after 'and'", [19, 1, 20]],
    ['a andb', "expected blank or '(' after 'and'", [5, 1, 6]],
    ['a.a badoperator xxx', `expected a valid check operator: one of ${operators}`, [4, 1, 5]],
    [
      "proc.name = x and\n  fd.name = 'unterminated",
      `expected a string value or a field with a valid transformer: ${transformers}`,
      [30, 2, 13],
    ],
    [
      'evt.num > oneof (1, 2)',
      `expected a number value or a field with a valid transformer: ${transformers}`,
      [10, 1, 11],
    ],
    [
      'proc.name in oneof (cat)',
      "unexpected token after 'oneof', expecting 'or', 'and'",
      [19, 1, 20],
    ],
    ['proc.name = "\\q"', 'unsupported string escape sequence: \\q', [16, 1, 17]],
    ["proc.name = '\\\"'", 'invalid \\" escape in \'-quoted string', [16, 1, 17]],
    ['proc.name = "\\\'"', 'invalid \\\' escape in "-quoted string', [16, 1, 17]],
    ['proc.name = "\\x4"', 'truncated hex char escape sequence', [17, 1, 18]],
    ['proc.name = "\\x4g"', 'invalid hex char escape sequence: 4g', [18, 1, 19]],
    ['proc.name = oneof or_list', "expected blank or '(' after 'or'", [20, 1, 21]],
    ['some.field = val(tolower(a.b))', "expected a field within 'val' transformer", [17, 1, 18]],
    [
      'join("-", (a.b,)) = x',
      'expected transformer list argument: field, transformer, quoted string, or number',
      [15, 1, 16],
    ],
    [
      'tolower(x) = y',
      'expected field transformer argument: ' +
        'field, transformer, quoted string, number, or transformer list',
      [8, 1, 9],
    ],
    ['evt.arg[a b] = c', "expected a ']' token", [9, 1, 10]],
    ['((a))', 'exceeded max depth limit of 5', [1, 1, 2], 5],
    // A depth failure on a list's first item reads as an empty list and leaks one level.
    ['a.b in ()', unbalanced, [9, 1, 10], 7],
    ['a.b in (x)', "expected a ')' token", [8, 1, 9], 7],
    ['(' + 'not('.repeat(22) + 'a.b in ()' + ')'.repeat(23), unbalanced, [121, 1, 122]],
    // libs' message is a C string, so a NUL quoted from the input cuts it short.
    ['a.b =\0 not', "unexpected token after '", [7, 1, 8]],
    // libs quotes two bytes: here the two UTF-8 bytes of the 'é'.
    ['a.b = "\\xé4"', 'invalid hex char escape sequence: é', [12, 1, 13]],
  ];
  for (const [text, message, [index, line, column], maxDepth] of cases) {
    test(`rejects ${JSON.stringify(text)} at ${line}:${column}`, () => {
      const result = parseCondition(text, maxDepth === undefined ? {} : { maxDepth });
      assert.ok(!result.ok, describeFailure(text, result));
      assert.equal(result.error.message, message);
      assert.deepEqual(result.error.position, { index, line, column });
    });
  }
});

describe('libs quirks kept on purpose', () => {
  test('reads a list whose first item has a bad escape as an empty list', () => {
    const result = parseCondition('a.b in ("\\q")');
    assert.ok(result.ok);
    assert.deepEqual(
      withoutPositions(result.ast),
      withoutPositions(binary(field('a.b'), 'in', list())),
    );
  });

  test('reads "invalidoperator" as the list operator "in" and a list name', () => {
    const result = parseCondition('a.a invalidoperator xxx');
    assert.ok(!result.ok);
    assert.equal(
      result.error.message,
      "unexpected token after 'validoperator', expecting 'or', 'and'",
    );
    assert.deepEqual(result.error.position, { index: 20, line: 1, column: 21 });
  });

  test('reads a lone "not" as a macro name and "inx" as "in x"', () => {
    const lone = parseCondition('not');
    assert.ok(lone.ok);
    assert.deepEqual(withoutPositions(lone.ast), withoutPositions(identifier('not')));
    const glued = parseCondition('a.b inx');
    assert.ok(glued.ok);
    assert.deepEqual(
      withoutPositions(glued.ast),
      withoutPositions(binary(field('a.b'), 'in', value('x'))),
    );
  });

  test('does not close a string at a quote after an escaped backslash', () => {
    assert.equal(parseCondition('a.b = "x\\\\" or c').ok, false);
    const result = parseCondition('a.b = "x\\\\"" or c');
    assert.ok(result.ok);
  });

  test('unescapes quoted values and keeps "\\ " as a lone backslash', () => {
    const result = parseCondition('a.b in ("t\\tab", \'\\x41\\/\', "bad \\ x")');
    assert.ok(result.ok);
    assert.deepEqual(
      withoutPositions(result.ast),
      withoutPositions(binary(field('a.b'), 'in', list('t\tab', 'A/', 'bad \\x'))),
    );
  });
});

describe('pathological input', () => {
  test('rejects 100000 "(" with the depth message in well under a second', () => {
    const started = performance.now();
    const result = parseCondition('('.repeat(100000));
    assert.ok(!result.ok);
    assert.equal(result.error.message, 'exceeded max depth limit of 100');
    assert.deepEqual(result.error.position, { index: 20, line: 1, column: 21 });
    assert.ok(performance.now() - started < 1000);
  });

  test('folds 100001 "not " prefixes into one negation without recursion', () => {
    const result = parseCondition('not '.repeat(100001) + 'a');
    assert.ok(result.ok);
    assert.deepEqual(withoutPositions(result.ast), withoutPositions(not(identifier('a'))));
  });

  test('stops deep "not(" and "and (" chains at the depth limit', () => {
    for (const text of ['not('.repeat(50000) + 'a', 'a and ('.repeat(50000) + 'a']) {
      const result = parseCondition(text);
      assert.ok(!result.ok);
      assert.equal(result.error.message, 'exceeded max depth limit of 100');
    }
  });

  test('returns an error, not a throw, when a huge maxDepth exhausts the stack', () => {
    const result = parseCondition('('.repeat(1_000_000), { maxDepth: 0xffffffff });
    assert.ok(!result.ok);
    assert.match(result.error.message, /stack/);
  });

  test('throws RangeError for a maxDepth that libs could not hold', () => {
    assert.throws(() => parseCondition('a', { maxDepth: -1 }), RangeError);
    assert.throws(() => parseCondition('a', { maxDepth: 1.5 }), RangeError);
  });
});

describe('Falco rule files', () => {
  test('accepts the condition of every macro and rule in the rules corpus', () => {
    const folder = corpusPath('falco/rules');
    let conditions = 0;
    for (const name of readdirSync(folder)) {
      const items: unknown = YAML.parse(readFileSync(`${folder}/${name}`, 'utf8'));
      for (const item of Array.isArray(items) ? items : []) {
        const condition: unknown = (item as { condition?: unknown } | null)?.condition;
        if (typeof condition !== 'string') continue;
        const result = parseCondition(condition);
        assert.ok(result.ok, `${name}: ${describeFailure(condition, result)}`);
        conditions++;
      }
    }
    assert.equal(conditions, 1064);
  });
});
