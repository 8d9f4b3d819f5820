import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOutput } from './output-format.js';
import type { FieldDefinition, FieldTable, FieldType, FieldValue } from './fields/types.js';

type Event = Record<string, FieldValue | undefined>;

function field(
  name: string,
  type: FieldType,
  options: Partial<FieldDefinition<Event>> = {},
): [string, FieldDefinition<Event>] {
  return [
    name,
    {
      name,
      type,
      argument: 'none',
      description: 'test',
      extract: (event, argument) => event[argument === undefined ? name : `${name}[${argument}]`],
      ...options,
    },
  ];
}

const table: FieldTable<Event> = {
  source: 'test',
  fields: new Map([
    field('proc.name', 'CHARBUF'),
    field('proc.pid', 'INT64'),
    field('proc.aname', 'CHARBUF', { argument: 'allowed' }),
    field('proc.args', 'CHARBUF', { isList: true }),
    field('fd.num', 'INT64', { display: (value) => `#${String(value)}` }),
  ]),
};

function format(text: string, event: Event) {
  const compiled = compileOutput(text, table);
  assert.ok(compiled.ok, !compiled.ok ? compiled.error.message : '');
  return compiled.formatter.format(event);
}

test('resolves fields, arguments and transformers, keeping literal text', () => {
  const out = format(
    'shell %proc.name (pid=%proc.pid parent=%proc.aname[1] up=%toupper(proc.name))',
    {
      'proc.name': 'bash',
      'proc.pid': 42,
      'proc.aname[1]': 'sshd',
    },
  );
  assert.equal(out.text, 'shell bash (pid=42 parent=sshd up=BASH)');
  assert.deepEqual(
    [...out.fields.entries()],
    [
      ['proc.name', 'bash'],
      ['proc.pid', 42],
      ['proc.aname[1]', 'sshd'],
      ['toupper(proc.name)', 'BASH'],
    ],
  );
});

test('prints <NA> for a missing value and null in the typed fields', () => {
  const out = format('name=%proc.name', {});
  assert.equal(out.text, 'name=<NA>');
  assert.equal(out.fields.get('proc.name'), null);
});

test('pads or cuts a value to the width given after %', () => {
  assert.equal(format('[%6proc.name]', { 'proc.name': 'sh' }).text, '[sh    ]');
  assert.equal(format('[%2proc.name]', { 'proc.name': 'bash' }).text, '[ba]');
});

test('ends a field token where the longest known field ends', () => {
  assert.equal(format('%proc.name.', { 'proc.name': 'sh' }).text, 'sh.');
  assert.equal(format('%proc.name:%proc.pid', { 'proc.name': 'sh', 'proc.pid': 1 }).text, 'sh:1');
});

test('prints lists in parentheses and uses a field own display form', () => {
  assert.equal(format('%proc.args', { 'proc.args': ['-c', 'ls'] }).text, '(-c,ls)');
  assert.equal(format('%fd.num', { 'fd.num': 3 }).text, '#3');
});

test('rejects unknown fields and a dangling %', () => {
  assert.match(compileError('%proc.nope'), /nonexistent field proc\.nope$/);
  assert.match(
    compileError('seen %not_a_real_field'),
    /^invalid formatting token not_a_real_field$/,
  );
  assert.match(compileError('oops %'), /formatting cannot end with a %/);
});

function compileError(text: string): string {
  const compiled = compileOutput(text, table);
  assert.equal(compiled.ok, false);
  return !compiled.ok ? compiled.error.message : '';
}

test('control characters and non-characters in a value print as U+FFFD, in the text and in output_fields', () => {
  const forged = 'true a\nFAKE: Critical forged\tb\x01c\x7f\u0085\ufffe\u{1fffe}é';
  const out = format('ran %proc.name ok', { 'proc.name': forged });
  const clean = 'true a\ufffdFAKE: Critical forged\ufffdb\ufffdc\ufffd\ufffd\ufffd\ufffdé';
  assert.equal(out.text, `ran ${clean} ok`);
  assert.equal(out.fields.get('proc.name'), clean);
  assert.deepEqual(format('%proc.args', { 'proc.args': ['-c', 'x\ny'] }).fields.get('proc.args'), [
    '-c',
    'x\ufffdy',
  ]);
  // the format's own text is the rule author's, and stays as written
  assert.equal(format('a\tb %proc.name', { 'proc.name': 'sh' }).text, 'a\tb sh');
});
