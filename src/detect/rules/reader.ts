/**
 * Reads one rule file into the collector: YAML documents, each a sequence of items (`rule`,
 * `macro`, `list`, `required_engine_version`, `required_plugin_versions`). A broken item is
 * reported and skipped; reading goes on with the next one.
 * @internal
 */
import { Collector, DependentItemSkipped } from './collector.js';
import {
  check,
  ItemContext,
  ItemError,
  type ItemKind,
  type LoadReport,
  type SourceFile,
} from './context.js';
import {
  asBoolean,
  asString,
  asUint32,
  decodeOptional,
  decodeRequired,
  decodeScalarSequence,
} from './decode.js';
import { warnDuplicateKeys } from './duplicate-keys.js';
import { APPEND_DEPRECATED, OVERRIDE_WITH_APPEND, readCondition, readRule } from './reader-rule.js';
import { readOverrides, warnUnknownKeys } from './reader-parts.js';
import { parseVersion, type PluginRequirement, type Version } from './versions.js';
import { mapGet, parseYamlDocuments, type YamlNode } from './yaml-tree.js';

const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const BARE_STRING = /^[^()"' \t\n\v\f\r=,]+$/;

/** Reads every item of `file`; returns false when the YAML itself does not parse. */
export function readRuleFile(file: SourceFile, collector: Collector, report: LoadReport): boolean {
  const root = ItemContext.root(file);
  const parsed = parseYamlDocuments(file.text);
  if (!parsed.ok) {
    report.error('LOAD_ERR_YAML_PARSE', parsed.error.message, root.at(parsed.error.offset));
    return false;
  }
  for (const document of parsed.documents) {
    if (document === null || document.kind === 'null') continue;
    if (document.kind !== 'seq') {
      const message =
        document.kind === 'map'
          ? 'Rules content is not yaml array of objects'
          : 'Rules content is not yaml';
      report.error('LOAD_ERR_YAML_VALIDATE', message, root);
      continue;
    }
    for (const item of document.items) {
      if (item.kind !== 'null') readItemSafely(item, root, collector, report);
    }
  }
  return true;
}

function readItemSafely(
  item: YamlNode,
  root: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  warnDuplicateKeys(item, report, itemContext(item, root));
  try {
    readItem(item, root, collector, report);
  } catch (error) {
    if (error instanceof DependentItemSkipped) return;
    if (!(error instanceof ItemError)) throw error;
    report.fromItemError(error);
    const failed = failedItemKey(item);
    if (failed !== undefined) collector.failedItems.add(failed);
  }
}

/** The rule, macro or list `item` defines, named when its name is a scalar. */
function itemContext(item: YamlNode, root: ItemContext): ItemContext {
  for (const kind of ['rule', 'macro', 'list'] as const satisfies readonly ItemKind[]) {
    const name = mapGet(item, kind);
    if (name !== undefined) {
      const label = name.kind === 'scalar' ? name.value : '';
      return root.child(kind, label, item.offset);
    }
  }
  return root.child('rules content item', '', item.offset);
}

/** `rule:name` for an item whose name could be read, so later changes to it stay quiet. */
function failedItemKey(item: YamlNode): string | undefined {
  for (const kind of ['rule', 'macro', 'list']) {
    const name = mapGet(item, kind);
    if (name?.kind === 'scalar') return `${kind}:${name.value}`;
  }
  return undefined;
}

function readItem(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const unexpected = 'Unexpected element type. Each element should be a yaml associative array.';
  check(item.kind !== 'map', unexpected, parent.child('rules content item', '', item.offset));
  if (mapGet(item, 'required_engine_version') !== undefined)
    readEngineVersion(item, parent, collector, report);
  else if (mapGet(item, 'required_plugin_versions') !== undefined)
    readPluginVersions(item, parent, collector, report);
  else if (mapGet(item, 'list') !== undefined) readList(item, parent, collector, report);
  else if (mapGet(item, 'macro') !== undefined) readMacro(item, parent, collector, report);
  else if (mapGet(item, 'rule') !== undefined) readRule(item, parent, collector, report);
  else {
    const context = parent.child('rules content item', '', item.offset);
    report.warning('LOAD_UNKNOWN_ITEM', 'Unknown top level item', context);
  }
}

function readEngineVersion(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const key = 'required_engine_version';
  const context = parent.child(key, '', item.offset);
  let version: Version | undefined;
  try {
    // A bare number is the minor version of engine 0.x.0, Falco's old numbering.
    const minor = decodeRequired(item, key, asUint32, context);
    version = { major: 0, minor, patch: 0 };
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    const text = decodeRequired(item, key, asString, context);
    version = parseVersion(text);
    const message = `Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`;
    check(version === undefined, message, context);
  }
  collector.defineEngineVersion(version as Version, context);
  warnUnknownKeys(item, new Set([key]), report, context);
}

function readPluginVersions(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const node = mapGet(item, 'required_plugin_versions') as YamlNode;
  const context = parent.child('required plugin versions', '', node.offset);
  check(node.kind !== 'seq', 'Value of required_plugin_versions must be a sequence', context);
  for (const plugin of node.kind === 'seq' ? node.items : []) {
    const unnamed = context.child('required plugin versions entry', '', plugin.offset);
    check(plugin.kind !== 'map', 'Plugin version must be a mapping', unnamed);
    const name = decodeRequired(plugin, 'name', asString, unnamed);
    const entry = context.child('required plugin versions entry', name, plugin.offset);
    const alternatives: PluginRequirement[] = [
      { name, version: decodeRequired(plugin, 'version', asString, entry) },
    ];
    const others = mapGet(plugin, 'alternatives');
    if (others !== undefined) {
      check(
        others.kind !== 'seq',
        'Value of plugin version alternatives must be a sequence',
        entry,
      );
      for (const other of others.kind === 'seq' ? others.items : []) {
        alternatives.push(readAlternative(other, entry));
      }
    }
    collector.definePluginVersions(alternatives, entry);
  }
  const itemContext = parent.child('required plugin versions', '', item.offset);
  warnUnknownKeys(item, new Set(['required_plugin_versions']), report, itemContext);
}

function readAlternative(node: YamlNode, parent: ItemContext): PluginRequirement {
  const unnamed = parent.child('required plugin versions alternative', '', node.offset);
  check(node.kind !== 'map', 'Plugin version alternative must be a mapping', unnamed);
  const name = decodeRequired(node, 'name', asString, unnamed);
  const context = parent.child('required plugin versions alternative', name, node.offset);
  return { name, version: decodeRequired(node, 'version', asString, context) };
}

function readList(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const name = decodeRequired(item, 'list', asString, parent.child('list', '', item.offset));
  const context = parent.child('list', name, item.offset);
  if (!BARE_STRING.test(name)) {
    const message = `List has an invalid name. List names should match a regular expression: ([^()"'[:space:]=,]+)`;
    report.warning('LOAD_INVALID_LIST_NAME', message, context);
  }
  const items = decodeScalarSequence(item, 'items', context, false) ?? [];
  const append = readAppendFlag(item, context, report);
  const overrides = readOverrides(item, new Set(['items']), new Set(['items']), context);
  check(
    append && overrides.append.size + overrides.replace.size > 0,
    OVERRIDE_WITH_APPEND,
    context,
  );
  const info = { context, name, index: 0, visibility: 0, items };
  if (append || overrides.append.has('items')) collector.appendList(info);
  else collector.defineList(info);
  warnUnknownKeys(item, new Set(['list', 'items', 'append', 'override']), report, context);
}

function readMacro(
  item: YamlNode,
  parent: ItemContext,
  collector: Collector,
  report: LoadReport,
): void {
  const name = decodeRequired(item, 'macro', asString, parent.child('macro', '', item.offset));
  const context = parent.child('macro', name, item.offset);
  if (!IDENTIFIER.test(name)) {
    const message =
      'Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)';
    report.warning('LOAD_INVALID_MACRO_NAME', message, context);
  }
  const condition = readCondition(item, context, 'macro condition');
  const append = readAppendFlag(item, context, report);
  const overrides = readOverrides(item, new Set(['condition']), new Set(['condition']), context);
  check(
    append && overrides.append.size + overrides.replace.size > 0,
    OVERRIDE_WITH_APPEND,
    context,
  );
  const info = { context, name, index: 0, visibility: 0, condition };
  if (append || overrides.append.has('condition')) collector.appendMacro(info);
  else collector.defineMacro(info);
  warnUnknownKeys(item, new Set(['macro', 'condition', 'append', 'override']), report, context);
}

function readAppendFlag(item: YamlNode, context: ItemContext, report: LoadReport): boolean {
  const append = decodeOptional(item, 'append', asBoolean, context) ?? false;
  if (append) report.warning('LOAD_DEPRECATED_ITEM', APPEND_DEPRECATED, context);
  return append;
}
