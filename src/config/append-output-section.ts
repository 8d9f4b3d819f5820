/**
 * The `append_output:` list, read as Falco reads it from falco.yaml: each entry has a `match`
 * (`source`, `tags`, `rule`, each optional), `extra_output` text, `suggested_output` and
 * `extra_fields`. Formats are checked here against the fields of the sources the entry can
 * apply to; one that fails for some of them only is reported when a rule of such a source
 * compiles with it (see detect's `AppendOutput`).
 */
import { isMap, isScalar, type Node, type Scalar } from 'yaml';
import type { AppendedField, AppendOutputEntry, ConfigPlace, PlacedText } from '../detect/index.js';
import { compileOutput, fieldTableFor, type FieldTable } from '../engine/index.js';
import { ConfigReader, describeNode, join } from './reader.js';

const SOURCES = ['syscall', 'k8s_audit', 'aws_cloudtrail'];
const ENTRY_KEYS = ['match', 'extra_output', 'extra_fields', 'suggested_output'];

/** The entries of the list, in order. */
export function readAppendOutput(
  reader: ConfigReader,
  node: Node | null | undefined,
): AppendOutputEntry[] {
  const items = reader.sequence(node, 'append_output') ?? [];
  return items.flatMap((item, index) => readEntry(reader, item, `append_output[${index}]`) ?? []);
}

interface Match {
  source?: string;
  tags: string[];
  rule?: string;
  rulePlace?: ConfigPlace;
}

function readEntry(
  reader: ConfigReader,
  node: Node | null,
  key: string,
): AppendOutputEntry | undefined {
  const entries = reader.mapping(node, key, ENTRY_KEYS);
  if (entries === undefined) return undefined;
  const at = (name: string): Node | null | undefined => entries.get(name)?.value;
  const match: Match = entries.has('match')
    ? readMatch(reader, at('match'), join(key, 'match'))
    : { tags: [] };
  const tables = (match.source === undefined ? SOURCES : [match.source]).map(
    (source) => fieldTableFor(source) as FieldTable,
  );
  const outputKey = join(key, 'extra_output');
  const extraOutput = entries.has('extra_output')
    ? readFormat(reader, at('extra_output'), outputKey, tables)
    : undefined;
  const suggestedKey = join(key, 'suggested_output');
  const suggestedOutput = entries.has('suggested_output')
    ? reader.boolean(at('suggested_output'), suggestedKey)
    : false;
  const extraFields = entries.has('extra_fields')
    ? readExtraFields(reader, at('extra_fields'), join(key, 'extra_fields'), tables)
    : [];
  return {
    label: key,
    ...match,
    ...(extraOutput === undefined ? {} : { extraOutput }),
    suggestedOutput: suggestedOutput ?? false,
    extraFields,
  };
}

function readMatch(reader: ConfigReader, node: Node | null | undefined, key: string): Match {
  const entries = reader.mapping(node, key, ['source', 'tags', 'rule']) ?? new Map();
  const at = (name: string): Node | null | undefined => entries.get(name)?.value;
  const source = entries.has('source')
    ? reader.oneOf(at('source'), join(key, 'source'), SOURCES)
    : undefined;
  const tags = entries.has('tags') ? (reader.strings(at('tags'), join(key, 'tags')) ?? []) : [];
  // An empty name matches every rule, as an absent one does (Falco's reading).
  const named = entries.has('rule') ? reader.string(at('rule'), join(key, 'rule')) : undefined;
  const rule = named === '' ? undefined : named;
  if (rule !== undefined && tags.length > 0)
    reader.warning(
      node,
      key,
      `'${key}' names both a rule and tags: it applies to rule '${rule}' only, and only while that rule has all of the tags (${tags.join(', ')})`,
      'HARRIER_CONFIG_RULE_AND_TAGS',
    );
  return {
    ...(source === undefined ? {} : { source }),
    tags,
    ...(rule === undefined
      ? {}
      : { rule, rulePlace: reader.placed(at('rule') as Scalar, rule).locate(0) }),
  };
}

