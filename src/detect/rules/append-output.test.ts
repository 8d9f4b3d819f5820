/**
 * append_output applied at compile time: which rules an entry matches (source, all tags,
 * name), the order of appended texts, suggested fields per source, extra fields, and where
 * a text that does not compile for a rule's source is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../engine/index.js';
import type { AppendOutputEntry, AppendedField, PlacedText } from './append-output.js';
import { loadRuleFiles } from './loader.js';

/** `text` as if it sat at line 7, from column 20, of h.yaml. */
function placed(text: string): PlacedText {
  const snippet = `  - extra_output: "${text}"`;
  return {
    text,
    locate: (index) => ({ file: 'h.yaml', line: 7, column: 20 + index, snippet, note: '' }),
  };
}

function entry(label: string, fields: Partial<AppendOutputEntry>): AppendOutputEntry {
  return { label, tags: [], suggestedOutput: false, extraFields: [], ...fields };
}

const field = (key: string, format: string, raw = false): AppendedField => ({
  key,
  format: placed(format),
  raw,
});

const RULES = `
- rule: Shell
  desc: d
  condition: evt.type = execve
  output: shell %proc.name
  priority: NOTICE
  tags: [process, shell]
- rule: Write
  desc: d
  condition: evt.type = openat
  output: write %fd.name
  priority: NOTICE
  tags: [filesystem]
- rule: Verb
  desc: d
  condition: ka.verb = create
  output: verb %ka.verb
  priority: NOTICE
  source: k8s_audit
  tags: [process]
`;

function load(appendOutput: AppendOutputEntry[], rules = RULES) {
  return loadRuleFiles([{ name: 'r.yaml', content: rules }], { appendOutput });
}

function outputs(appendOutput: AppendOutputEntry[]): Record<string, string> {
  const { rules, diagnostics } = load(appendOutput);
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  return Object.fromEntries(rules.map((rule) => [rule.name, rule.output]));
}

test('an entry matches by source, by all of its tags and by rule name, in entry order', () => {
  assert.deepEqual(
    outputs([
      entry('append_output[0]', { source: 'syscall', extraOutput: placed('cpu=%evt.cpu') }),
      entry('append_output[1]', { tags: ['process'], extraOutput: placed('pid=%evt.num') }),
      entry('append_output[2]', { tags: ['process', 'shell'], extraOutput: placed('[both]') }),
      entry('append_output[3]', { rule: 'Write', extraOutput: placed('(named)') }),
      entry('append_output[4]', { tags: ['shell', 'missing'], extraOutput: placed('never') }),
      entry('append_output[5]', { source: 'k8s_audit', extraOutput: placed('user=%ka.user.name') }),
    ]),
    {
      Shell: 'shell %proc.name cpu=%evt.cpu pid=%evt.num [both]',
      Write: 'write %fd.name cpu=%evt.cpu (named)',
      Verb: 'verb %ka.verb pid=%evt.num user=%ka.user.name',
    },
  );
});

test('without entries, and with an empty extra_output, outputs stay as written', () => {
  const expected = { Shell: 'shell %proc.name', Write: 'write %fd.name', Verb: 'verb %ka.verb' };
  assert.deepEqual(outputs([]), expected);
  assert.deepEqual(outputs([entry('append_output[0]', { extraOutput: placed('') })]), expected);
});

test('suggested_output appends the container plugin fields to syscall rules only', () => {
  const suggested =
    'container_id=%container.id container_name=%container.name ' +
    'container_image_repository=%container.image.repository ' +
    'container_image_tag=%container.image.tag k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name';
  assert.deepEqual(
    outputs([
      entry('append_output[0]', { extraOutput: placed('first') }),
      entry('append_output[1]', { suggestedOutput: true }),
    ]),
    {
      Shell: `shell %proc.name first ${suggested}`,
      Write: `write %fd.name first ${suggested}`,
      Verb: 'verb %ka.verb first',
    },
  );
});

test('extra fields go to the matching rules, a later entry replacing a key', () => {
  const { rules } = load([
    entry('append_output[0]', {
      source: 'syscall',
      extraFields: [field('home', '/root'), field('proc.pid', '%proc.pid', true)],
    }),
    entry('append_output[1]', { tags: ['shell'], extraFields: [field('home', 'at %proc.cwd')] }),
  ]);
  const extra = Object.fromEntries(
    rules.map((rule) => [
      rule.name,
      rule.extraOutputFields.map(
        ({ key, raw, formatter }) => `${key}:${raw}:${formatter.fieldNames}`,
      ),
    ]),
  );
  assert.deepEqual(extra, {
    Shell: ['home:false:proc.cwd', 'proc.pid:true:proc.pid'],
    Write: ['home:false:', 'proc.pid:true:proc.pid'],
    Verb: [],
  });
  assert.equal(rules[0]?.output, 'shell %proc.name', 'extra fields leave the text alone');
});

test('a text valid for one source only fails at its place in the configuration, once per source', () => {
  const { ruleSet, diagnostics } = load([
    entry('append_output[0]', { extraOutput: placed('verb=%ka.verb') }),
  ]);
  assert.equal(ruleSet, undefined);
  assert.deepEqual(diagnostics.map(formatDiagnostic), [
    [
      'h.yaml:7:25: error LOAD_ERR_COMPILE_OUTPUT: filter_check called with nonexistent field ka.verb',
      '    7 |   - extra_output: "verb=%ka.verb"',
      '      |                         ^',
      "  in append_output[0] > extra_output appended to rule 'Shell' (source syscall)",
    ].join('\n'),
  ]);
});

test('an extra field that fails for a rule names the field, the entry and the rule', () => {
  const { diagnostics } = load([
    entry('append_output[0]', { tags: ['process'], extraFields: [field('who', '%proc.name')] }),
  ]);
  assert.deepEqual(
    diagnostics.map(({ code, line, column, path }) => `${code} ${line}:${column} ${path}`),
    [
      "LOAD_ERR_COMPILE_OUTPUT 7:20 append_output[0] > extra_fields 'who' appended to rule 'Verb' (source k8s_audit)",
    ],
  );
});

test('a rule with skip_if_unknown_filter is left out, with a warning, when appended text has an unknown field', () => {
  const rules = RULES.replace(
    '  tags: [filesystem]',
    '  tags: [filesystem]\n  skip-if-unknown-filter: true',
  );
  const {
    rules: loaded,
    ruleSet,
    diagnostics,
  } = load([entry('append_output[0]', { extraOutput: placed('verb=%ka.verb') })], rules);
  assert.deepEqual(
    diagnostics.map(({ code, severity, itemName }) => `${severity} ${code} ${itemName}`),
    ['error LOAD_ERR_COMPILE_OUTPUT Shell', 'warning LOAD_UNKNOWN_FILTER Write'],
  );
  assert.equal(ruleSet, undefined);
  assert.deepEqual(
    loaded.map((rule) => rule.name),
    ['Verb'],
  );
});

test('an entry whose match.rule names no loaded rule is a warning at its place', () => {
  const rulePlace = { file: 'h.yaml', line: 4, column: 14, snippet: '    rule: Shel', note: '' };
  const { diagnostics } = load([
    entry('append_output[0]', { rule: 'Shel', rulePlace, extraOutput: placed('x') }),
    entry('append_output[1]', { rule: 'Shell', rulePlace, extraOutput: placed('y') }),
  ]);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.line, diagnostic.column, diagnostic.path, diagnostic.message]),
    [['HARRIER_APPEND_OUTPUT_NO_RULE', 4, 14, 'append_output[0] > match > rule', "no loaded rule is named 'Shel'"]],
  ); // prettier-ignore
});
