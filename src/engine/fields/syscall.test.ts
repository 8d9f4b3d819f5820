import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { corpusPath } from '../../testing/corpus.js';
import { createSyscallFieldTable } from './syscall.js';
import { resolveField } from './resolve.js';
import type { FieldDefinition } from './types.js';

interface LibsRow {
  field: string;
  type: string;
  flags: string;
}

const libsRows: LibsRow[] = JSON.parse(
  readFileSync(corpusPath('falco/libs-cases/libsinsp_fields.json'), 'utf8'),
);
const table = createSyscallFieldTable();

function flagSet(flags: string): Set<string> {
  return new Set(flags.match(/EPF_[A-Z_]+/g) ?? []);
}

/** The flags libs would list for a definition, in the same vocabulary as the JSON. */
function definitionFlags<E>(definition: FieldDefinition<E>): Set<string> {
  const flags = new Set<string>();
  if (definition.argument === 'required') flags.add('EPF_ARG_REQUIRED');
  if (definition.argument === 'allowed') flags.add('EPF_ARG_ALLOWED');
  const named: Array<[keyof FieldDefinition, string]> = [
    ['isList', 'EPF_IS_LIST'],
    ['noRightHandSide', 'EPF_NO_RHS'],
    ['noTransformer', 'EPF_NO_TRANSFORMER'],
    ['printOnly', 'EPF_PRINT_ONLY'],
    ['tableOnly', 'EPF_TABLE_ONLY'],
    ['deprecated', 'EPF_DEPRECATED'],
    ['filterOnly', 'EPF_FILTER_ONLY'],
  ];
  for (const [property, flag] of named) if (definition[property] === true) flags.add(flag);
  return flags;
}

test('has every named libsinsp field with its exact type and flags', () => {
  assert.equal(libsRows.length, 236);
  const named = libsRows.filter((row) => row.field !== 'NA');
  // The three unnamed rows are libs' internal raw-string checks, which rules cannot name.
  assert.equal(named.length, 233);
  for (const row of named) {
    const definition = table.fields.get(row.field);
    assert.ok(definition, `missing ${row.field}`);
    assert.equal(definition.type, row.type.replace(/^PT_/, ''), row.field);
    const expected = flagSet(row.flags);
    expected.delete('EPF_NONE');
    expected.delete('EPF_NO_PTR_STABILITY');
    assert.deepEqual(definitionFlags(definition), expected, row.field);
    assert.equal(definition.plugin, undefined, row.field);
  }
});

test('adds exactly the 61 container plugin fields to the 233 libs fields', () => {
  const plugin = [...table.fields.values()].filter(
    (definition) => definition.plugin === 'container',
  );
  assert.equal(plugin.length, 61);
  assert.equal(table.fields.size, 233 + 61);
});

test('gives container fields the plugin types and argument modes', () => {
  const expectations: Array<[string, string, string, string | undefined]> = [
    ['container.id', 'CHARBUF', 'none', undefined],
    ['container.privileged', 'BOOL', 'none', undefined],
    ['container.start_ts', 'ABSTIME', 'none', undefined],
    ['container.duration', 'RELTIME', 'none', undefined],
    ['container.ip', 'CHARBUF', 'none', undefined],
    ['container.mount', 'CHARBUF', 'required', 'indexOrKey'],
    ['container.mount.dest', 'CHARBUF', 'required', 'indexOrKey'],
    ['container.label', 'CHARBUF', 'required', 'key'],
    ['k8s.pod.label', 'CHARBUF', 'required', 'key'],
    ['k8s.ns.name', 'CHARBUF', 'none', undefined],
    ['proc.is_container_healthcheck', 'BOOL', 'none', undefined],
    ['k8s.deployment.labels', 'CHARBUF', 'none', undefined],
  ];
  for (const [name, type, argument, kind] of expectations) {
    const definition = table.fields.get(name);
    assert.ok(definition, name);
    assert.deepEqual(
      [definition.type, definition.argument, definition.argumentKind],
      [type, argument, kind],
      name,
    );
  }
});

