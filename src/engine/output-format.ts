/**
 * Rule outputs: a format string with `%field` tokens (`%proc.name`, `%proc.aname[2]`,
 * `%tolower(proc.name)`, `%20proc.name` for a fixed width) compiled once and resolved per
 * event into the output text and the typed `output_fields` of Falco's JSON alert.
 */
import type { Expr } from './ast.js';
import type { FieldScalar, FieldTable, FieldValue } from './fields/types.js';
import type { Operand } from './operand.js';
import { parseCondition } from './parser.js';
import { compileOperand } from './operands.js';
import { CompileFailure, type CompileError } from './compile-error.js';
import { printCondition } from './print.js';

/** What a missing value prints as, as in Falco. */
const notAvailable = '<NA>';

/** A typed value for JSON output: numbers stay numbers (64-bit ones as bigint), missing is null. */
export type OutputFieldValue = string | number | bigint | boolean | null | OutputFieldValue[];

interface FormattedOutput {
  text: string;
  /** Each field token by its text (`proc.name`, `tolower(proc.name)`), in order of appearance. */
  fields: Map<string, OutputFieldValue>;
  /** Whether some field had no value (printed `<NA>`); sysdig skips such lines without `*`. */
  incomplete: boolean;
}

export interface OutputFormatter<E> {
  format(event: E): FormattedOutput;
  /** Field tokens in order of first appearance. */
  readonly fieldNames: readonly string[];
}

type Token<E> = { literal: string } | { name: string; operand: Operand<E>; width: number };

/** Compiles an output format for one source. Returns an error for an unknown field. */
export function compileOutput<E>(
  format: string,
  table: FieldTable<E>,
): { ok: true; formatter: OutputFormatter<E> } | { ok: false; error: CompileError } {
  try {
    const tokens = tokenize(format, table);
    const fieldTokens = tokens.filter(
      (token): token is Extract<Token<E>, { name: string }> => 'name' in token,
    );
    const fieldNames = [...new Set(fieldTokens.map((token) => token.name))];
    return {
      ok: true,
      formatter: { fieldNames, format: (event) => render(tokens, fieldTokens, event) },
    };
  } catch (error) {
    if (!(error instanceof CompileFailure)) throw error;
    return { ok: false, error: { message: error.message, position: error.position } };
  }
}

function tokenize<E>(format: string, table: FieldTable<E>): Token<E>[] {
  // A leading `*` in Falco means "print even when values are missing"; Harrier always does.
  const skipped = format.startsWith('*') ? 1 : 0;
  const text = format.slice(skipped);
  const tokens: Token<E>[] = [];
  let literalStart = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') continue;
    if (i > literalStart) tokens.push({ literal: text.slice(literalStart, i) });
    // Positions count in the format as given, `*` included.
    const position = { index: i + skipped, line: 1, column: i + skipped + 1 };
    if (i === text.length - 1)
      throw new CompileFailure(
        'invalid formatting syntax: formatting cannot end with a %',
        position,
      );
    let start = i + 1;
    while (start < text.length && text[start] >= '0' && text[start] <= '9') start++;
    if (start === text.length)
      throw new CompileFailure(
        'invalid formatting syntax: formatting cannot end with a number',
        position,
      );
    const width = start > i + 1 ? Number(text.slice(i + 1, start)) : 0;
    const { expr, length } = longestField(text.slice(start), table, position);
    const operand = compileOperand(expr, table);
    if (!operand) throw new CompileFailure(`unknown filter: ${text.slice(start)}`, position);
    tokens.push({ name: printCondition(expr), operand, width });
    i = start + length - 1;
    literalStart = i + 1;
  }
  if (literalStart < text.length) tokens.push({ literal: text.slice(literalStart) });
  return tokens;
}

/**
 * The longest prefix of `text` that is a field or transformer known to the table; libs finds
 * the token end the same way, by shrinking until it compiles.
 */
