/**
 * Falco's `append_output` settings applied to compiled rules: each entry that matches a rule
 * (same source, all its tags, same name; every test optional) appends its text to the rule's
 * output and adds its extra fields to the rule's `output_fields`, in the entries' order.
 * The entries come from the configuration file, so problems found here point into it.
 */
import {
  compileOutput,
  type CompileError,
  type Diagnostic,
  type FieldTable,
  type OutputFormatter,
  suggestedOutputFields,
} from '../../engine/index.js';
import type { LoadReport } from './context.js';
import { isUnknownFilter } from './unknown-filter.js';

/** A place in the configuration file. */
export interface ConfigPlace {
  readonly file: string;
  /** 1-based; 0 when the value came from the environment. */
  readonly line: number;
  readonly column: number;
  readonly snippet: string;
  /** Why the column only approximates the place ('' when exact). */
  readonly note: string;
}

/** A configuration string with the place of each of its characters. */
export interface PlacedText {
  readonly text: string;
  locate(index: number): ConfigPlace;
}

/** One `extra_fields` item: `key: format` (formatted) or a bare field name (raw). */
export interface AppendedField {
  readonly key: string;
  /** The format; `%key` for a raw field. */
  readonly format: PlacedText;
  /** Raw: the field's typed value; formatted: the format's text. */
  readonly raw: boolean;
}

/** One `append_output` entry, validated. */
export interface AppendOutputEntry {
  /** How diagnostics name it: `append_output[2]`. */
  readonly label: string;
  readonly source?: string;
  /** A rule needs all of them. */
  readonly tags: readonly string[];
  readonly rule?: string;
  /** Where `match.rule` is written, for the warning when it names no rule. */
  readonly rulePlace?: ConfigPlace;
  readonly extraOutput?: PlacedText;
  readonly suggestedOutput: boolean;
  readonly extraFields: readonly AppendedField[];
}

/** An extra `output_fields` entry of a rule, resolved per alert. */
export interface ExtraOutputField<E = unknown> {
  readonly key: string;
  readonly raw: boolean;
  readonly formatter: OutputFormatter<E>;
}

/**
 * What the entries give one rule: texts and fields, or `failed` when one of their texts does
 * not compile for it (reported), or `skipped` with the message of the warning to give.
 */
type RuleAppends =
  | { readonly kind: 'appends'; readonly texts: string[]; readonly fields: ExtraOutputField[] }
  | { readonly kind: 'failed' }
  | { readonly kind: 'skipped'; readonly message: string };

/** The rule as the entries see it. */
interface RuleSubject {
  readonly name: string;
  readonly source: string;
  readonly tags: ReadonlySet<string>;
  readonly skipIfUnknownFilter: boolean;
}

/**
 * The entries of one load. A text that fails for a source is reported once, with the first
 * rule it failed for: every later rule of that source fails the same way.
 */
export class AppendOutput {
  private readonly reported = new Set<string>();
  /** Entries whose `match.rule` names a rule seen by `forRule`. */
  private readonly named = new Set<AppendOutputEntry>();
  /**
   * Each appended text compiled once per source: every rule of the source it is appended to
   * would otherwise compile it again (a long text times every rule of a rule file).
   */
  private readonly compiled = new Map<PlacedText, Map<string, ReturnType<typeof compileOutput>>>();

  constructor(private readonly entries: readonly AppendOutputEntry[]) {}

  /** Warns, at its place, about each entry whose `match.rule` named none of the rules. */
  warnUnnamedRules(report: LoadReport): void {
    for (const entry of this.entries) {
      const place = entry.rulePlace;
      if (entry.rule === undefined || place === undefined || this.named.has(entry)) continue;
      report.addDiagnostic({
        code: 'HARRIER_APPEND_OUTPUT_NO_RULE',
        severity: 'warning',
        message: `no loaded rule is named '${entry.rule}'`,
        file: place.file, line: place.line, column: place.column, snippet: place.snippet,
        path: `${entry.label} > match > rule`,
        itemType: '',
        itemName: '',
      }); // prettier-ignore
    }
  }

