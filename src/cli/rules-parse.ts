/**
 * `harrier rules parse`: syntax-checks conditions, without fields or macros, and prints the
 * tree or the positioned error.
 */
import { createInterface } from 'node:readline';
import { parseCondition } from '../engine/parser.js';
import { printCondition } from '../engine/print.js';

export interface ParseOptions {
  json?: boolean;
}

/** Parses each expression (or, with none, each JSON string line of stdin); returns the exit code. */
export async function runRulesParse(expressions: string[], options: ParseOptions): Promise<number> {
  let failures = 0;
  const report = (text: string) => {
    const result = parseCondition(text);
    if (!result.ok) failures++;
    process.stdout.write(`${options.json ? jsonLine(result) : textReport(text, result)}\n`);
  };
  if (expressions.length > 0) {
    expressions.forEach(report);
    return failures ? 1 : 0;
  }
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const text = decodeLine(line, lineNumber);
    if (typeof text === 'string') report(text);
    else {
      failures++;
      process.stdout.write(`${JSON.stringify({ ok: false, error: text })}\n`);
    }
  }
  return failures ? 1 : 0;
}

/** A stdin line must be one JSON string; anything else is reported with its line number. */
function decodeLine(line: string, lineNumber: number): string | { message: string; line: number } {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'string') return value;
    return { message: `stdin line ${lineNumber}: expected a JSON string, found ${typeof value}`, line: lineNumber };
  } catch (error) {
    return { message: `stdin line ${lineNumber}: not JSON: ${(error as Error).message}`, line: lineNumber };
  }
}

function jsonLine(result: ReturnType<typeof parseCondition>): string {
  if (result.ok) return JSON.stringify({ ok: true, ast: result.ast });
  return JSON.stringify({ ok: false, error: result.error });
}

function textReport(text: string, result: ReturnType<typeof parseCondition>): string {
  if (result.ok) return printCondition(result.ast);
  const { message, position } = result.error;
  const caret = `${' '.repeat(Math.max(0, position.index))}^`;
  return `error at ${position.line}:${position.column}: ${message}\n  ${text}\n  ${caret}`;
}
