import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigDiagnostic } from './diagnostic.js';
import { loadConfig } from './load-config.js';

function load(text: string, environment: Record<string, string> = {}) {
  return loadConfig(text, 'h.yaml', environment);
}

/** `line:column key: message` of each diagnostic. */
function problems(text: string): string[] {
  return load(text).diagnostics.map(
    ({ line, column, key, message, severity }) =>
      `${severity} ${line}:${column} ${key}: ${message}`,
  );
}

test('a configuration without append_output appends nothing', () => {
  assert.deepEqual(load('priority: debug\n').config?.appendOutput, []);
});

test('an entry is read with its match, text, suggested flag and raw and formatted fields', () => {
  const text = [
    'append_output:',
    '  - match: { source: syscall, tags: [T1, T2] }',
    '    extra_output: "on CPU %evt.cpu"',
    '    extra_fields:',
    '      - home_directory: "${HOME}"',
    '      - evt.hostname',
    '      - evt.hostname',
    '  - match: { rule: Some rule }',
    '    suggested_output: true',
    '',
  ].join('\n');
  const { config, diagnostics } = load(text, { HOME: '/root' });
  assert.deepEqual(diagnostics, []);
  const entries = config?.appendOutput.map(({ rulePlace, ...entry }) => ({
    ...entry,
    ...(rulePlace === undefined ? {} : { rulePlace: [rulePlace.line, rulePlace.column] }),
    extraOutput: entry.extraOutput?.text,
    extraFields: entry.extraFields.map(({ key, format, raw }) => [key, format.text, raw]),
  }));
  assert.deepEqual(entries, [
    {
      label: 'append_output[0]',
      source: 'syscall',
      tags: ['T1', 'T2'],
      extraOutput: 'on CPU %evt.cpu',
      suggestedOutput: false,
      extraFields: [
        ['home_directory', '/root', false],
        ['evt.hostname', '%evt.hostname', true],
      ],
    },
    {
      label: 'append_output[1]',
      tags: [],
      rule: 'Some rule',
      rulePlace: [8, 20],
      extraOutput: undefined,
      suggestedOutput: true,
      extraFields: [],
    },
  ]);
  const place = config?.appendOutput[0]?.extraOutput?.locate(7);
  assert.deepEqual(place && [place.line, place.column, place.note], [3, 27, '']);
});

test('unknown keys, wrong types and an unknown source are errors at their key', () => {
  const text = [
    'append_output:',
    '  - match: { source: k8s, tags: T1, colour: red }',
    '    extra_output: 5',
    '    suggested_output: "yes"',
    '    extra_field: []',
    '  - extra_fields: evt.hostname',
    '  - match: [syscall]',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    "error 2:22 append_output[0].match.source: expected one of syscall, k8s_audit, aws_cloudtrail for 'append_output[0].match.source', found 'k8s'",
    "error 2:37 append_output[0].match.colour: unknown key 'colour'; expected one of source, tags, rule",
    "error 3:19 append_output[0].extra_output: expected a string for 'append_output[0].extra_output', found 5",
    "error 4:23 append_output[0].suggested_output: expected true or false for 'append_output[0].suggested_output', found 'yes'",
    "error 5:5 append_output[0].extra_field: unknown key 'extra_field'; expected one of match, extra_output, extra_fields, suggested_output",
    "error 6:19 append_output[1].extra_fields: expected a list for 'append_output[1].extra_fields', found 'evt.hostname'",
    "error 7:12 append_output[2].match: expected a mapping for 'append_output[2].match', found a list",
  ]);
});

test('a bad token in extra_output is reported at its column, for the source the entry names', () => {
  const text =
    'append_output:\n  - match: { source: k8s_audit }\n    extra_output: "u=%ka.user.name p=%proc.name"\n';
  assert.deepEqual(load(text).diagnostics.map(formatConfigDiagnostic), [
    [
      'h.yaml:3:38: error HARRIER_CONFIG_INVALID: filter_check called with nonexistent field proc.name (not a valid output format for source k8s_audit)',
      '    3 |     extra_output: "u=%ka.user.name p=%proc.name"',
      '      |                                      ^',
      '  at key append_output[0].extra_output',
    ].join('\n'),
  ]);
});

