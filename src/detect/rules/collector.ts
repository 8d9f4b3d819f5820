/**
 * Collects items across rule files in order: definitions, appends, selective replaces and the
 * standalone `enabled` switch, with Falco's rules on what each may change and the order that
 * decides which macros and lists an item can see.
 * @internal
 */
import { check, ItemError, type ItemContext, type LoadReport } from './context.js';
import { validateException } from './exception-validate.js';
import {
  hasAnyValue,
  isValidEntry,
  type ListInfo,
  type MacroInfo,
  type RuleInfo,
  type RuleUpdate,
} from './items.js';
import {
  compareVersions,
  formatVersion,
  isCompatible,
  parseVersion,
  type PluginRequirement,
  type Version,
} from './versions.js';

/** What the collector and compiler need to know about event sources. */
export interface SourceCatalog {
  hasSource(source: string): boolean;
  /** Whether `field` (possibly wrapped in transformers) can be the left side of a check. */
  isValidLeftField(source: string, field: string): boolean;
}

export const NO_PREVIOUS_MACRO =
  "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
export const NO_PREVIOUS_LIST =
  "List uses 'append' or 'override.items: append' but no list by that name already exists";
export const NO_PREVIOUS_RULE_APPEND =
  "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
export const NO_PREVIOUS_RULE_REPLACE =
  "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";

/** Thrown when an item depends on one that already failed: its error would only repeat. */
export class DependentItemSkipped extends Error {}

function validate(failed: boolean, message: string, context: ItemContext): void {
  check(failed, message, context, 'LOAD_ERR_VALIDATE');
}

export class Collector {
  readonly lists = new Map<string, ListInfo>();
  readonly macros = new Map<string, MacroInfo>();
  readonly rules = new Map<string, RuleInfo>();
  readonly pluginRequirements: PluginRequirement[][] = [];
  requiredEngineVersion: Version | undefined;
  /** `kind:name` of items whose reading failed, so dependants do not repeat the error. */
  readonly failedItems = new Set<string>();
  private nextIndex = 0;

  constructor(
    private readonly catalog: SourceCatalog,
    private readonly report: LoadReport,
    private readonly engineVersion: Version,
  ) {}

  defineEngineVersion(version: Version, context: ItemContext): void {
    validate(
      !isCompatible(this.engineVersion, version),
      `Rules require engine version ${formatVersion(version)}, but engine version is ${formatVersion(this.engineVersion)}`,
      context,
    );
    if (
      this.requiredEngineVersion === undefined ||
      compareVersions(this.requiredEngineVersion, version) < 0
    ) {
      this.requiredEngineVersion = version;
    }
  }

  definePluginVersions(alternatives: PluginRequirement[], context: ItemContext): void {
    const names = new Set<string>();
    for (const requirement of alternatives) {
      validate(
        parseVersion(requirement.version) === undefined,
        `Invalid required version '${requirement.version}' for plugin '${requirement.name}'`,
        context,
      );
      validate(
        names.has(requirement.name),
        `Defined multiple alternative version requirements for plugin '${requirement.name}'`,
        context,
      );
      names.add(requirement.name);
    }
    this.pluginRequirements.push(alternatives);
  }

  defineList(info: ListInfo): void {
    this.define(this.lists, info);
  }

  appendList(info: ListInfo): void {
    const previous = this.previous(this.lists, 'list', info.name);
    validate(previous === undefined, NO_PREVIOUS_LIST, info.context);
    const list = previous as ListInfo;
    list.items.push(...info.items);
    list.visibility = this.nextIndex++;
  }

  defineMacro(info: MacroInfo): void {
    this.define(this.macros, info);
  }

  appendMacro(info: MacroInfo): void {
    const previous = this.previous(this.macros, 'macro', info.name);
    validate(previous === undefined, NO_PREVIOUS_MACRO, info.context);
    const macro = previous as MacroInfo;
    macro.condition = macro.condition.concat(' ', info.condition);
    macro.visibility = this.nextIndex++;
  }

  defineRule(info: RuleInfo): void {
    this.findPreviousRule(info.name, info.source, info.context);
    if (!this.catalog.hasSource(info.source)) {
      info.unknownSource = true;
      this.report.warning(
        'LOAD_UNKNOWN_SOURCE',
        `Unknown source ${info.source}, skipping`,
        info.context,
      );
    }
    const source = info.unknownSource ? undefined : info.source;
    for (const exception of info.exceptions) {
      validate(
        !isValidEntry(exception.fields),
        'Rule exception item must have fields property with a list of fields',
        exception.context,
      );
      validateException(this.catalog, source, exception);
    }
    this.define(this.rules, info);
  }

