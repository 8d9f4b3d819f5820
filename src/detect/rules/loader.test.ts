/**
 * Loader behaviour beyond Falco's own cases: positions and snippets of diagnostics, going on
 * past errors, multi-file semantics, yaml-cpp value conversions, priorities and the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Diagnostic, formatDiagnostic, parseCondition } from '../../engine/index.js';
import { loadRuleFiles, loadRuleFilesFromDisk } from './loader.js';

const rule = (name: string, condition: string, extra = ''): string =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o %proc.name\n  priority: INFO\n${extra}`;

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((item) => item.code === code);
  assert.equal(found.length, 1, diagnostics.map((item) => formatDiagnostic(item)).join('\n'));
  return found[0] as Diagnostic;
}

test('reports a syntax error at the line and column inside a plain condition, with a caret', () => {
  const condition = 'evt.type = execve and proc.name in (bash, sh';
  const parsed = parseCondition(condition);
  assert.ok(!parsed.ok);
  const column = '  condition: '.length + 1 + parsed.error.position.index;
  const { diagnostics, ruleSet } = loadRuleFiles([
    { name: 'local.yaml', content: rule('Shell', condition) },
  ]);
  const error = only(diagnostics, 'LOAD_ERR_COMPILE_CONDITION');
  assert.equal(ruleSet, undefined);
  assert.equal(error.line, 3);
  assert.equal(error.column, column);
  assert.equal(error.path, "rule 'Shell' > condition");
  const text = formatDiagnostic(error).split('\n');
  assert.equal(
    text[0],
    `local.yaml:3:${column}: error LOAD_ERR_COMPILE_CONDITION: ${error.message}`,
  );
  assert.equal(text[1], '    3 |   condition: evt.type = execve and proc.name in (bash, sh');
  assert.equal(text[2], `      | ${' '.repeat(column - 1)}^`);
  assert.equal(text[3], "  in rule 'Shell' > condition");
});

test('maps a position inside a folded block condition to its own line', () => {
  const content = `- rule: R\n  desc: d\n  condition: >\n    evt.type = open and\n    proc.nmae = cat\n  output: o\n  priority: INFO\n`;
  const error = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_ERR_COMPILE_CONDITION',
  );
  assert.equal(error.line, 5);
  assert.equal(error.column, 5);
  assert.equal(error.snippet, '    proc.nmae = cat');
});

test('points an error inside a macro at the macro, even when found through a rule', () => {
  const content = `- macro: m\n  condition: proc.nmae = cat\n${rule('R', 'evt.type = open and m')}`;
  const error = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_ERR_COMPILE_CONDITION',
  );
  assert.equal(error.line, 2);
  assert.equal(error.column, 14);
  assert.equal(error.path, "rule 'R' > condition > macro 'm' > condition");
  assert.equal(error.itemType, 'rule');
});

test('points at the start of a double-quoted condition with escapes, and says so', () => {
  const content = rule('R', '"evt.type = open and proc.name = \\"a\\" and proc.nmae = x"');
  const error = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_ERR_COMPILE_CONDITION',
  );
  assert.equal(error.column, 14);
  assert.match(error.path, /start of the quoted value/);
});

test('keeps reading after a broken item and reports every error of the file', () => {
  const content = [
    rule('A', 'evt.type = open and'),
    '- list: l\n',
    rule('B', 'evt.type = open and nope'),
  ].join('');
  const { diagnostics } = loadRuleFiles([{ name: 'f.yaml', content }]);
  const errors = diagnostics.filter((item) => item.severity === 'error').map((item) => item.code);
  assert.deepEqual(errors.sort(), [
    'LOAD_ERR_COMPILE_CONDITION',
    'LOAD_ERR_VALIDATE',
    'LOAD_ERR_YAML_VALIDATE',
  ]);
});

test('does not repeat an error for appends to an item whose definition failed', () => {
  const content = `- list: l\n  items: 5\n- list: l\n  items: [a]\n  override:\n    items: append\n`;
  const errors = loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics.filter(
    (item) => item.severity === 'error',
  );
  assert.deepEqual(
    errors.map((item) => item.message),
    ['Value is not a sequence'],
  );
});

test('a later file appends to and disables rules of an earlier one', () => {
  const base = `- list: shells\n  items: [bash]\n${rule('R', 'evt.type = execve and proc.name in (shells)')}`;
  const local = `- list: shells\n  items: [zsh]\n  override:\n    items: append\n- rule: R\n  enabled: false\n  override:\n    enabled: replace\n`;
  const result = loadRuleFiles([
    { name: 'base.yaml', content: base },
    { name: 'local.yaml', content: local },
  ]);
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.rules[0]?.conditionText, '(evt.type = execve and proc.name in (bash, zsh))');
  assert.equal(result.ruleSet?.enabledCount, 0);
});

test('a rule cannot use a macro that only a later file defines, as in Falco', () => {
  const result = loadRuleFiles([
    { name: 'a.yaml', content: rule('R', 'evt.type = open and later') },
    { name: 'b.yaml', content: '- macro: later\n  condition: proc.name = cat\n' },
  ]);
  const error = only(result.diagnostics, 'LOAD_ERR_VALIDATE');
  assert.equal(error.file, 'a.yaml');
  assert.equal(error.message, "Undefined macro 'later' used in filter.");
});

test('converts booleans and integers as yaml-cpp does', () => {
  const extra = '  enabled: "Off"\n  capture: Y\n  capture_duration: 0x10\n  tags: [b, a, b]\n';
  const result = loadRuleFiles([{ name: 'f.yaml', content: rule('R', 'evt.type = open', extra) }]);
  assert.deepEqual(result.diagnostics, []);
  const compiled = result.rules[0];
  assert.equal(compiled?.enabled, false);
  assert.equal(compiled?.capture, true);
  assert.equal(compiled?.captureDuration, 16);
  assert.deepEqual(compiled?.tags, ['a', 'b']);
});

test('rejects a boolean in mixed case with LOAD_ERR_YAML_VALIDATE on the value', () => {
  const result = loadRuleFiles([
    { name: 'f.yaml', content: rule('R', 'evt.type = open', '  enabled: tRUE\n') },
  ]);
  const error = only(result.diagnostics, 'LOAD_ERR_YAML_VALIDATE');
  assert.equal(error.message, "Can't decode YAML scalar value");
  assert.equal(error.path, "rule 'R' > enabled");
  assert.equal(error.line, 6);
});

test('accepts every priority spelling Falco accepts and rejects others', () => {
  for (const [text, expected] of [
    ['info', 'Informational'],
    ['INFORMATIONAL', 'Informational'],
    ['warning', 'Warning'],
    ['EMERGENCY', 'Emergency'],
  ]) {
    const content = rule('R', 'evt.type = open').replace('priority: INFO', `priority: ${text}`);
    assert.equal(loadRuleFiles([{ name: 'f.yaml', content }]).rules[0]?.priority, expected);
  }
  const content = rule('R', 'evt.type = open').replace('priority: INFO', 'priority: warn');
  assert.equal(
    only(loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics, 'LOAD_ERR_YAML_VALIDATE')
      .message,
    "Invalid priority 'warn': expected one of emergency, alert, critical, error, warning, notice, informational (or info), debug, in any letter case",
  );
});

test('substitutes lists as text, quoting items with spaces and dropping empty lists', () => {
  const content = `- list: empty\n  items: []\n- list: names\n  items: [a b, "'c d'", e]\n${rule('R', 'evt.type = open and proc.name in (empty, names)')}`;
  const result = loadRuleFiles([{ name: 'f.yaml', content }]);
  assert.equal(
    result.rules[0]?.conditionText,
    '(evt.type = open and proc.name in ("a b", "c d", e))',
  );
});

test('exceptions become not-clauses in Falco\u2019s form', () => {
  const extra = [
    '  exceptions:',
    '    - name: one',
    '      fields: proc.name',
    '      values: [cat, my app]',
    '    - name: pair',
    '      fields: [proc.name, fd.name]',
    '      comps: [=, startswith]',
    '      values: [[sh, /tmp], [ls, /etc]]',
    '',
  ].join('\n');
  const result = loadRuleFiles([{ name: 'f.yaml', content: rule('R', 'evt.type = open', extra) }]);
  assert.equal(
    result.rules[0]?.conditionText,
    '(evt.type = open and not proc.name in (cat, "my app") and not ((proc.name = sh and fd.name startswith /tmp) or (proc.name = ls and fd.name startswith /etc)))',
  );
  assert.deepEqual(result.rules[0]?.exceptionFields, ['fd.name', 'proc.name']);
});

test('reports an unreadable file as LOAD_ERR_FILE_READ and still checks the others', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-rules-'));
  const good = path.join(directory, 'good.yaml');
  writeFileSync(good, rule('R', 'evt.type = open and nope'));
  const result = await loadRuleFilesFromDisk([path.join(directory, 'missing.yaml'), good]);
  assert.deepEqual(
    result.diagnostics.map((item) => item.code),
    ['LOAD_ERR_FILE_READ', 'LOAD_ERR_VALIDATE'],
  );
  assert.equal(result.ruleSet, undefined);
});

test('an empty file and empty documents load to an empty ruleset', () => {
  const result = loadRuleFiles([{ name: 'f.yaml', content: '---\n---\n# nothing\n' }]);
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.ruleSet?.enabledCount, 0);
});

test('a rule with a bad condition and a bad output reports both', () => {
  const content = rule('R', 'evt.type = open and (proc.name = a').replace(
    'output: o %proc.name',
    'output: o %proc.nme',
  );
  const { diagnostics } = loadRuleFiles([{ name: 'f.yaml', content }]);
  assert.deepEqual(
    diagnostics.map((item) => [item.code, item.line, item.path]),
    [
      ['LOAD_ERR_COMPILE_OUTPUT', 4, "rule 'R' > output"],
      ['LOAD_ERR_COMPILE_CONDITION', 3, "rule 'R' > condition"],
    ],
  );
});

test('every bad key of a rule is reported, and its condition is still compiled', () => {
  const content = rule('R', 'evt.type = open and nope')
    .replace('desc: d', 'desc: [d]')
    .replace('priority: INFO', 'priority: severe\n  enabled: maybe');
  const { diagnostics, rules } = loadRuleFiles([{ name: 'f.yaml', content }]);
  assert.deepEqual(
    diagnostics.map((item) => [item.code, item.line, item.path]),
    [
      ['LOAD_ERR_YAML_VALIDATE', 2, "rule 'R' > desc"],
      ['LOAD_ERR_YAML_VALIDATE', 5, "rule 'R' > priority"],
      ['LOAD_ERR_YAML_VALIDATE', 6, "rule 'R' > enabled"],
      ['LOAD_ERR_VALIDATE', 3, "rule 'R' > condition"],
    ],
  );
  assert.deepEqual(rules, [], 'a rule with a bad key is not shown as loaded');
});

test('LOAD_UNKNOWN_KEY points at the unknown key, not at the item', () => {
  const content = rule('R', 'evt.type = open', '  tagz: [a]\n');
  const warning = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_UNKNOWN_KEY',
  );
  assert.deepEqual([warning.line, warning.column, warning.path], [6, 3, "rule 'R' > tagz"]);
  assert.equal(warning.snippet, '  tagz: [a]');
});

test('a byte order mark before the first item is skipped, and line 1 columns stay as seen', () => {
  const content = '\uFEFF- tagz: [a]\n' + rule('R', 'evt.type = open').slice(2).replace(/^/, '  ');
  const { diagnostics, rules } = loadRuleFiles([{ name: 'bom.yaml', content }]);
  const warning = only(diagnostics, 'LOAD_UNKNOWN_KEY');
  assert.deepEqual([warning.line, warning.column, warning.snippet], [1, 3, '- tagz: [a]']);
  assert.equal(diagnostics.length, 1, diagnostics.map((item) => formatDiagnostic(item)).join('\n'));
  assert.deepEqual(
    rules.map((loaded) => loaded.name),
    ['R'],
  );
});

test('a repeated key warns at the repeat, naming the first, which is the one read', () => {
  const exception =
    '  exceptions:\n    - name: e\n      fields: proc.name\n      fields: proc.pname\n';
  const content = rule('R', 'evt.type = open', `  desc: second\n${exception}      values: [x]\n`);
  const { diagnostics, rules } = loadRuleFiles([{ name: 'f.yaml', content }]);
  const repeats = diagnostics.filter((item) => item.code === 'HARRIER_DUPLICATE_KEY');
  assert.deepEqual(
    repeats.map((item) => [item.severity, item.line, item.column, item.path, item.message]),
    [
      [
        'warning',
        6,
        3,
        "rule 'R' > desc",
        "key 'desc' appears again in this mapping; the first one, at line 2 column 3, is used and this one is ignored",
      ],
      [
        'warning',
        10,
        7,
        "rule 'R' > exceptions > fields",
        "key 'fields' appears again in this mapping; the first one, at line 9 column 7, is used and this one is ignored",
      ],
    ],
  );
  assert.equal(rules[0]?.description, 'd');
  assert.deepEqual(rules[0]?.exceptionFields, ['proc.name']);
});

test('a tab in indentation is named as the YAML error, at the tab', () => {
  const content = '- rule: R\n\tdesc: d\n';
  const error = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_ERR_YAML_PARSE',
  );
  assert.equal(error.message, 'tabs are not allowed in YAML indentation; indent with spaces');
  assert.deepEqual([error.line, error.column], [2, 1]);
});

test('YAML errors do not repeat the position in the message nor end with a colon', () => {
  const content = '- rule: R\n  desc: x: y\n';
  const error = only(
    loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics,
    'LOAD_ERR_YAML_PARSE',
  );
  assert.equal(error.message, 'nested mappings are not allowed in compact mappings');
  assert.deepEqual([error.line, error.column], [2, 9]);
});

test('a directory without rule files and a missing file are named in the error', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-rules-'));
  writeFileSync(path.join(directory, 'notes.txt'), '');
  const missing = path.join(directory, 'missing.yaml');
  const result = await loadRuleFilesFromDisk([directory, missing]);
  assert.deepEqual(
    result.diagnostics.map((item) => [item.code, item.message, item.line, item.column]),
    [
      ['LOAD_ERR_FILE_READ', `no rule files found in ${directory}`, 0, 0],
      [
        'LOAD_ERR_FILE_READ',
        `could not read rules file ${missing}: no such file or directory`,
        0,
        0,
      ],
    ],
  );
  assert.equal(result.ruleSet, undefined);
});
