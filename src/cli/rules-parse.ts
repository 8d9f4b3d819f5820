/**
 * `harrier rules parse`: syntax-checks conditions, without fields or macros, and prints the
 * tree or the positioned error.
 */
import { createInterface } from 'node:readline';
import {
  escapeControls,
  parseCondition,
  positionedErrorText,
  printCondition,
} from '../engine/index.js';
import { parseJsonText } from '../sources/k8s-audit/index.js';

export interface ParseOptions {
  json?: boolean;
}

type ParseResult = ReturnType<typeof parseCondition>;

/**
 * Parses each expression (or, with none, each JSON string line of stdin) and prints one
 * result per expression: text, or with `json` one JSON object per line. Returns the exit code.
 */
export async function runRulesParse(expressions: string[], options: ParseOptions): Promise<number> {
  let failures = 0;
  const report = (text: string, origin: string) => {
    const result = parseCondition(text);
    if (!result.ok) failures++;
    process.stdout.write(`${options.json ? jsonLine(result) : textReport(text, origin, result)}\n`);
  };
  if (expressions.length > 0) {
    expressions.forEach((text, index) => report(text, `<argument ${index + 1}>`));
    return failures ? 1 : 0;
  }
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const origin = `<stdin line ${lineNumber}>`;
    const text = decodeLine(line);
    if (text.ok) {
      report(text.value, origin);
      continue;
    }
    failures++;
    const { problem, column } = text;
    const message = `stdin line ${lineNumber}, column ${column}: ${problem}`;
    const output = options.json
      ? JSON.stringify({ ok: false, error: { message, line: lineNumber, column } })
      : `${origin}:${column}: error: ${escapeControls(problem)}`;
    process.stdout.write(`${output}\n`);
  }
  return failures ? 1 : 0;
}

const EXPECTED_LINE = 'expected a JSON string (one per line)';

/**
 * A stdin line must be one JSON string; anything else is a problem to report, at the column
 * of the line where it shows.
 */
function decodeLine(
  line: string,
): { ok: true; value: string } | { ok: false; problem: string; column: number } {
  const parsed = parseJsonText(line);
  if (!parsed.ok)
    return {
      ok: false,
      problem: `${EXPECTED_LINE}, found ${parsed.reason}`,
      column: parsed.column,
    };
  const { value } = parsed;
  if (typeof value === 'string') return { ok: true, value };
  const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const column = line.length - line.trimStart().length + 1;
  return { ok: false, problem: `${EXPECTED_LINE}, found ${found}`, column };
}

function jsonLine(result: ParseResult): string {
  if (result.ok) return JSON.stringify({ ok: true, ast: result.ast });
  return JSON.stringify({ ok: false, error: result.error });
}

/** The tree, or `ORIGIN:LINE:COL: error: message` with the condition line and a caret. */
function textReport(text: string, origin: string, result: ParseResult): string {
  if (result.ok) return printCondition(result.ast);
  const { message, position } = result.error;
  return positionedErrorText(origin, text, position.line, position.column, message);
}
