/**
 * Rule test files: YAML beside the rules they test (`x.test.yaml` tests `x.yaml`). Each case
 * names a rule, gives input events and says whether the rule must fire:
 *
 * ```yaml
 * rules: [harrier_syscall_rules.yaml]    # optional; default: this file's name without .test
 * cases:
 *   - name: bash with a terminal          # optional
 *     rule: Terminal shell on host
 *     fires: true
 *     event: {source: syscall, fields: {evt.type: execve, proc.name: bash, proc.tty: 34816}}
 *     output_fields: {proc.name: bash}
 *   - rule: Pod exec
 *     fires: false
 *     events: [{raw: {kind: Event, verb: get, ...}}]   # a raw audit event or CloudTrail record
 *   - rule: Shell in container
 *     fires: true
 *     capture: captures/shell.scap                     # a syscall capture, relative to this file
 * ```
 *
 * An event's `source` defaults to the rule's. Names under `fields` must be fields of that
 * source, with values of their types (checked before the case runs); `raw` events are for
 * the JSON sources, `k8s_audit` and `aws_cloudtrail`. YAML anchors and merge keys (`<<: *base`) may
 * share fields between cases; top-level keys starting with `x-` are free to hold them.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { readCheckedText } from '../../sources/files/index.js';
import { describeSyntaxError } from '../rules/yaml-tree.js';

/** One input event of a case. */
export type TestInput =
  /** Field values, evaluated through a field-values table. */
  | { kind: 'fields'; source?: string; fields: Record<string, unknown> }
  /** A raw Kubernetes audit event or CloudTrail record, read by the real extractors. */
  | { kind: 'raw'; source?: string; record: unknown }
  /** A syscall capture file (absolute path), replayed through the state engine. */
  | { kind: 'capture'; path: string };

export interface RuleTestCase {
  /** The case's own name, or `case N` (1-based) when it has none. */
  name: string;
  rule: string;
  /** Whether the rule must fire on at least one of the inputs (true) or on none (false). */
  fires: boolean;
  inputs: TestInput[];
  /** Output fields the first firing event must carry, by token (`proc.name`, `proc.aname[2]`). */
  outputFields?: Record<string, unknown>;
  /** 1-based line of the case in its file. */
  line: number;
  /**
   * 1-based line of each key written in the case (its first use), for problems with one
   * field; keys that come from an anchor elsewhere are left out.
   */
  keyLines?: ReadonlyMap<string, number>;
}

export interface RuleTestFile {
  path: string;
  /** Rule files to load, in order, as absolute paths. */
  ruleFiles: string[];
  cases: RuleTestCase[];
  /** Problems with the file itself (`file:line: message`); its cases still run when possible. */
  problems: string[];
}

const CASE_KEYS = new Set(['name', 'rule', 'fires', 'event', 'events', 'capture', 'output_fields']);
const EVENT_KEYS = new Set(['source', 'fields', 'raw', 'raw_file']);

/** Reads and checks one test file. Throws only when the file cannot be read. */
export async function readRuleTestFile(file: string): Promise<RuleTestFile> {
  const text = await readCheckedText(file);
  return parseRuleTestFile(file, text, (name) => readCheckedText(name));
}

/**
 * Parses test-file text. `readText` loads `raw_file` inputs (paths relative to `file`).
 * Never throws for bad content: every problem is listed in `problems`.
 */
async function parseRuleTestFile(
  file: string,
  text: string,
  readText: (file: string) => Promise<string>,
): Promise<RuleTestFile> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, merge: true });
  const result: RuleTestFile = { path: file, ruleFiles: [], cases: [], problems: [] };
  const problem = (line: number, message: string) =>
    result.problems.push(`${file}:${line}: error: ${message}`);
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const { message, offset } = describeSyntaxError(text, error);
      problem(lines.linePos(offset).line, message);
    }
    return result;
  }
  let root: unknown;
  try {
    // Test files lean on anchors: allow many aliases, but not unbounded expansion.
    root = document.toJS({ maxAliasCount: 10_000 });
  } catch (error) {
    problem(1, (error as Error).message);
    return result;
  }
  if (!isRecord(root)) {
    problem(1, 'expected a mapping with a `cases` list');
    return result;
  }
  const directory = path.dirname(file);
  result.ruleFiles = ruleFilesOf(root, file).map((name) => path.resolve(directory, name));
  const caseNodes = document.get('cases', true);
  const cases = Array.isArray(root.cases) ? root.cases : [];
  if (!isSeq(caseNodes)) problem(1, 'expected `cases`, a list of test cases');
  for (const [index, value] of cases.entries()) {
    const node = isSeq(caseNodes) ? (caseNodes.items[index] as Node | undefined) : undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : 1;
    const parsed = await parseCase(value, index, line, directory, readText);
    if (typeof parsed === 'string') problem(line, parsed);
    else result.cases.push({ ...parsed, keyLines: keyLinesOf(node, lines) });
  }
  if (isMap(document.contents)) {
    for (const key of Object.keys(root)) {
      if (key === 'rules' || key === 'cases' || key.startsWith('x-')) continue;
      problem(1, `unknown key '${key}' (expected 'rules', 'cases' or an 'x-' key holding anchors)`);
    }
  }
  return result;
}