function longestField<E>(
  text: string,
  table: FieldTable<E>,
  position: CompileError['position'],
): { expr: Expr; length: number } {
  const longest = candidateLength(text);
  // The longest candidate that parses but does not compile explains the failure best.
  let firstError: string | undefined;
  for (let length = longest; length > 0; length--) {
    const parsed = parseCondition(`${text.slice(0, length)} exists`);
    if (!parsed.ok || parsed.ast.kind !== 'unary_check') continue;
    try {
      if (compileOperand(parsed.ast.left, table)) return { expr: parsed.ast.left, length };
    } catch (error) {
      if (!(error instanceof CompileFailure)) throw error;
      firstError ??= error.message;
    }
  }
  throw new CompileFailure(
    firstError ?? `invalid formatting token ${text.slice(0, Math.max(longest, 1))}`,
    position,
  );
}

/** How far a field or transformer token could reach: name characters, balanced (), then []. */
function candidateLength(text: string): number {
  let i = 0;
  while (i < text.length && /[A-Za-z0-9_.]/.test(text[i])) i++;
  if (text[i] === '(') {
    let depth = 0;
    let quote = '';
    for (; i < text.length; i++) {
      const char = text[i];
      if (quote) {
        if (char === '\\') i++;
        else if (char === quote) quote = '';
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '(') depth++;
      else if (char === ')' && --depth === 0) break;
    }
    i++;
  }
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close > 0) i = close + 1;
  }
  return Math.min(i, text.length);
}

function render<E>(
  tokens: Token<E>[],
  fieldTokens: Extract<Token<E>, { name: string }>[],
  event: E,
): FormattedOutput {
  let text = '';
  let incomplete = false;
  const fields = new Map<string, OutputFieldValue>();
  const values = new Map<string, FieldValue | undefined>();
  for (const token of fieldTokens) {
    if (!values.has(token.name)) values.set(token.name, token.operand.read(event));
  }
  for (const token of tokens) {
    if ('literal' in token) {
      text += token.literal;
      continue;
    }
    const value = values.get(token.name);
    if (value === undefined) incomplete = true;
    const shown =
      value === undefined ? notAvailable : printableText(displayValue(token.operand, value));
    text += token.width ? shown.slice(0, token.width).padEnd(token.width, ' ') : shown;
    if (!fields.has(token.name))
      fields.set(token.name, outputFieldValue(token.operand, value, event));
  }
  return { text, fields, incomplete };
}

/** The text form of a value as outputs show it. */
function displayValue<E>(operand: Operand<E>, value: FieldValue): string {
  const display = operand.definition?.display;
  if (display) return display(value);
  if (Array.isArray(value)) return `(${value.map(scalarText).join(',')})`;
  return scalarText(value);
}

function scalarText(value: FieldScalar): string {
  if (value instanceof Uint8Array) return printableBytes(value);
  return String(value);
}

/** Byte buffers print their printable ASCII and a dot for anything else. */
function printableBytes(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  return text;
}

function outputFieldValue<E>(
  operand: Operand<E>,
  value: FieldValue | undefined,
  event: E,
): OutputFieldValue {
  const jsonExtract = operand.definition?.jsonValue;
  const typed = jsonExtract ? jsonExtract(event, undefined) : value;
  return typed === undefined ? null : jsonValue(typed);
}

function jsonValue(value: FieldValue): OutputFieldValue {
  if (Array.isArray(value)) return value.map((item) => jsonValue(item) as OutputFieldValue);
  if (value instanceof Uint8Array) return printableBytes(value);
  return typeof value === 'string' ? printableText(value) : value;
}

/** Control characters (C0, DEL, C1) and Unicode non-characters. */
const UNPRINTABLE = /[\p{Cc}\p{Noncharacter_Code_Point}]/gu;

/**
 * A field value with each control character and non-character replaced by U+FFFD, as libs
 * 0.25 sanitizes the strings it extracts for outputs: a newline in a command line or file
 * name (which anyone can choose) would otherwise start a forged alert line in a text log.
 * Conditions still compare the raw value.
 */
export function printableText(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE, '\ufffd') : text;
}
