/**
 * Compiles collected rules, as Falco does per rule: exceptions appended to the condition, the
 * output checked, lists and macros expanded, the condition compiled against its source's
 * fields, event types worked out. A rule that fails is reported and left out; the others
 * still compile. Unused macros and lists are reported when nothing failed.
 * @internal
 */
import {
  compileCondition,
  compileOutput,
  eventTypesOf,
  fdFieldWarning,
  type FieldTable,
  printCondition,
  SharedChecks,
} from '../../engine/index.js';
import type { AppendOutput, ExtraOutputField } from './append-output.js';
import type { Collector } from './collector.js';
import { CompileState, type ParsedText } from './compile-state.js';
import { conditionWarnings, deprecatedFields } from './condition-warnings.js';
import { ItemError, type ItemContext, type LoadReport } from './context.js';
import { applyExceptions } from './exception-condition.js';
import type { RuleInfo } from './items.js';
import type { MacroExpansion } from './macro-expansion.js';
import { toRuleException, type Rule } from './rule.js';
import { isUnknownFilter } from './unknown-filter.js';

/** Field tables by source name. */
export type TableLookup = (source: string) => FieldTable<unknown> | undefined;

/** More event types than this on a syscall rule draws LOAD_NO_EVTTYPE, as in Falco. */
const MAX_EVENT_TYPES = 100;
const CONTAINER_INFO = '%container.info';

/**
 * Compiles every collected rule, with the configuration's `append_output` applied to their
 * outputs; reports problems into `report`.
 */
export function compileRules(
  collector: Collector,
  tables: TableLookup,
  report: LoadReport,
  appendOutput: AppendOutput,
): Rule[] {
  const errorsBefore = countErrors(report);
  const state = new CompileState(collector, report);
  // The rules of one load judge the subexpressions they share (their macros) once per event.
  const shared = new SharedChecks();
  const rules: Rule[] = [];
  for (const info of collector.rules.values()) {
    if (info.unknownSource) continue;
    const table = tables(info.source);
    if (table === undefined) continue;
    try {
      const target = { table, shared, appendOutput };
      const rule = compileRule(info, rules.length, target, state, report);
      if (rule !== undefined && !info.rejected) rules.push(rule);
    } catch (error) {
      if (!(error instanceof ItemError)) throw error;
      report.fromItemError(error);
    }
  }
  if (countErrors(report) === errorsBefore) reportUnused(state, report);
  return rules;
}

function countErrors(report: LoadReport): number {
  return report.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
}

function reportUnused(state: CompileState, report: LoadReport): void {
  for (const macro of state.macros.values()) {
    if (!macro.used)
      report.warning(
        'LOAD_UNUSED_MACRO',
        'Macro not referred to by any other rule/macro',
        macro.info.context,
      );
  }
  for (const list of state.lists) {
    if (!list.used)
      report.warning(
        'LOAD_UNUSED_LIST',
        'List not referred to by any other rule/macro',
        list.info.context,
      );
  }
}

/**
 * What a rule compiles against: its source's fields, the shared checks, and the output texts
 * and fields the configuration appends.
 */
interface CompileTarget {
  table: FieldTable<unknown>;
  shared: SharedChecks;
  appendOutput: AppendOutput;
}

function compileRule(
  info: RuleInfo,
  id: number,
  target: CompileTarget,
  state: CompileState,
  report: LoadReport,
): Rule | undefined {
  const { table } = target;
  const { condition, fields } = applyExceptions(info.condition, info.exceptions);
  const output = checkOutput(info, report);
  const formatter = compileOutput(output, table);
  if (!formatter.ok) {
    const at = outputPlace(info, output, formatter.error.position.index);
    if (isUnknownFilter(formatter.error) && info.skipIfUnknownFilter) {
      report.warning('LOAD_UNKNOWN_FILTER', formatter.error.message, at);
      return undefined;
    }
    // Falco stops at this error; the condition is still checked so that both are reported.
    report.error('LOAD_ERR_COMPILE_OUTPUT', formatter.error.message, at);
  } else warnDeprecatedOutput(info, output, report);
  const appended = formatter.ok
    ? appendTo(info, { output, formatter: formatter.formatter, fields: [] }, target, report)
    : undefined;
  if (appended === 'skipped') return undefined;

  const parsed = state.parse(condition);
  if (parsed === undefined) return undefined;
  const expansion = state.expand(parsed, () => true);
  if (!state.reportExpansion(parsed, expansion)) return undefined;
  for (const warning of conditionWarnings(expansion.expr)) {
    const { index } = warning.position;
    const at = state.placeWarning(parsed, expansion.copies, index, warning.message);
    if (at !== undefined) report.warning(warning.code, warning.message, at);
  }
  const filter = compileExpanded(info, target, state, parsed, expansion, report);
  if (filter === undefined || appended === undefined || appended === 'failed') return undefined;

  const eventTypes = info.source === 'syscall' ? eventTypesOf(expansion.expr) : null;
  if (info.source === 'syscall') warnEventTypes(info, eventTypes, state, parsed, expansion, report);
  return {
    id,
    name: info.name,
    description: info.description,
    source: info.source,
    priority: info.priority,
    tags: [...info.tags].sort(),
    enabled: info.enabled,
    condition: expansion.expr,
    conditionText: printCondition(expansion.expr),
    output: appended.output,
    exceptions: info.exceptions.map(toRuleException),
    exceptionFields: [...fields].sort(),
    eventTypes,
    filter,
    formatter: appended.formatter,
    extraOutputFields: appended.fields,
    capture: info.capture,
    captureDuration: info.captureDuration,
  };
}

