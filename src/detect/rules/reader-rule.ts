/**
 * Reads a `rule` item: a new definition, an `override` (append and/or selective replace), the
 * deprecated `append: true`, or the deprecated standalone `enabled` switch.
 * @internal
 */
import type { Collector } from './collector.js';
import { check, KeyProblems, type ItemContext, type LoadReport } from './context.js';
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
import { parsePriority, priorityNames, type Priority } from './priority.js';
import { readExceptions, readOverrides, warnUnknownKeys } from './reader-parts.js';
import { mapGet, type YamlNode, type YamlScalar } from './yaml-tree.js';

export const APPEND_DEPRECATED =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const ENABLED_DEPRECATED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
export const OVERRIDE_WITH_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

/** The spellings Falco accepts: whole names (no prefixes) in any letter case, and `info`. */
const PRIORITY_CHOICES = `expected one of ${priorityNames
  .map((name) => (name === 'Informational' ? 'informational (or info)' : name.toLowerCase()))
  .join(', ')}, in any letter case`;

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
  if (wants('output')) update.output = readOutput(item, context);
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
  const problems = new KeyProblems();
  const read = <T>(key: () => T) => problems.attempt(key);
  const condition = read(() => readCondition(item, context, 'rule condition'));
  const output = read(() => readOutput(item, context));
  const outputContext = context.child(
    'rule output',
    '',
    mapGet(item, 'output')?.offset ?? item.offset,
  );
  const source = read(() => decodeOptional(item, 'source', asString, context) ?? 'syscall');
  const info: RuleInfo = {
    context,
    name,
    index: 0,
    visibility: 0,
    condition: condition ?? MappedText.fixed('', context),
    outputContext,
    output: output?.trim() ?? MappedText.fixed('', outputContext),
    description: read(() => decodeRequired(item, 'desc', asString, context)) ?? '',
    priority: read(() => readPriority(item, context)) ?? 'Debug',
    source: source ?? 'syscall',
    unknownSource: false,
    rejected: false,
    enabled: read(() => decodeOptional(item, 'enabled', asBoolean, context)) ?? true,
    capture: read(() => decodeOptional(item, 'capture', asBoolean, context)) ?? false,
    captureDuration: read(() => decodeOptional(item, 'capture_duration', asUint32, context)) ?? 0,
    warnEventTypes: read(() => decodeOptional(item, 'warn_evttypes', asBoolean, context)) ?? true,
    skipIfUnknownFilter:
      read(() => decodeOptional(item, 'skip-if-unknown-filter', asBoolean, context)) ?? false,
    tags: new Set(read(() => decodeScalarSequence(item, 'tags', context, true)) ?? []),
    exceptions: read(() => readExceptions(item, context, false, rule.report)) ?? [],
  };
  if (problems.isEmpty) return rule.collector.defineRule(info);
  // Still compiled when its condition and source could be read, so that their problems show
  // along with these; a rejected rule never enters the ruleset.
  if (condition !== undefined && source !== undefined) {
    problems.attempt(() => rule.collector.defineRule({ ...info, rejected: true }));
  }
  problems.throwAll(rule.report);
}

function readPriority(item: YamlNode, context: ItemContext): Priority {
  const text = decodeRequired(item, 'priority', asString, context);
  const priority = parsePriority(text);
  const priorityContext = context.child(
    'rule priority',
    '',
    mapGet(item, 'priority')?.offset ?? item.offset,
  );
  check(priority === undefined, `Invalid priority '${text}': ${PRIORITY_CHOICES}`, priorityContext);
  return priority as Priority;
}

/** A required `condition` key, mapped to its place in the file. */
/** The `output` key, mapped into the file so that output errors point at their token. */
function readOutput(item: YamlNode, context: ItemContext): MappedText {
  decodeRequired(item, 'output', asString, context);
  const node = mapGet(item, 'output') as YamlScalar;
  return MappedText.fromScalar(node, context.child('rule output', '', node.offset));
}

export function readCondition(
  item: YamlNode,
  context: ItemContext,
  kind: 'rule condition' | 'macro condition',
): MappedText {
  decodeRequired(item, 'condition', asString, context);
  const node = mapGet(item, 'condition') as YamlScalar;
  return MappedText.fromScalar(node, context.child(kind, '', node.offset));
}