test('a format no source accepts is an error even when the entry names no source', () => {
  const text = [
    'append_output:',
    '  - extra_output: "a %zz.top"',
    '  - extra_output: "b %proc.name %"',
    '  - extra_output: "c %ka.verb"',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    'error 2:22 append_output[0].extra_output: filter_check called with nonexistent field zz.top (not a valid output format for any source)',
    'error 3:33 append_output[1].extra_output: invalid formatting syntax: formatting cannot end with a % (not a valid output format for any source)',
  ]);
});

test('extra fields: unknown raw fields, formats, shapes and repeated keys are errors at the item', () => {
  const text = [
    'append_output:',
    '  - match: { source: syscall }',
    '    extra_fields:',
    '      - evt.hostnam',
    '      - proc.name x',
    '      - who: "%proc.nam"',
    '      - { a: b, c: d }',
    '      - [1]',
    '      - empty: ""',
    '      - proc.name',
    '      - proc.name: "%proc.exe"',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    'error 4:9 append_output[0].extra_fields[0]: filter_check called with nonexistent field evt.hostnam (not a valid output format for source syscall)',
    "error 5:9 append_output[0].extra_fields[1]: expected one field name for 'append_output[0].extra_fields[1]', found 'proc.name x'; a format needs a key ('- name: format')",
    'error 6:15 append_output[0].extra_fields[2].who: filter_check called with nonexistent field proc.nam (not a valid output format for source syscall)',
    "error 7:9 append_output[0].extra_fields[3]: expected one 'name: format' pair in 'append_output[0].extra_fields[3]', found 2 keys",
    "error 8:9 append_output[0].extra_fields[4]: expected a field name or a 'name: format' pair for 'append_output[0].extra_fields[4]', found a list",
    "error 9:16 append_output[0].extra_fields[5].empty: extra field 'empty' has an empty format",
    "error 11:9 append_output[0].extra_fields[7]: extra field 'proc.name' is given twice in 'append_output[0].extra_fields'",
  ]);
});

test('a value changed by ${VAR} points at its start and says so', () => {
  const text = 'append_output:\n  - extra_output: "${WHO} %proc.nmae"\n';
  const { diagnostics } = load(text, { WHO: 'me' });
  assert.deepEqual(
    diagnostics.map(({ line, column, message }) => `${line}:${column} ${message}`),
    [
      '2:19 filter_check called with nonexistent field proc.nmae (not a valid output format for any source) (column is the start of the value)',
    ],
  );
});

test('an entry naming both a rule and tags draws a warning and stays valid', () => {
  const text = 'append_output:\n  - match: { rule: R, tags: [a, b] }\n    extra_output: x\n';
  const { config, diagnostics } = load(text);
  assert.deepEqual(
    diagnostics.map(({ code, severity, line, column, message }) =>
      [code, severity, `${line}:${column}`, message].join(' '),
    ),
    [
      "HARRIER_CONFIG_RULE_AND_TAGS warning 2:12 'append_output[0].match' names both a rule and tags: it applies to rule 'R' only, and only while that rule has all of the tags (a, b)",
    ],
  );
  assert.equal(config?.appendOutput[0]?.extraOutput?.text, 'x');
});

test('match.rule is kept with its place; an empty one matches every rule, as in Falco', () => {
  const text = [
    'append_output:',
    '  - match: { rule: "Write below etc" }',
    '    extra_output: a',
    '  - match: { rule: "" }',
    '    extra_output: b',
  ].join('\n');
  const [named, empty] = load(text).config?.appendOutput ?? [];
  assert.equal(named?.rule, 'Write below etc');
  assert.deepEqual([named?.rulePlace?.line, named?.rulePlace?.column], [2, 21]);
  assert.equal(empty?.rule, undefined);
  assert.equal(empty?.rulePlace, undefined);
});
