/**
 * Runs one test case against its rule: each input event is evaluated the way the engine
 * would see it (source, event type index, compiled condition), and a wrong verdict or output
 * comes back with the event and the parts of the condition that decided.
 */
import { decodeCloudTrailRecord, decodeK8sAuditEvent } from '../../decode/json-event-decoder.js';
import { eventTypeName } from '../../decode/param-format.js';
import { syscallEvents } from '../../decode/pipeline.js';
import type { FieldTable, OutputFieldValue } from '../../engine/index.js';
import type { Rule } from '../rules/rule.js';
import { explainCondition } from './explain.js';
import type { FieldValuesEvent } from './field-values-table.js';
import type { RuleTestCase, TestInput } from './rule-test-file.js';

/** The two compiled forms of one rule, and the tables they were compiled against. */
export interface RuleUnderTest {
  /** Compiled against the field-values table of its source (for `fields` inputs). */
  withValues: Rule;
  valuesTable: FieldTable<FieldValuesEvent>;
  /** Compiled against the real field table (for raw records and captures). */
  real: Rule;
  realTable: FieldTable;
}

/** What one input did to the rule. */
interface InputVerdict {
  fired: boolean;
  /** The event as the failure message shows it. */
  shown: string;
  /** Why the rule did (not) fire, when the condition was evaluated on one event. */
  explain?: () => string[];
  /** Output fields of the first firing event. */
  outputFields?: Map<string, OutputFieldValue>;
}

/** Failure lines for `testCase` (empty when it passes). */
export async function evaluateCase(testCase: RuleTestCase, rule: RuleUnderTest): Promise<string[]> {
  const verdicts: InputVerdict[] = [];
  for (const input of testCase.inputs) {
    const verdict = await evaluateInput(input, rule);
    if (typeof verdict === 'string') return [verdict];
    verdicts.push(verdict);
  }
  const firing = verdicts.find((verdict) => verdict.fired);
  if (testCase.fires && firing === undefined) {
    return [
      `rule '${testCase.rule}' should fire but did not`,
      ...verdicts.slice(0, 3).flatMap(describe),
    ];
  }
  if (!testCase.fires && firing !== undefined) {
    return [`rule '${testCase.rule}' should not fire but did`, ...describe(firing)];
  }
  if (firing === undefined || testCase.outputFields === undefined) return [];
  const mismatches = compareOutput(testCase.outputFields, firing.outputFields ?? new Map());
  if (mismatches.length === 0) return [];
  return [
    `rule '${testCase.rule}' fired with other output fields`,
    ...mismatches.map((line) => `  ${line}`),
    `  event: ${firing.shown}`,
  ];
}

function describe(verdict: InputVerdict): string[] {
  const why = verdict.explain?.() ?? [];
  return [`  event: ${verdict.shown}`, ...why.map((line) => `    ${line}`)];
}

async function evaluateInput(
  input: TestInput,
  rule: RuleUnderTest,
): Promise<InputVerdict | string> {
  if (input.kind === 'capture') return evaluateCapture(input.path, rule);
  const source = input.source ?? rule.real.source;
  const shown = `(${source}) ${JSON.stringify(input.kind === 'fields' ? input.fields : input.record)}`;
  if (source !== rule.real.source) {
    const explain = () => [`the rule reads ${rule.real.source} events; this one is ${source}`];
    return { fired: false, shown, explain };
  }
  if (input.kind === 'fields') {
    const event: FieldValuesEvent = { source, values: new Map(Object.entries(input.fields)) };
    const type = input.fields['evt.type'];
    return evaluateEvent(
      rule.withValues,
      rule.valuesTable as FieldTable,
      event,
      shown,
      type === undefined ? undefined : String(type),
    );
  }
  const decoded =
    source === 'k8s_audit'
      ? decodeK8sAuditEvent(input.record, 1n)
      : decodeCloudTrailRecord(input.record, 1n);
  if (!decoded.ok) return `the ${source} record was rejected before the rules: ${decoded.reason}`;
  return evaluateEvent(rule.real, rule.realTable, decoded.event, shown, undefined);
}

/** One event through the rule's event-type index and condition. */
function evaluateEvent(
  rule: Rule,
  table: FieldTable,
  event: unknown,
  shown: string,
  eventType: string | undefined,
): InputVerdict {
  if (eventType !== undefined && rule.eventTypes !== null && !rule.eventTypes.has(eventType)) {
    const types = [...rule.eventTypes].sort().join(', ');
    return {
      fired: false,
      shown,
      explain: () => [`event type '${eventType}' is not one the rule runs on (${types})`],
    };
  }
  const fired = rule.filter.evaluate(event);
  const verdict: InputVerdict = {
    fired,
    shown,
    explain: () => explainCondition(rule.condition, table, event, fired),
  };
  if (fired) verdict.outputFields = rule.formatter.format(event).fields;
  return verdict;
}

/** A capture fires the rule when any of its events does; the first firing one gives the output. */
async function evaluateCapture(file: string, rule: RuleUnderTest): Promise<InputVerdict | string> {
  const { real } = rule;
  if (real.source !== 'syscall')
    return `a capture holds syscall events; rule '${real.name}' reads ${real.source}`;
  let events = 0;
  let candidates = 0;
  let matches = 0;
  let outputFields: Map<string, OutputFieldValue> | undefined;
  try {
    for await (const event of syscallEvents(file)) {
      events++;
      if (real.eventTypes !== null && !real.eventTypes.has(eventTypeName(event))) continue;
      candidates++;
      if (!real.filter.evaluate(event)) continue;
      matches++;
      outputFields ??= real.formatter.format(event).fields;
    }
  } catch (error) {
    return `cannot replay capture ${file}: ${(error as Error).message}`;
  }
  const shown = `capture ${file} (${events} events, ${candidates} of the rule's event types, ${matches} matched)`;
  return matches > 0 ? { fired: true, shown, outputFields } : { fired: false, shown };
}

/** Lines naming each expected output field the alert does not carry as given. */
function compareOutput(
  expected: Record<string, unknown>,
  actual: Map<string, OutputFieldValue>,
): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(expected)) {
    if (!actual.has(name)) {
      lines.push(`${name}: the rule's output has no %${name}`);
      continue;
    }
    const seen = actual.get(name) ?? null;
    if (outputText(seen) !== outputText(value)) {
      lines.push(`${name}: expected ${outputText(value)}, got ${outputText(seen)}`);
    }
  }
  return lines;
}

/** Values compare by text, so `34816`, `"34816"` and 34816n are the same expectation. */
function outputText(value: unknown): string {
  if (value === null || value === undefined) return '<NA>';
  if (Array.isArray(value)) return `(${value.map(outputText).join(',')})`;
  return String(value);
}
