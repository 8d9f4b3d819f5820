/**
 * Reads a `rule` item: a new definition, an `override` (append and/or selective replace), the
 * deprecated `append: true`, or the deprecated standalone `enabled` switch.
 * @internal
 */
import type { Collector } from './collector.js';
import { check, type ItemContext, type LoadReport } from './context.js';
import {
  asBoolean,
  asString,
  asUint32,
  decodeOptional,
  decodeOptionalEmpty,
  decodeRequired,
  decodeScalarSequence,
} from './decode.js';
import type { RuleInfo, RuleUpdate } from './items.js';
import { MappedText } from './mapped-text.js';
import { parsePriority, type Priority } from './priority.js';
import { readExceptions, readOverrides, warnUnknownKeys } from './reader-parts.js';
import { mapGet, type YamlNode, type YamlScalar } from './yaml-tree.js';

export const APPEND_DEPRECATED =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const ENABLED_DEPRECATED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
export const OVERRIDE_WITH_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

const APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const REPLACEABLE = new Set([
  'condition',
  'output',
  'desc',
  'priority',
  'capture',
  'capture_duration',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
]);
const RULE_KEYS = new Set([
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'source',
  'enabled',
  'capture',
  'capture_duration',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'tags',
  'exceptions',
  'override',
  'append',
]);

/** Reading state shared by the helpers of one rule item. */
interface RuleItem {
  item: YamlNode;
  name: string;
  source: string;
  context: ItemContext;
  collector: Collector;
  report: LoadReport;
}

export function readRule(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const name = decodeRequired(item, 'rule', asString, parent.child('rule', '', item.offset));
  const context = parent.child('rule', name, item.offset);
  const source = decodeOptionalEmpty(item, 'source', asString, context) ?? '';
  const rule: RuleItem = { item, name, source, context, collector, report };

  const appendFlag = decodeOptional(item, 'append', asBoolean, context) ?? false;
  if (appendFlag) report.warning('LOAD_DEPRECATED_ITEM', APPEND_DEPRECATED, context);
  const overrides = readOverrides(item, APPENDABLE, REPLACEABLE, context);
  const hasOverrides = overrides.append.size > 0 || overrides.replace.size > 0;
  check(appendFlag && hasOverrides, OVERRIDE_WITH_APPEND, context);

  if (hasOverrides) readOverride(rule, overrides.append, overrides.replace);
  else if (appendFlag) readLegacyAppend(rule);
  else readDefinition(rule);
  warnUnknownKeys(item, RULE_KEYS, report, context);
}

