/**
 * A compiled rule, ready to run: its expanded condition and evaluator, its output formatter
 * and everything Falco reports about it.
 */
import type { CompiledFilter, Expr, OutputFormatter } from '../../engine/index.js';
import type { ExtraOutputField } from './append-output.js';
import type { ExceptionEntry, ExceptionInfo } from './items.js';
import type { Priority } from './priority.js';

/** An exception value as written: a string or a (nested) list of strings. */
type ExceptionValue = string | ExceptionValue[];

/** A rule exception after validation, with default comps filled in. */
export interface RuleException {
  name: string;
  fields: ExceptionValue;
  comps: ExceptionValue;
  values: ExceptionValue[];
}

export interface Rule<E = unknown> {
  /** Position in definition order across all loaded files, from 0. */
  id: number;
  name: string;
  description: string;
  source: string;
  priority: Priority;
  /** Sorted, without duplicates, as Falco keeps them. */
  tags: readonly string[];
  /** The rule's own `enabled` setting after all overrides. */
  enabled: boolean;
  /**
   * The condition with exceptions appended, lists and macros expanded. Nodes copied from a
   * macro have positions offset by a multiple of 2^24; their text positions are in the macro.
   */
  condition: Expr;
  /** The expanded condition in Falco's canonical printed form (`rules show`). */
  conditionText: string;
  /**
   * The output format after appends (and `%container.info` removed), with the texts of the
   * configuration's `append_output` entries that match the rule.
   */
  output: string;
  exceptions: readonly RuleException[];
  /** Fields the exceptions test, sorted. */
  exceptionFields: readonly string[];
  /** Event types the condition can match; null when it can match any. */
  eventTypes: ReadonlySet<string> | null;
  filter: CompiledFilter<E>;
  formatter: OutputFormatter<E>;
  /** `output_fields` entries of matching `append_output` entries, in alerts only. */
  extraOutputFields: readonly ExtraOutputField<E>[];
  capture: boolean;
  /** Milliseconds of capture after a match (0: the configured default). */
  captureDuration: number;
}

function plainEntry(entry: ExceptionEntry | undefined): ExceptionValue {
  if (entry === undefined) return '';
  return entry.isList ? entry.items.map(plainEntry) : entry.item;
}

/** The public form of a collected exception. @internal */
export function toRuleException(exception: ExceptionInfo): RuleException {
  return {
    name: exception.name,
    fields: plainEntry(exception.fields),
    comps: plainEntry(exception.comps),
    values: exception.values.map(plainEntry),
  };
}
