/**
 * Field tables for events written as plain field values (`{proc.name: bash, proc.tty: 34816}`):
 * a copy of a source's real table whose extractors read the given values, so a rule's
 * condition and output compile and run exactly as they do on live events. A field that is
 * not given reads as `<NA>` (undefined), as a field the real source cannot extract.
 */
import {
  type FieldDefinition,
  type FieldScalar,
  type FieldTable,
  fieldTableFor,
  type FieldType,
  type FieldValue,
  parseConstant,
} from '../../engine/index.js';

/** An event given as field values, keyed by field name as a rule writes it. */
export interface FieldValuesEvent {
  source: string;
  values: ReadonlyMap<string, unknown>;
}

/**
 * Ancestor fields: a list given for the bare name holds ancestors 1, 2, ... in order, so
 * `proc.aname: [sshd, systemd]` also answers `proc.aname[2]`.
 */
export const ANCESTOR_FIELDS: ReadonlySet<string> = new Set([
  'proc.aname',
  'proc.apid',
  'proc.aexe',
  'proc.aexepath',
  'proc.acmdline',
]);

/** Fields that match when either end does, and the fields holding each end. */
const EITHER_END: Readonly<Record<string, readonly string[]>> = {
  'fd.ip': ['fd.cip', 'fd.sip'],
  'fd.port': ['fd.cport', 'fd.sport'],
  'fd.net': ['fd.cip', 'fd.sip'],
};

const tables = new Map<string, FieldTable<FieldValuesEvent>>();

/**
 * The field-values table of `source`, built once per source from `fieldTableFor(source)`;
 * undefined for an unknown source. Definitions keep their names, types and flags; only the
 * way values are read changes.
 */
export function fieldValuesTableFor(source: string): FieldTable<FieldValuesEvent> | undefined {
  const cached = tables.get(source);
  if (cached) return cached;
  const real = fieldTableFor(source);
  if (!real) return undefined;
  const fields = new Map<string, FieldDefinition<FieldValuesEvent>>();
  for (const [name, definition] of real.fields) fields.set(name, readingValues(definition));
  const table: FieldTable<FieldValuesEvent> = { source, fields };
  tables.set(source, table);
  return table;
}

function readingValues(definition: FieldDefinition): FieldDefinition<FieldValuesEvent> {
  // Time fields give `output_fields` a raw value through jsonValue; here the given value is it.
  const copy = { ...definition, jsonValue: undefined } as FieldDefinition<FieldValuesEvent>;
  copy.extract = (event, argument) => valueOf(event, definition, argument);
  copy.candidates = definition.candidates
    ? (event, argument) => candidatesOf(event, definition, argument)
    : undefined;
  return copy;
}

/** The given value of a field, in the representation its extractor would return. */
function valueOf(
  event: FieldValuesEvent,
  definition: FieldDefinition,
  argument: string | undefined,
): FieldValue | undefined {
  const raw = givenValue(event, definition.name, argument);
  if (raw !== undefined) return coerce(definition, argument, raw);
  if (argument !== undefined && ANCESTOR_FIELDS.has(definition.name)) {
    const list = event.values.get(definition.name);
    const index = Number(argument);
    if (Array.isArray(list) && index >= 1 && index <= list.length)
      return coerce(definition, undefined, list[index - 1]);
  }
  const candidates =
    definition.candidates && argument === undefined
      ? candidatesOf(event, definition, undefined)
      : undefined;
  if (Array.isArray(candidates)) return candidates[0];
  return candidates;
}

/** Values to try one by one: a given list, or the parts that make the field up. */
function candidatesOf(
  event: FieldValuesEvent,
  definition: FieldDefinition,
  argument: string | undefined,
): FieldValue | undefined {
  if (argument !== undefined) return valueOf(event, definition, argument);
  const raw = event.values.get(definition.name);
  if (raw !== undefined)
    return (Array.isArray(raw) ? raw : [raw]).map((item) => scalar(definition.type, item));
  const parts = EITHER_END[definition.name] ?? [];
  const given = parts.map((part) => event.values.get(part)).filter((value) => value !== undefined);
  if (given.length === 0) return undefined;
  return given.map((item) =>
    scalar(definition.name === 'fd.port' ? 'PORT' : definition.type, item),
  );
}

/** `evt.arg.flags` and `evt.arg[1]` both arrive as `evt.arg` with an argument. */
function givenValue(event: FieldValuesEvent, name: string, argument: string | undefined): unknown {
  if (argument === undefined) return event.values.get(name);
  return event.values.get(`${name}[${argument}]`) ?? event.values.get(`${name}.${argument}`);
}

function coerce(
  definition: FieldDefinition,
  argument: string | undefined,
  raw: unknown,
): FieldValue | undefined {
  let type = definition.type;
  if (definition.typeForArgument && argument !== undefined)
    type = definition.typeForArgument(argument) ?? type;
  if (definition.isList)
    return (Array.isArray(raw) ? raw : [raw]).map((item) => scalar(type, item));
  if (Array.isArray(raw)) return raw.map((item) => scalar(type, item));
  return scalar(type, raw);
}

/**
 * One YAML value as the type's extractor returns it: integers as numbers (bigint past 2^53),
 * booleans from `true`/`false`, byte buffers from text, everything else as text. A value
 * that does not parse for its type stays text, so the check sees what the author wrote.
 */
function scalar(type: FieldType, raw: unknown): FieldScalar {
  if (typeof raw === 'boolean' || typeof raw === 'bigint') return raw;
  const text = raw === null ? '' : String(raw);
  switch (type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
    case 'IPV4NET':
    case 'IPV6NET':
    case 'IPNET':
      return text;
    case 'BYTEBUF':
      return new TextEncoder().encode(text);
    case 'DYN':
      return typeof raw === 'number' ? raw : text;
    case 'DOUBLE':
      return Number(text);
  }
  const parsed = parseConstant(type, text);
  return parsed.ok && typeof parsed.value !== 'object' ? parsed.value : text;
}