function readOverride(rule: RuleItem, append: Set<string>, replace: Set<string>): void {
  const { item, context } = rule;
  const expected = new Set(
    [...APPENDABLE, ...REPLACEABLE].filter((key) => mapGet(item, key) !== undefined),
  );
  if (append.size > 0) rule.collector.appendRule(readUpdate(rule, expected, append, 'append'));
  if (replace.size > 0) rule.collector.replaceRule(readUpdate(rule, expected, replace, 'replace'));
  for (const key of expected) {
    const keyContext = context.child('overrides', key, mapGet(item, key)?.offset ?? item.offset);
    check(
      true,
      `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
      keyContext,
    );
  }
}

/** The keys an override asks for, each of which must be present in the item. */
function readUpdate(
  rule: RuleItem,
  expected: Set<string>,
  requested: Set<string>,
  operation: string,
): RuleUpdate {
  const { item, context, name } = rule;
  const update: RuleUpdate = { context, name, source: '' };
  const wants = (key: string): boolean => {
    if (!requested.has(key)) return false;
    const message = `An ${operation} override for '${key}' was specified but '${key}' is not defined`;
    check(!expected.has(key), message, context);
    expected.delete(key);
    return true;
  };
  if (wants('condition')) {
    update.source = rule.source;
    update.condition = readCondition(item, context, 'rule condition');
  }
  if (wants('exceptions'))
    update.exceptions = readExceptions(item, context, operation === 'append', rule.report);
  if (wants('output')) update.output = decodeRequired(item, 'output', asString, context);
  if (wants('desc')) update.description = decodeRequired(item, 'desc', asString, context);
  if (wants('tags')) update.tags = new Set(decodeScalarSequence(item, 'tags', context, true) ?? []);
  if (wants('priority')) update.priority = readPriority(item, context);
  if (wants('capture')) update.capture = decodeRequired(item, 'capture', asBoolean, context);
  if (wants('capture_duration')) {
    update.captureDuration = decodeRequired(item, 'capture_duration', asUint32, context);
  }
  if (wants('enabled')) update.enabled = decodeRequired(item, 'enabled', asBoolean, context);
  if (wants('warn_evttypes'))
    update.warnEventTypes = decodeRequired(item, 'warn_evttypes', asBoolean, context);
  if (wants('skip-if-unknown-filter')) {
    update.skipIfUnknownFilter = decodeRequired(item, 'skip-if-unknown-filter', asBoolean, context);
  }
  return update;
}

function readLegacyAppend(rule: RuleItem): void {
  const { item, context, name, source } = rule;
  const update: RuleUpdate = { context, name, source };
  if (mapGet(item, 'condition') !== undefined)
    update.condition = readCondition(item, context, 'rule condition');
  if (mapGet(item, 'exceptions') !== undefined)
    update.exceptions = readExceptions(item, context, true, rule.report);
  rule.collector.appendRule(update);
}

function readDefinition(rule: RuleItem): void {
  const { item, context, name } = rule;
  const hasBody = ['condition', 'output', 'desc', 'priority'].some(
    (key) => mapGet(item, key) !== undefined,
  );
  if (!hasBody) {
    const enabled = decodeRequired(item, 'enabled', asBoolean, context);
    rule.report.warning('LOAD_DEPRECATED_ITEM', ENABLED_DEPRECATED, context);
    rule.collector.enableRule(name, enabled, context);
    return;
  }
  const condition = readCondition(item, context, 'rule condition');
  const output = decodeRequired(item, 'output', asString, context);
  const outputContext = context.child(
    'rule output',
    '',
    mapGet(item, 'output')?.offset ?? item.offset,
  );
  const description = decodeRequired(item, 'desc', asString, context);
  const priority = readPriority(item, context);
  const info: RuleInfo = {
    context,
    name,
    index: 0,
    visibility: 0,
    condition,
    outputContext,
    output: output.trim(),
    description,
    priority,
    source: decodeOptional(item, 'source', asString, context) ?? 'syscall',
    unknownSource: false,
    enabled: decodeOptional(item, 'enabled', asBoolean, context) ?? true,
    capture: decodeOptional(item, 'capture', asBoolean, context) ?? false,
    captureDuration: decodeOptional(item, 'capture_duration', asUint32, context) ?? 0,
    warnEventTypes: decodeOptional(item, 'warn_evttypes', asBoolean, context) ?? true,
    skipIfUnknownFilter:
      decodeOptional(item, 'skip-if-unknown-filter', asBoolean, context) ?? false,
    tags: new Set(decodeScalarSequence(item, 'tags', context, true) ?? []),
    exceptions: readExceptions(item, context, false, rule.report),
  };
  rule.collector.defineRule(info);
}

function readPriority(item: YamlNode, context: ItemContext): Priority {
  const text = decodeRequired(item, 'priority', asString, context);
  const priority = parsePriority(text);
  const priorityContext = context.child(
    'rule priority',
    '',
    mapGet(item, 'priority')?.offset ?? item.offset,
  );
  check(priority === undefined, 'Invalid priority', priorityContext);
  return priority as Priority;
}

/** A required `condition` key, mapped to its place in the file. */
export function readCondition(
  item: YamlNode,
  context: ItemContext,
  kind: 'rule condition' | 'macro condition',
): MappedText {
  decodeRequired(item, 'condition', asString, context);
  const node = mapGet(item, 'condition') as YamlScalar;
  return MappedText.fromScalar(node, context.child(kind, '', node.offset));
}