/** The line of each mapping key written under `node`, first use first; aliases not followed. */
function keyLinesOf(node: Node | undefined, lines: LineCounter): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (item: unknown) => {
    if (isMap(item)) {
      for (const pair of item.items) {
        if (isScalar(pair.key) && typeof pair.key.value === 'string' && pair.key.range) {
          const key = pair.key.value;
          if (!found.has(key)) found.set(key, lines.linePos(pair.key.range[0]).line);
        }
        walk(pair.value);
      }
    } else if (isSeq(item)) item.items.forEach(walk);
  };
  walk(node);
  return found;
}

function ruleFilesOf(root: Record<string, unknown>, file: string): string[] {
  const rules = root.rules;
  if (typeof rules === 'string') return [rules];
  if (Array.isArray(rules)) return rules.map(String);
  return [path.basename(file).replace(/\.test\.ya?ml$/, '.yaml')];
}

async function parseCase(
  value: unknown,
  index: number,
  line: number,
  directory: string,
  readText: (file: string) => Promise<string>,
): Promise<RuleTestCase | string> {
  if (!isRecord(value)) return `case ${index + 1}: expected a mapping`;
  const name = typeof value.name === 'string' ? value.name : `case ${index + 1}`;
  const unknown = Object.keys(value).filter((key) => !CASE_KEYS.has(key));
  if (unknown.length > 0) return `case '${name}': unknown key '${unknown[0]}'`;
  if (typeof value.rule !== 'string') return `case '${name}': expected 'rule', the name of a rule`;
  if (typeof value.fires !== 'boolean')
    return `case '${name}': expected 'fires: true' or 'fires: false'`;
  const inputs = await inputsOf(value, name, directory, readText);
  if (typeof inputs === 'string') return inputs;
  const parsed: RuleTestCase = { name, rule: value.rule, fires: value.fires, inputs, line };
  if (value.output_fields !== undefined) {
    if (!isRecord(value.output_fields))
      return `case '${name}': 'output_fields' must map field names to values`;
    parsed.outputFields = value.output_fields;
  }
  return parsed;
}

async function inputsOf(
  value: Record<string, unknown>,
  name: string,
  directory: string,
  readText: (file: string) => Promise<string>,
): Promise<TestInput[] | string> {
  const given = ['event', 'events', 'capture'].filter((key) => value[key] !== undefined);
  if (given.length !== 1)
    return `case '${name}': give exactly one of 'event', 'events' or 'capture'`;
  if (typeof value.capture === 'string')
    return [{ kind: 'capture', path: path.resolve(directory, value.capture) }];
  if (value.capture !== undefined) return `case '${name}': 'capture' must be a file path`;
  const events = value.events ?? [value.event];
  if (!Array.isArray(events) || events.length === 0)
    return `case '${name}': 'events' must be a non-empty list`;
  const inputs: TestInput[] = [];
  for (const event of events) {
    const input = await inputOf(event, name, directory, readText);
    if (typeof input === 'string') return input;
    inputs.push(input);
  }
  return inputs;
}

async function inputOf(
  event: unknown,
  name: string,
  directory: string,
  readText: (file: string) => Promise<string>,
): Promise<TestInput | string> {
  if (!isRecord(event)) return `case '${name}': an event must be a mapping`;
  const unknown = Object.keys(event).filter((key) => !EVENT_KEYS.has(key));
  if (unknown.length > 0) return `case '${name}': unknown event key '${unknown[0]}'`;
  const source = event.source === undefined ? undefined : String(event.source);
  const kinds = ['fields', 'raw', 'raw_file'].filter((key) => event[key] !== undefined);
  if (kinds.length !== 1)
    return `case '${name}': an event needs exactly one of 'fields', 'raw' or 'raw_file'`;
  if (event.fields !== undefined) {
    if (!isRecord(event.fields)) return `case '${name}': 'fields' must map field names to values`;
    return { kind: 'fields', source, fields: event.fields };
  }
  if (event.raw !== undefined) return { kind: 'raw', source, record: event.raw };
  const file = path.resolve(directory, String(event.raw_file));
  try {
    return { kind: 'raw', source, record: JSON.parse(await readText(file)) };
  } catch (error) {
    return `case '${name}': cannot read raw_file ${file}: ${(error as Error).message}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