  /** Whether `entry` applies to `rule`. */
  static matches(
    entry: AppendOutputEntry,
    rule: Omit<RuleSubject, 'skipIfUnknownFilter'>,
  ): boolean {
    if (entry.source !== undefined && entry.source !== rule.source) return false;
    if (!entry.tags.every((tag) => rule.tags.has(tag))) return false;
    return entry.rule === undefined || entry.rule === rule.name;
  }

  /**
   * The texts to append to `rule`'s output and its extra fields (a later entry's field
   * replaces an earlier one of the same key, as in Falco). A text that does not compile for
   * the rule's source is an error, or, for a rule with `skip_if_unknown_filter` and an
   * unknown field in its appended output, a reason to skip the rule.
   */
  forRule(rule: RuleSubject, table: FieldTable<unknown>, report: LoadReport): RuleAppends {
    const texts: string[] = [];
    const fields = new Map<string, ExtraOutputField>();
    for (const entry of this.entries) {
      if (entry.rule === rule.name) this.named.add(entry);
      if (!AppendOutput.matches(entry, rule)) continue;
      if (entry.extraOutput !== undefined && entry.extraOutput.text !== '') {
        const compiled = this.compile(entry.extraOutput, table);
        if (!compiled.ok) {
          const { error } = compiled;
          if (rule.skipIfUnknownFilter && isUnknownFilter(error))
            return {
              kind: 'skipped',
              message: `${error.message} (in ${entry.label}.extra_output)`,
            };
          this.fail(entry, 'extra_output', entry.extraOutput, error, rule, report);
          return { kind: 'failed' };
        }
        texts.push(entry.extraOutput.text);
      }
      if (entry.suggestedOutput)
        for (const name of suggestedOutputFields(table))
          texts.push(`${name.replaceAll('.', '_')}=%${name}`);
      for (const field of entry.extraFields) {
        const compiled = this.compile(field.format, table);
        if (!compiled.ok) {
          const part = `extra_fields '${field.key}'`;
          this.fail(entry, part, field.format, compiled.error, rule, report);
          return { kind: 'failed' };
        }
        fields.set(field.key, { key: field.key, raw: field.raw, formatter: compiled.formatter });
      }
    }
    return { kind: 'appends', texts, fields: [...fields.values()] };
  }

  private compile(text: PlacedText, table: FieldTable<unknown>): ReturnType<typeof compileOutput> {
    let bySource = this.compiled.get(text);
    if (bySource === undefined) this.compiled.set(text, (bySource = new Map()));
    let result = bySource.get(table.source);
    if (result === undefined)
      bySource.set(table.source, (result = compileOutput(text.text, table)));
    return result;
  }

  private fail(
    entry: AppendOutputEntry,
    part: string,
    text: PlacedText,
    error: CompileError,
    rule: RuleSubject,
    report: LoadReport,
  ): void {
    const key = `${entry.label} ${part} ${rule.source}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    report.addDiagnostic(appendDiagnostic(entry, part, text, error, rule));
  }
}

/** The error at its place in the configuration, naming the entry and the rule. */
function appendDiagnostic(
  entry: AppendOutputEntry,
  part: string,
  text: PlacedText,
  error: CompileError,
  rule: RuleSubject,
): Diagnostic {
  const place = text.locate(error.position.index);
  const path = `${entry.label} > ${part} appended to rule '${rule.name}' (source ${rule.source})`;
  return {
    code: 'LOAD_ERR_COMPILE_OUTPUT',
    severity: 'error',
    message: error.message,
    file: place.file,
    line: place.line,
    column: place.column,
    snippet: place.snippet,
    path: place.note === '' ? path : `${path} (${place.note})`,
    itemType: 'rule',
    itemName: rule.name,
  };
}
