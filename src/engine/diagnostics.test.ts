/**
 * Text rendering of diagnostics: header, snippet with a caret, item path; long lines cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  diagnosticCodes,
  diagnosticToJson,
  formatDiagnostic,
  inReadingOrder,
  type Diagnostic,
} from './diagnostics.js';

const base: Diagnostic = {
  code: 'LOAD_ERR_COMPILE_CONDITION',
  severity: 'error',
  message: "expected ')' to close the list, found end of condition",
  file: 'rules/local.yaml',
  line: 14,
  column: 37,
  snippet: '  condition: proc.name in (bash, sh',
  path: "rule 'Shell in container' > condition",
  itemType: 'rule',
  itemName: 'Shell in container',
};

test('renders header, snippet, caret and path as the style guide shows', () => {
  assert.equal(
    formatDiagnostic(base),
    [
      "rules/local.yaml:14:37: error LOAD_ERR_COMPILE_CONDITION: expected ')' to close the list, found end of condition",
      '   14 |   condition: proc.name in (bash, sh',
      '      |                                     ^',
      "  in rule 'Shell in container' > condition",
    ].join('\n'),
  );
});

test('keeps tabs in the caret line so the caret lines up', () => {
  const text = formatDiagnostic({ ...base, snippet: '\tx = 1', column: 4, path: '' });
  assert.equal(text.split('\n')[2], '      | \t  ^');
});

test('cuts long lines around the caret and marks the cuts', () => {
  const snippet = 'a'.repeat(300) + 'X' + 'b'.repeat(300);
  const [, line, caret] = formatDiagnostic({ ...base, snippet, column: 301 }).split('\n');
  assert.ok(line?.includes('...'));
  assert.equal(line?.length, '   14 | '.length + 160);
  assert.equal(line?.[(caret ?? '').indexOf('^')], 'X');
});

test('the JSON form adds the item label', () => {
  assert.equal(diagnosticToJson(base).item, "rule 'Shell in container'");
});

/** Harrier's own codes that are warnings; its other codes are errors. */
const harrierWarnings = new Set([
  'HARRIER_FD_FIELD_WITHOUT_FD',
  'HARRIER_DUPLICATE_KEY',
  'HARRIER_APPEND_OUTPUT_NO_RULE',
]);

test('every code has a severity, a meaning and a cost', () => {
  for (const [code, description] of Object.entries(diagnosticCodes)) {
    const isError =
      code.startsWith('LOAD_ERR') || (code.startsWith('HARRIER') && !harrierWarnings.has(code));
    assert.equal(description.severity, isError ? 'error' : 'warning', code);
    assert.ok(description.meaning.length > 10 && description.cost.length > 3, code);
  }
});

test('escapes control bytes in the snippet, message and path, keeping the caret aligned', () => {
  const text = formatDiagnostic({
    ...base,
    message: "unexpected '\u0001'",
    column: 18,
    snippet: '  condition: a\u0000\u001b b',
    path: "rule 'R\u0007'",
  }).split('\n');
  assert.deepEqual(text, [
    "rules/local.yaml:14:18: error LOAD_ERR_COMPILE_CONDITION: unexpected '\\x01'",
    '   14 |   condition: a\\x00\\x1b b',
    `      | ${' '.repeat('  condition: a\\x00\\x1b '.length)}^`,
    "  in rule 'R\\x07'",
  ]);
});

test('bytes that are not UTF-8 show as \\ufffd, not as a replacement glyph', () => {
  const snippet = Buffer.from([0x7f, 0x45, 0xff, 0xfe, 0x41]).toString('utf8');
  const [, line] = formatDiagnostic({ ...base, snippet, column: 1 }).split('\n');
  assert.equal(line, '   14 | \\x7fE\\ufffd\\ufffdA');
});

test('a problem with the whole file has no line, column or snippet', () => {
  const whole = { ...base, code: 'LOAD_ERR_FILE_READ', line: 0, column: 0, snippet: '', path: '' };
  assert.equal(
    formatDiagnostic(whole as Diagnostic),
    `rules/local.yaml: error LOAD_ERR_FILE_READ: ${base.message}`,
  );
});

test('reading order is file by first appearance, then line, then column, ties as found', () => {
  const at = (file: string, line: number, column: number, message = ''): Diagnostic => ({
    ...base,
    file,
    line,
    column,
    message,
  });
  const found = [
    at('missing.yaml', 0, 0),
    at('a.yaml', 10, 13),
    at('a.yaml', 13, 3),
    at('b.yaml', 2, 1),
    at('a.yaml', 12, 25),
    at('a.yaml', 3, 36, 'first'),
    at('a.yaml', 3, 36, 'second'),
    at('a.yaml', 3, 5),
  ];
  const place = (item: Diagnostic) => `${item.file}:${item.line}:${item.column}${item.message}`;
  assert.deepEqual(inReadingOrder(found).map(place), [
    'missing.yaml:0:0',
    'a.yaml:3:5',
    'a.yaml:3:36first',
    'a.yaml:3:36second',
    'a.yaml:10:13',
    'a.yaml:12:25',
    'a.yaml:13:3',
    'b.yaml:2:1',
  ]);
  assert.equal(found[1]?.line, 10, 'the input is left as it was');
});
