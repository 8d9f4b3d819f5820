/**
 * Checks a case's inputs against the source they are read as, before the case runs: each
 * name under `fields` must be a field of that source and its value must fit the field's
 * type, and `raw` events only go to the JSON sources. Without these checks a misspelt field
 * reads as <NA>, a wrongly typed value is compared as text, and a raw record under a syscall
 * rule is rejected by the CloudTrail decoder in CloudTrail's words.
 */
import {
  type FieldDefinition,
  fieldTableFor,
  type FieldType,
  parseConstant,
  resolveField,
} from '../../engine/index.js';
import { ANCESTOR_FIELDS } from './field-values-table.js';
import type { RuleTestCase, TestInput } from './rule-test-file.js';

/** A problem with one case, at a 1-based line of its file. */
export interface CaseProblem {
  line: number;
  message: string;
}

/** The sources whose events a `raw` input holds. */
const RAW_SOURCES: ReadonlySet<string> = new Set(['k8s_audit', 'aws_cloudtrail']);

/** Every problem with `testCase`'s inputs for a rule reading `ruleSource` events. */
export function caseProblems(testCase: RuleTestCase, ruleSource: string): CaseProblem[] {
  const problems: CaseProblem[] = [];
  const report = (message: string, key?: string) =>
    problems.push({
      line: (key === undefined ? undefined : testCase.keyLines?.get(key)) ?? testCase.line,
      message: `case '${testCase.name}': ${message}`,
    });
  for (const input of testCase.inputs) {
    if (input.kind === 'capture') continue;
    const source = input.source ?? ruleSource;
    if (input.kind === 'raw') {
      if (!RAW_SOURCES.has(source)) report(rawMisuse(source), 'raw');
      continue;
    }
    for (const [message, key] of fieldInputProblems(input, source)) report(message, key);
  }
  return problems;
}

function rawMisuse(source: string): string {
  return (
    `a 'raw' event is a Kubernetes audit event or a CloudTrail record (source k8s_audit or ` +
    `aws_cloudtrail), but this event's source is ${source}: give its 'fields', or a 'capture'`
  );
}

/** `[message, key]` for each field of `input` unknown to `source` or with a misfit value. */
function fieldInputProblems(
  input: Extract<TestInput, { kind: 'fields' }>,
  source: string,
): [string, string][] {
  const table = fieldTableFor(source);
  if (table === undefined) return [[`unknown event source '${source}'`, 'source']];
  const problems: [string, string][] = [];
  for (const [key, value] of Object.entries(input.fields)) {
    const bracket = /^([^[]+)\[(.*)\]$/.exec(key);
    const resolved = bracket
      ? resolveField(table, bracket[1], bracket[2])
      : resolveField(table, key);
    if (!resolved.ok) {
      problems.push([`unknown field '${key}': no ${source} field has this name`, key]);
      continue;
    }
    const misfit = valueMisfit(resolved.definition, resolved.argument, key, value);
    if (misfit !== undefined) problems.push([misfit, key]);
  }
  return problems;
}

/** What is wrong with `value` for the field, if anything. */
function valueMisfit(
  definition: FieldDefinition,
  argument: string | undefined,
  key: string,
  value: unknown,
): string | undefined {
  const type =
    (argument !== undefined ? definition.typeForArgument?.(argument) : undefined) ??
    definition.type;
  const takesList =
    definition.isList === true ||
    definition.candidates !== undefined ||
    (argument === undefined && ANCESTOR_FIELDS.has(definition.name));
  if (Array.isArray(value)) {
    if (!takesList) return `field '${key}' takes one value, found a list`;
    for (const item of value) {
      const problem = scalarMisfit(type, key, item);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return scalarMisfit(type, key, value);
}

/**
 * Text fields take any scalar (YAML reads `true` and `42` as a boolean and a number, the
 * author meant the text); other types need a value their constants accept.
 */
function scalarMisfit(type: FieldType, key: string, value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null)
    return `field '${key}' takes ${type} values, found a mapping`;
  if (TEXT_TYPES.has(type)) return undefined;
  if (typeof value === 'boolean')
    return type === 'BOOL' ? undefined : `field '${key}' takes ${type} values, found ${value}`;
  const text = value === null ? '' : String(value);
  const fits =
    type === 'DOUBLE'
      ? text.trim() !== '' && Number.isFinite(Number(text))
      : parseConstant(type, text).ok;
  return fits ? undefined : `field '${key}' takes ${type} values, found '${text}'`;
}

const TEXT_TYPES: ReadonlySet<FieldType> = new Set(['DYN', 'CHARBUF', 'FSPATH', 'BYTEBUF']);