/** A format string, checked against `tables`; an error names the place of the bad token. */
// LIMIT: `%container.info` here is an unknown field (an error), where Falco drops it from the
// appended text with a deprecation warning, as Harrier does in rule outputs.
function readFormat(
  reader: ConfigReader,
  node: Node | null | undefined,
  key: string,
  tables: readonly FieldTable[],
): PlacedText | undefined {
  const text = reader.string(node, key);
  if (text === undefined) return undefined;
  const placed = reader.placed(node as Scalar, text);
  checkFormat(reader, placed, key, tables);
  return placed;
}

/**
 * An error when `format` compiles for none of `tables` (the one of the first table). Fields
 * that only some sources have wait for a rule of another source to match (see the header).
 */
function checkFormat(
  reader: ConfigReader,
  format: PlacedText,
  key: string,
  tables: readonly FieldTable[],
): boolean {
  const results = tables.map((table) => compileOutput(format.text, table));
  const failure = results[0];
  if (failure === undefined || failure.ok || results.some((result) => result.ok)) return true;
  const sources = tables.length === 1 ? `source ${tables[0]?.source}` : 'any source';
  const message = `${failure.error.message} (not a valid output format for ${sources})`;
  reader.errorAt(format.locate(failure.error.position.index), key, message);
  return false;
}

/**
 * `- key: format` items (formatted: the format's text) and `- field.name` items (raw: the
 * field's typed value). A key given twice in one entry is an error, as in Falco, except a
 * raw field repeated.
 */
function readExtraFields(
  reader: ConfigReader,
  node: Node | null | undefined,
  key: string,
  tables: readonly FieldTable[],
): AppendedField[] {
  const fields = new Map<string, AppendedField>();
  (reader.sequence(node, key) ?? []).forEach((item, index) => {
    const itemKey = `${key}[${index}]`;
    const field = isMap(item)
      ? readFormattedField(reader, item, itemKey, tables)
      : readRawField(reader, item, itemKey, tables);
    if (field === undefined) return;
    const earlier = fields.get(field.key);
    if (earlier !== undefined && !(earlier.raw && field.raw))
      reader.error(item, itemKey, `extra field '${field.key}' is given twice in '${key}'`);
    fields.set(field.key, field);
  });
  return [...fields.values()];
}

function readFormattedField(
  reader: ConfigReader,
  node: Node,
  key: string,
  tables: readonly FieldTable[],
): AppendedField | undefined {
  const entries = reader.mapping(node, key);
  if (entries === undefined) return undefined;
  if (entries.size !== 1) {
    const found = `${entries.size} keys`;
    return void reader.error(
      node,
      key,
      `expected one 'name: format' pair in '${key}', found ${found}`,
    );
  }
  const [[name, entry]] = [...entries];
  const fieldKey = join(key, name);
  const format = readFormat(reader, entry.value, fieldKey, tables);
  if (format === undefined) return undefined;
  if (format.text === '') {
    return void reader.error(entry.value, fieldKey, `extra field '${name}' has an empty format`);
  }
  return { key: name, format, raw: false };
}

/** A bare field name: the alert carries the field's value under its name. */
function readRawField(
  reader: ConfigReader,
  node: Node | null,
  key: string,
  tables: readonly FieldTable[],
): AppendedField | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') {
    const found = describeNode(node);
    const expected = `expected a field name or a 'name: format' pair for '${key}'`;
    return void reader.error(node, key, `${expected}, found ${found}`);
  }
  const name = reader.string(node, key);
  if (name === undefined) return undefined;
  const placed = reader.placed(node, name);
  // `%` is not in the file: positions in the format are one past those in the name.
  const format = {
    text: `%${name}`,
    locate: (index: number) => placed.locate(Math.max(0, index - 1)),
  };
  if (!checkFormat(reader, format, key, tables)) return undefined;
  const names = tables.flatMap((table) => {
    const compiled = compileOutput(format.text, table);
    return compiled.ok ? [compiled.formatter.fieldNames.join(' ')] : [];
  });
  if (names[0] !== name) {
    const expected = `expected one field name for '${key}', found '${name}'`;
    return void reader.error(node, key, `${expected}; a format needs a key ('- name: format')`);
  }
  return { key: name, format, raw: true };
}
