/**
 * Typed reads of item keys with Falco's checks and messages: a missing key, an empty value,
 * a non-scalar, a value that does not convert. Conversions follow yaml-cpp, which Falco uses:
 * booleans accept y/yes/true/on and their negatives in lower, UPPER or Capitalized case;
 * unsigned integers accept decimal, 0x hex and 0-prefixed octal.
 * @internal
 */
import { check, type ItemContext } from './context.js';
import { mapGet, type YamlNode } from './yaml-tree.js';

type Converter<T> = (text: string) => T | undefined;

/** How a key may be absent or empty. */
interface Presence {
  optional: boolean;
  canBeEmpty: boolean;
}

const REQUIRED: Presence = { optional: false, canBeEmpty: false };
const OPTIONAL: Presence = { optional: true, canBeEmpty: false };
const OPTIONAL_EMPTY: Presence = { optional: true, canBeEmpty: true };

function decodeValue<T>(
  item: YamlNode,
  key: string,
  convert: Converter<T>,
  context: ItemContext,
  presence: Presence,
): T | undefined {
  const value = mapGet(item, key);
  if (value === undefined && presence.optional) return undefined;
  check(value === undefined, `Item has no mapping for key '${key}'`, context);
  const node = value as YamlNode;
  if (node.kind === 'null' && presence.canBeEmpty) return undefined;
  check(node.kind === 'null', `Mapping for key '${key}' is empty`, context);
  const valueContext = context.child('value for', key, node.offset);
  check(node.kind !== 'scalar', 'Value is not a scalar value', valueContext);
  const text = node.kind === 'scalar' ? node.value : '';
  if (text === '' && presence.canBeEmpty) return undefined;
  check(text === '', 'Value must be non-empty', valueContext);
  const converted = convert(text);
  check(converted === undefined, "Can't decode YAML scalar value", valueContext);
  return converted;
}

export const asString: Converter<string> = (text) => text;

/** yaml-cpp's boolean conversion. */
export const asBoolean: Converter<boolean> = (text) => {
  if (!isFlexibleCase(text)) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'y' || lower === 'yes' || lower === 'true' || lower === 'on') return true;
  if (lower === 'n' || lower === 'no' || lower === 'false' || lower === 'off') return false;
  return undefined;
};

function isFlexibleCase(text: string): boolean {
  if (text === '') return true;
  if (text === text.toLowerCase() || text === text.toUpperCase()) return true;
  const rest = text.slice(1);
  return text[0] === text[0]?.toUpperCase() && rest === rest.toLowerCase();
}

const UNSIGNED = /^\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))[ \t\r\n]*$/;

/** yaml-cpp's conversion to a 32-bit unsigned integer (stream extraction, base detected). */
export const asUint32: Converter<number> = (text) => {
  const match = UNSIGNED.exec(text);
  if (match === null) return undefined;
  const [, hex, octal, decimal] = match;
  let value: number;
  if (hex !== undefined) value = Number.parseInt(hex, 16);
  else if (octal !== undefined) value = Number.parseInt(octal, 8);
  else value = Number(decimal);
  return value <= 0xffffffff ? value : undefined;
};

/** A required key. */
export function decodeRequired<T>(
  item: YamlNode,
  key: string,
  convert: Converter<T>,
  context: ItemContext,
): T {
  return decodeValue(item, key, convert, context, REQUIRED) as T;
}

/** An optional key: undefined when absent. */
export function decodeOptional<T>(
  item: YamlNode,
  key: string,
  convert: Converter<T>,
  context: ItemContext,
): T | undefined {
  return decodeValue(item, key, convert, context, OPTIONAL);
}

/** An optional key that may also be empty: undefined when absent or empty. */
export function decodeOptionalEmpty<T>(
  item: YamlNode,
  key: string,
  convert: Converter<T>,
  context: ItemContext,
): T | undefined {
  return decodeValue(item, key, convert, context, OPTIONAL_EMPTY);
}

/** A sequence of scalars under `key`; undefined when optional and absent. */
export function decodeScalarSequence(
  item: YamlNode,
  key: string,
  context: ItemContext,
  optional: boolean,
): string[] | undefined {
  const value = mapGet(item, key);
  if (value === undefined && optional) return undefined;
  check(value === undefined, `Item has no mapping for key '${key}'`, context);
  const node = value as YamlNode;
  const valueContext = context.child('value for', key, node.offset);
  check(node.kind !== 'seq', 'Value is not a sequence', valueContext);
  const values: string[] = [];
  for (const entry of node.kind === 'seq' ? node.items : []) {
    const entryContext = valueContext.child('list item', '', entry.offset);
    check(entry.kind !== 'scalar', 'sequence value is not scalar', entryContext);
    values.push(entry.kind === 'scalar' ? entry.value : '');
  }
  return values;
}