/** A rule's output with the configuration's appended texts, compiled, and its extra fields. */
interface AppendedOutput {
  output: string;
  formatter: Rule['formatter'];
  fields: readonly ExtraOutputField[];
}

/**
 * The rule's `own` output (valid) with what the matching `append_output` entries add:
 * 'skipped' when the rule is left out with a LOAD_UNKNOWN_FILTER warning, 'failed' when an
 * appended text does not compile for the rule's source (reported at its place in the
 * configuration).
 */
function appendTo(
  info: RuleInfo,
  own: AppendedOutput,
  target: CompileTarget,
  report: LoadReport,
): AppendedOutput | 'skipped' | 'failed' {
  const appends = target.appendOutput.forRule(info, target.table, report);
  if (appends.kind === 'skipped')
    report.warning('LOAD_UNKNOWN_FILTER', appends.message, info.outputContext);
  if (appends.kind !== 'appends') return appends.kind;
  if (appends.texts.length === 0) return { ...own, fields: appends.fields };
  const full = [own.output, ...appends.texts].join(' ');
  const formatter = compileOutput(full, target.table);
  if (!formatter.ok) {
    // Each part compiles alone; this is left for a join that changes a token.
    report.error('LOAD_ERR_COMPILE_OUTPUT', formatter.error.message, info.outputContext);
    return 'failed';
  }
  return { output: full, formatter: formatter.formatter, fields: appends.fields };
}

/** The syscall rule warnings that come from the event types the rule can match. */
function warnEventTypes(
  info: RuleInfo,
  eventTypes: ReadonlySet<string> | null,
  state: CompileState,
  parsed: ParsedText,
  expansion: MacroExpansion,
  report: LoadReport,
): void {
  if (info.warnEventTypes && (eventTypes === null || eventTypes.size > MAX_EVENT_TYPES)) {
    const message =
      'Rule matches too many evt.type values. This has a significant performance penalty.';
    report.warning('LOAD_NO_EVTTYPE', message, info.context);
  }
  const fdWarning = fdFieldWarning(expansion.expr, eventTypes);
  if (fdWarning === undefined) return;
  // Placed in this rule even inside a macro: the macro may serve rules whose events have fds.
  const at = state.locate(parsed, expansion.copies, fdWarning.position.index);
  report.warning('HARRIER_FD_FIELD_WITHOUT_FD', fdWarning.message, at);
}

function compileExpanded(
  info: RuleInfo,
  target: CompileTarget,
  state: CompileState,
  parsed: ParsedText,
  expansion: MacroExpansion,
  report: LoadReport,
): Rule['filter'] | undefined {
  const compiled = compileCondition(expansion.expr, target.table, target.shared);
  const locate = (index: number): ItemContext => state.locate(parsed, expansion.copies, index);
  if (!compiled.ok) {
    const at = locate(compiled.error.position.index);
    if (isUnknownFilter(compiled.error) && info.skipIfUnknownFilter) {
      report.warning('LOAD_UNKNOWN_FILTER', compiled.error.message, at);
      return undefined;
    }
    throw new ItemError('LOAD_ERR_COMPILE_CONDITION', compiled.error.message, at);
  }
  for (const { code, message, position } of compiled.warnings) {
    const at = state.placeWarning(parsed, expansion.copies, position.index, message);
    if (at !== undefined) report.warning(code, message, at);
  }
  return compiled.filter;
}

/** The output with `%container.info` dropped (and warned about), as Falco does. */
function checkOutput(info: RuleInfo, report: LoadReport): string {
  const text = info.output.text;
  if (!text.includes(CONTAINER_INFO)) return text;
  const message =
    "'%container.info' is deprecated and was removed from the output; alerts carry the container fields anyway";
  report.warning('LOAD_DEPRECATED_ITEM', message, info.context);
  return text.split(CONTAINER_INFO).join('');
}

/**
 * The place in the file of character `index` of `output`, the rule's output as compiled
 * (with any `%container.info` dropped): the output key itself when it cannot be mapped.
 */
function outputPlace(info: RuleInfo, output: string, index: number): ItemContext {
  const full = info.output.text;
  let original = index;
  if (output !== full) {
    // Step over the dropped `%container.info` texts up to the index.
    let kept = 0;
    original = 0;
    while (original < full.length) {
      if (full.startsWith(CONTAINER_INFO, original)) {
        original += CONTAINER_INFO.length;
        continue;
      }
      if (kept === index) break;
      original++;
      kept++;
    }
  }
  return info.output.locate(original) ?? info.outputContext;
}

function warnDeprecatedOutput(info: RuleInfo, output: string, report: LoadReport): void {
  for (const field of deprecatedFields) {
    const index = output.indexOf(field);
    if (index < 0) continue;
    const message = `usage of deprecated field '${field}' has been detected in the rule output`;
    report.warning('LOAD_DEPRECATED_ITEM', message, outputPlace(info, output, index));
  }
}
