/**
 * Pieces of items that several item kinds share: the `override` map, rule exceptions, and the
 * unknown-key warning.
 * @internal
 */
import { check, ItemError, type ItemContext, type LoadReport } from './context.js';
import { asString, decodeRequired } from './decode.js';
import type { ExceptionEntry, ExceptionInfo } from './items.js';
import { mapGet, type YamlNode } from './yaml-tree.js';

/** The keys an `override` map asks to append and to replace. */
export interface Overrides {
  append: Set<string>;
  replace: Set<string>;
}

/** Reads `override:`, checking each key may take the operation asked for. */
export function readOverrides(
  item: YamlNode,
  appendable: ReadonlySet<string>,
  replaceable: ReadonlySet<string>,
  context: ItemContext,
): Overrides {
  const overrides: Overrides = { append: new Set(), replace: new Set() };
  const value = mapGet(item, 'override');
  if (value === undefined) return overrides;
  const overrideContext = context.child('overrides', '', item.offset);
  if (value.kind === 'seq' && value.items.length > 0) {
    throw new ItemError(
      'LOAD_ERR_VALIDATE',
      "'override' must be a mapping of keys to 'append' or 'replace'",
      overrideContext,
    );
  }
  for (const { key, value: operationNode } of value.kind === 'map' ? value.entries : []) {
    const name = scalarText(key, overrideContext);
    const operation = scalarText(operationNode, overrideContext);
    const keyContext = overrideContext.child('overrides', name, key.offset);
    if (operation === 'append') {
      check(
        !appendable.has(name),
        `Key '${name}' cannot be appended to, use 'replace' instead`,
        keyContext,
      );
      overrides.append.add(name);
    } else if (operation === 'replace') {
      check(!replaceable.has(name), `Key '${name}' cannot be replaced`, keyContext);
      overrides.replace.add(name);
    } else {
      const allowed =
        (appendable.has(name) ? 'append ' : '') + (replaceable.has(name) ? 'replace ' : '');
      const message = `Invalid override operation for key '${name}': '${operation}'. Allowed values are: ${allowed}`;
      check(true, message, overrideContext.child('value for', name, operationNode.offset));
    }
  }
  return overrides;
}

/** yaml-cpp's `as<std::string>()`: a scalar's text, `null` for null, an error otherwise. */
function scalarText(node: YamlNode, context: ItemContext): string {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'null') return 'null';
  throw new ItemError(
    'LOAD_ERR_VALIDATE',
    'bad conversion: expected a scalar value',
    context.at(node.offset),
  );
}

/** Warns about every key of `item` that is not in `expected`. */
export function warnUnknownKeys(
  item: YamlNode,
  expected: ReadonlySet<string>,
  report: LoadReport,
  context: ItemContext,
): void {
  if (item.kind !== 'map') return;
  for (const { key } of item.entries) {
    const name = key.kind === 'scalar' ? key.value : 'null';
    if (!expected.has(name)) {
      // Falco points at the item; the key's own place is what the user needs to see.
      const keyContext = context.child('value for', name, key.offset);
      report.warning(
        'LOAD_UNKNOWN_KEY',
        `Unknown key '${name}'. The key will be ignored.`,
        keyContext,
      );
    }
  }
}

/**
 * Reads a rule's `exceptions`. When `appending`, `fields` may be left out, and an exception
 * without `values` draws a warning.
 */
export function readExceptions(
  item: YamlNode,
  parent: ItemContext,
  appending: boolean,
  report: LoadReport,
): ExceptionInfo[] {
  const exceptions: ExceptionInfo[] = [];
  const node = mapGet(item, 'exceptions');
  if (node === undefined || node.kind === 'null') return exceptions;
  const listContext = parent.child('exceptions', '', node.offset);
  check(node.kind !== 'seq', 'Rule exceptions must be a sequence', listContext);
  for (const entry of node.kind === 'seq' ? node.items : []) {
    const unnamed = listContext.child('exception', '', entry.offset);
    check(entry.kind !== 'map', 'Rule exception must be a mapping', unnamed);
    const name = decodeRequired(entry, 'name', asString, unnamed);
    const context = parent.child('exception', name, entry.offset);
    if (exceptions.some((exception) => exception.name === name)) {
      const message = `Multiple definitions of exception '${name}' in the same rule`;
      report.warning('LOAD_EXCEPTION_NAME_NOT_UNIQUE', message, context);
    }
    const exception: ExceptionInfo = {
      context,
      name,
      fields: readEntry(mapGet(entry, 'fields'), 'fields', context, appending),
      comps: readEntry(mapGet(entry, 'comps'), 'comps', context, true),
      values: readValues(entry, context, appending, report),
    };
    exceptions.push(exception);
  }
  return exceptions;
}

function readValues(
  entry: YamlNode,
  context: ItemContext,
  appending: boolean,
  report: LoadReport,
): ExceptionEntry[] {
  const values: ExceptionEntry[] = [];
  const node = mapGet(entry, 'values');
  if (node === undefined) {
    if (appending)
      report.warning(
        'LOAD_APPEND_NO_VALUES',
        'Overriding/appending exception with no values',
        context,
      );
    return values;
  }
  const valuesContext = context.child('exception values', '', node.offset);
  check(node.kind !== 'seq', 'Rule exception values must be a sequence', valuesContext);
  for (const value of node.kind === 'seq' ? node.items : []) {
    const valueContext = valuesContext.child('exception value', '', value.offset);
    values.push(readEntry(value, '', valueContext, false) ?? { isList: false, item: '' });
  }
  return values;
}

/** One fields/comps/values entry: a string, or a list whose members are entries again. */
function readEntry(
  node: YamlNode | undefined,
  key: string,
  context: ItemContext,
  optional: boolean,
): ExceptionEntry | undefined {
  if (node === undefined && optional) return undefined;
  check(node === undefined, `Item has no mapping for key '${key}'`, context);
  const value = node as YamlNode;
  const valueContext = context.child('value for', key, value.offset);
  if (value.kind === 'scalar') {
    check(value.value === '', 'Value must be non-empty', valueContext);
    return { isList: false, item: value.value };
  }
  if (value.kind === 'seq') {
    const items = value.items.map((member) => {
      const memberContext = valueContext.child('exception', '', member.offset);
      return readEntry(member, '', memberContext, false) ?? { isList: false as const, item: '' };
    });
    return { isList: true, items };
  }
  return { isList: false, item: '' };
}