test('types evt.rawarg by the event parameter it names', () => {
  const rawarg = table.fields.get('evt.rawarg');
  assert.equal(rawarg?.typeForArgument?.('res'), 'INT64');
  assert.equal(rawarg?.typeForArgument?.('flags'), 'UINT32');
  assert.equal(rawarg?.typeForArgument?.('name'), 'FSPATH');
  assert.equal(rawarg?.typeForArgument?.('nosuchparam'), undefined);
});

test('attaches extractors by name and rejects unknown names', () => {
  const withExtractor = createSyscallFieldTable({ 'proc.name': { extract: () => 'bash' } });
  assert.equal(withExtractor.fields.get('proc.name')?.extract?.({} as never, undefined), 'bash');
  assert.equal(table.fields.get('proc.name')?.extract, undefined);
  assert.throws(() => createSyscallFieldTable({ 'proc.nobody': { extract: () => 1 } }), RangeError);
});

const syscallRuleFiles = [
  'falco_rules.yaml',
  'falco-incubating_rules.yaml',
  'falco-sandbox_rules.yaml',
  'falco-deprecated_rules.yaml',
  'application_rules.yaml',
  'legacy_falco_rules_v1.0.1.yaml',
];

/**
 * Field references in a condition, output or exception field: a dotted name in field position
 * (not inside a value list, not quoted), with its bracket argument.
 */
function fieldReferences(
  text: string,
  classes: ReadonlySet<string>,
): Array<[string, string | undefined]> {
  const unquoted = text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ' ');
  const references: Array<[string, string | undefined]> = [];
  const pattern =
    /(^|[\s(,%=!<>])([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z][a-zA-Z0-9_]*)+)(\[[^\]]*\])?(?=$|[\s(),:=!<>\]])/g;
  for (const match of unquoted.matchAll(pattern)) {
    if (!classes.has(match[2].split('.')[0])) continue;
    references.push([match[2], match[3]?.slice(1, -1)]);
  }
  return references;
}

interface RuleItem {
  rule?: string;
  macro?: string;
  condition?: string;
  output?: string;
  source?: string;
  exceptions?: Array<{ fields?: string | string[] }>;
}

function itemTexts(item: RuleItem): string[] {
  const texts = [item.condition, item.output].filter(
    (text): text is string => typeof text === 'string',
  );
  for (const exception of item.exceptions ?? []) {
    const fields = exception.fields;
    if (typeof fields === 'string') texts.push(fields);
    else if (Array.isArray(fields)) texts.push(...fields);
  }
  return texts;
}

test('resolves every field the syscall rule files use', () => {
  const classes = new Set([...table.fields.keys()].map((name) => name.split('.')[0]));
  const seen = new Set<string>();
  const failures: string[] = [];
  for (const file of syscallRuleFiles) {
    const items: RuleItem[] = parse(readFileSync(corpusPath('falco/rules', file), 'utf8')) ?? [];
    for (const item of items) {
      if ((item.source ?? 'syscall') !== 'syscall') continue;
      for (const text of itemTexts(item)) {
        // Falco's rule compiler drops `%container.info` from outputs before compiling them.
        for (const [name, argument] of fieldReferences(
          text.replaceAll('%container.info', ''),
          classes,
        )) {
          seen.add(name);
          const resolved = resolveField(table, name, argument);
          if (!resolved.ok) failures.push(`${file}: ${name}: ${resolved.message}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  // The rule files exercise a broad set of fields; make sure the scan really found them.
  assert.ok(seen.size >= 95, `only ${seen.size} distinct fields found`);
  for (const name of [
    'proc.aname',
    'evt.arg.flags',
    'container.mount.dest',
    'k8s.ns.name',
    'fd.sip.name',
  ]) {
    assert.ok(seen.has(name), name);
  }
});