  appendRule(update: RuleUpdate): void {
    const rule = this.existingRule(update, NO_PREVIOUS_RULE_APPEND);
    validate(
      !hasAnyValue(update),
      'Appended rule must have exceptions or condition property',
      update.context,
    );
    const source = rule.unknownSource ? undefined : rule.source;
    if (update.condition !== undefined && update.condition.text !== '') {
      rule.condition = rule.condition.concat(' ', update.condition);
    }
    if (update.output !== undefined && update.output.text !== '')
      rule.output = rule.output.concat(' ', update.output);
    if (update.description !== undefined && update.description !== '') {
      rule.description += ' ' + update.description;
    }
    for (const tag of update.tags ?? []) rule.tags.add(tag);
    for (const exception of update.exceptions ?? []) {
      const existing = rule.exceptions.find((candidate) => candidate.name === exception.name);
      if (existing === undefined) {
        const { context } = exception;
        validate(
          !isValidEntry(exception.fields),
          'Rule exception must have fields property with a list of fields',
          context,
        );
        validate(
          exception.values.length === 0,
          'Rule exception must have values property with a list of values',
          context,
        );
        validateException(this.catalog, source, exception);
        rule.exceptions.push(exception);
      } else {
        const { context } = exception;
        validate(
          isValidEntry(exception.fields),
          'Can not append exception fields to existing exception, only values',
          context,
        );
        validate(
          isValidEntry(exception.comps),
          'Can not append exception comps to existing exception, only values',
          context,
        );
        existing.values.push(...exception.values);
      }
    }
    rule.visibility = this.nextIndex++;
  }

  replaceRule(update: RuleUpdate): void {
    const rule = this.existingRule(update, NO_PREVIOUS_RULE_REPLACE);
    validate(
      !hasAnyValue(update),
      'The rule must have at least one field that can be replaced',
      update.context,
    );
    if (update.condition !== undefined) rule.condition = update.condition;
    if (update.output !== undefined) rule.output = update.output;
    if (update.description !== undefined) rule.description = update.description;
    if (update.tags !== undefined) rule.tags = update.tags;
    if (update.exceptions !== undefined) rule.exceptions = update.exceptions;
    if (update.priority !== undefined) rule.priority = update.priority;
    if (update.capture !== undefined) rule.capture = update.capture;
    if (update.captureDuration !== undefined) rule.captureDuration = update.captureDuration;
    if (update.enabled !== undefined) rule.enabled = update.enabled;
    if (update.warnEventTypes !== undefined) rule.warnEventTypes = update.warnEventTypes;
    if (update.skipIfUnknownFilter !== undefined)
      rule.skipIfUnknownFilter = update.skipIfUnknownFilter;
    rule.visibility = this.nextIndex++;
  }

  /** The standalone `enabled` key on an earlier rule. */
  enableRule(name: string, enabled: boolean, context: ItemContext): void {
    const rule = this.previous(this.rules, 'rule', name);
    validate(
      rule === undefined,
      "Rule has 'enabled' key but no rule by that name already exists",
      context,
    );
    (rule as RuleInfo).enabled = enabled;
  }

  private define<T extends { name: string; index: number; visibility: number }>(
    infos: Map<string, T>,
    info: T,
  ): void {
    const id = this.nextIndex++;
    const previous = infos.get(info.name);
    info.index = previous === undefined ? id : previous.index;
    info.visibility = id;
    infos.set(info.name, info);
  }

  private previous<T>(infos: Map<string, T>, kind: string, name: string): T | undefined {
    const found = infos.get(name);
    if (found === undefined && this.failedItems.has(`${kind}:${name}`))
      throw new DependentItemSkipped();
    return found;
  }

  private existingRule(update: RuleUpdate, missing: string): RuleInfo {
    const rule = this.findPreviousRule(update.name, update.source, update.context);
    if (rule === undefined && this.failedItems.has(`rule:${update.name}`))
      throw new DependentItemSkipped();
    validate(rule === undefined, missing, update.context);
    const found = rule as RuleInfo;
    if (!found.unknownSource && !this.catalog.hasSource(found.source)) {
      throw new ItemError('LOAD_ERR_VALIDATE', `Unknown source ${found.source}`, update.context);
    }
    return found;
  }

  private findPreviousRule(
    name: string,
    source: string,
    context: ItemContext,
  ): RuleInfo | undefined {
    const previous = this.rules.get(name);
    validate(
      previous !== undefined &&
        previous.source !== '' &&
        source !== '' &&
        previous.source !== source,
      'Rule has been re-defined with a different source',
      context,
    );
    return previous;
  }
}
