/**
 * The token scanner under the condition parser. It walks the condition once, left to right,
 * and each token class is a hand-written loop (no regular expressions), so no input can make
 * it backtrack. Token classes and the position arithmetic follow libsinsp's filter parser:
 * a `\r` or `\n` starts a new line, and every other character moves one column.
 *
 * Positions count UTF-16 code units of the JavaScript string. libsinsp counts UTF-8 bytes, so
 * the two agree on ASCII conditions and differ after the first non-ASCII character.
 * @internal
 */
import type { Position } from './ast.js';

/** A syntax error raised inside the scanner or parser; the parser adds the position. */
export class SyntaxFailure extends Error {}

/** Everything needed to undo a look-ahead: the position and the last token's text. */
export interface ScannerState {
  index: number;
  line: number;
  column: number;
  lastToken: string;
}

const BACKSLASH = 0x5c;

/** Characters `lex_blank` skips: space, tab, backspace, carriage return, line feed. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x08 || code === 0x0d || code === 0x0a;
}

/** POSIX `[:space:]`: space, tab, line feed, vertical tab, form feed, carriage return. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isWordChar(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === 0x5f;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

/** Excluded from bare values: `(`, `)`, `"`, `'`, `=`, `,` and `[:space:]`. */
function isBareStringChar(code: number): boolean {
  return !(
    isSpace(code) ||
    code === 0x28 ||
    code === 0x29 ||
    code === 0x22 ||
    code === 0x27 ||
    code === 0x3d ||
    code === 0x2c
  );
}

/** Excluded from bare field arguments: `[`, `]`, `"`, `'` and `[:space:]`. */
function isFieldArgumentChar(code: number): boolean {
  return !(isSpace(code) || code === 0x5b || code === 0x5d || code === 0x22 || code === 0x27);
}

/** End of `[a-zA-Z][a-zA-Z0-9_]*` starting at `start`, or -1. */
function scanIdentifier(text: string, start: number): number {
  if (!isLetter(text.charCodeAt(start))) return -1;
  let end = start + 1;
  while (isWordChar(text.charCodeAt(end))) end++;
  return end;
}

/** End of an identifier followed by one or more `.identifier` segments, or -1. */
function scanFieldName(text: string, start: number): number {
  let end = scanIdentifier(text, start);
  if (end < 0) return -1;
  let segments = 0;
  while (text.charCodeAt(end) === 0x2e && isLetter(text.charCodeAt(end + 1))) {
    end = scanIdentifier(text, end + 1);
    segments++;
  }
  return segments > 0 ? end : -1;
}

/** End of `0[xX][0-9a-fA-F]+`, or -1. */
function scanHexNumber(text: string, start: number): number {
  const marker = text.charCodeAt(start + 1);
  if (text.charCodeAt(start) !== 0x30 || (marker !== 0x78 && marker !== 0x58)) return -1;
  let end = start + 2;
  while (isHexDigit(text.charCodeAt(end))) end++;
  return end > start + 2 ? end : -1;
}

/** End of `[+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?`, or -1. */
function scanNumber(text: string, start: number): number {
  let end = start;
  const sign = text.charCodeAt(end);
  if (sign === 0x2b || sign === 0x2d) end++;
  if (!isDigit(text.charCodeAt(end))) return -1;
  while (isDigit(text.charCodeAt(end))) end++;
  if (text.charCodeAt(end) === 0x2e) end++;
  while (isDigit(text.charCodeAt(end))) end++;

  // The exponent needs its sign and at least one digit, or it is not part of the number.
  const e = text.charCodeAt(end);
  const exponentSign = text.charCodeAt(end + 1);
  const hasSign = exponentSign === 0x2b || exponentSign === 0x2d;
  if ((e === 0x65 || e === 0x45) && hasSign && isDigit(text.charCodeAt(end + 2))) {
    end += 2;
    while (isDigit(text.charCodeAt(end))) end++;
  }
  return end;
}

/** End of the longest run of characters accepted by `accepts`, or -1 when empty. */
function scanRun(text: string, start: number, accepts: (code: number) => boolean): number {
  let end = start;
  while (end < text.length && accepts(text.charCodeAt(end))) end++;
  return end > start ? end : -1;
}

/** End of `not` followed by `[:space:]+`, or -1. */
function scanNotBlank(text: string, start: number): number {
  if (!text.startsWith('not', start) || !isSpace(text.charCodeAt(start + 3))) return -1;
  let end = start + 4;
  while (isSpace(text.charCodeAt(end))) end++;
  return end;
}

/**
 * The cursor of one parse: current position, the text of the last token lexed (the parser
 * quotes it in the trailing-garbage error, as libsinsp does), and one method per token class.
 * Each `lex*` method consumes its token and returns true, or consumes nothing and returns false.
 */
export class Scanner {
  index = 0;
  line = 1;
  column = 1;
  lastToken = '';

  constructor(readonly text: string) {}

  position(): Position {
    return { index: this.index, line: this.line, column: this.column };
  }

  save(): ScannerState {
    return { index: this.index, line: this.line, column: this.column, lastToken: this.lastToken };
  }

  restore(state: ScannerState): void {
    this.index = state.index;
    this.line = state.line;
    this.column = state.column;
    this.lastToken = state.lastToken;
  }

  /** Whether the character under the cursor is `char`. */
  isAt(char: string): boolean {
    return this.text.charCodeAt(this.index) === char.charCodeAt(0);
  }

  /** Skips blanks; the only lex method that leaves `lastToken` alone. */
  lexBlank(): boolean {
    const start = this.index;
    while (isBlank(this.text.charCodeAt(this.index))) this.advanceOne();
    return this.index > start;
  }

  /** Consumes `expected` if the text continues with it. */
  lexString(expected: string): boolean {
    if (!this.text.startsWith(expected, this.index)) return false;
    this.lastToken = expected;
    this.advanceTo(this.index + expected.length);
    return true;
  }

  /** Consumes the first of `candidates` the text continues with. */
  lexFirstOf(candidates: readonly string[]): boolean {
    return candidates.some((candidate) => this.lexString(candidate));
  }

  /**
   * Consumes the first operator of `operators` found. An operator written with a trailing
   * space needs at least one blank after it; the blanks are consumed and the token is the
   * operator without the space.
   */
  lexOperator(operators: readonly string[]): boolean {
    for (const operator of operators) {
      if (!operator.endsWith(' ')) {
        if (this.lexString(operator)) return true;
        continue;
      }
      const saved = this.save();
      if (this.lexString(operator.slice(0, -1))) {
        if (this.lexBlank()) return true;
        this.restore(saved);
      }
    }
    return false;
  }

  lexNotBlank(): boolean {
    return this.lexScanned(scanNotBlank(this.text, this.index));
  }

  lexIdentifier(): boolean {
    return this.lexScanned(scanIdentifier(this.text, this.index));
  }

  lexFieldName(): boolean {
    return this.lexScanned(scanFieldName(this.text, this.index));
  }

  lexFieldArgumentBareString(): boolean {
    return this.lexScanned(scanRun(this.text, this.index, isFieldArgumentChar));
  }

  lexHexNumber(): boolean {
    return this.lexScanned(scanHexNumber(this.text, this.index));
  }

  lexNumber(): boolean {
    return this.lexScanned(scanNumber(this.text, this.index));
  }

  lexBareString(): boolean {
    return this.lexScanned(scanRun(this.text, this.index, isBareStringChar));
  }

  /**
   * Consumes a quoted string and leaves its unescaped content in `lastToken`. A quote
   * character right after a backslash never closes the string, even when that backslash is
   * itself escaped, and a NUL character ends the input as it does for libsinsp's C string.
   * Throws `SyntaxFailure` on a bad escape, after consuming the string.
   */
  lexQuotedString(): boolean {
    const start = this.index;
    const quote = this.text.charCodeAt(start);
    if (quote !== 0x22 && quote !== 0x27) return false;

    let previous = quote;
    let end = start + 1;
    for (; end < this.text.length; end++) {
      const code = this.text.charCodeAt(end);
      if (code === 0) break;
      if (code === quote && previous !== BACKSLASH) {
        this.lastToken = this.text.slice(start, end + 1);
        this.advanceTo(end + 1);
        this.lastToken = unescapeQuoted(this.lastToken);
        return true;
      }
      previous = code;
    }

    // libsinsp keeps the partial text as its last token even though it consumes nothing.
    this.lastToken = this.text.slice(start, end);
    return false;
  }

  /** Whether a list follows: a `(` or an identifier. Consumes nothing. */
  isListValueAhead(): boolean {
    return this.isAt('(') || scanIdentifier(this.text, this.index) >= 0;
  }

  /** Whether `and`, `or` or `not` follows as a whole word. Consumes nothing. */
  isBoolKeywordAhead(): boolean {
    return ['and', 'or', 'not'].some((keyword) => {
      if (!this.text.startsWith(keyword, this.index)) return false;
      const next = this.text.charCodeAt(this.index + keyword.length);
      return !(isLetter(next) || isDigit(next));
    });
  }

  private lexScanned(end: number): boolean {
    if (end < 0) return false;
    this.lastToken = this.text.slice(this.index, end);
    this.advanceTo(end);
    return true;
  }

  private advanceTo(end: number): void {
    while (this.index < end) this.advanceOne();
  }

  private advanceOne(): void {
    const code = this.text.charCodeAt(this.index);
    this.column++;
    if (code === 0x0d || code === 0x0a) {
      this.column = 1;
      this.line++;
    }
    this.index++;
  }
}

/**
 * Removes the quotes around `raw` and resolves its escapes: `\b \f \n \r \t \\ \/`, the
 * string's own quote, `\xHH`, and `\ ` (read as a lone backslash, a leniency libsinsp keeps
 * for old rules). Throws `SyntaxFailure` with libsinsp's message on any other escape.
 */
function unescapeQuoted(raw: string): string {
  const end = raw.length - 1;
  let result = '';
  let from = 1;
  let slash = raw.indexOf('\\', from);
  while (slash >= 0 && slash < end) {
    result += raw.slice(from, slash);
    const escape = slash + 1;
    if (escape >= end) return result;
    result += resolveEscape(raw, escape);
    from = raw[escape] === 'x' ? escape + 3 : escape + 1;
    slash = raw.indexOf('\\', from);
  }
  return result + raw.slice(from, end);
}

const simpleEscapes: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  ' ': '\\',
  '\\': '\\',
  '/': '/',
};

/** The character that the escape letter at `at` inside `raw` stands for. */
function resolveEscape(raw: string, at: number): string {
  const letter = raw[at];
  const simple = simpleEscapes[letter];
  if (simple !== undefined) return simple;
  if (letter === '"' || letter === "'") {
    if (raw[0] === letter) return letter;
    throw new SyntaxFailure(
      letter === '"'
        ? `invalid \\" escape in '-quoted string`
        : `invalid \\' escape in "-quoted string`,
    );
  }
  if (letter === 'x') return resolveHexEscape(raw, at);
  throw new SyntaxFailure(`unsupported string escape sequence: \\${letter}`);
}

/**
 * Resolves `\xHH`, exactly two hex digits.
 * LIMIT: libsinsp turns `\x80`-`\xff` into one raw byte; Harrier stores U+0080-U+00FF, so such
 * a value only equals a field value holding that character, not the lone byte.
 */
function resolveHexEscape(raw: string, at: number): string {
  if (at + 2 >= raw.length - 1) throw new SyntaxFailure('truncated hex char escape sequence');
  const digits = raw.slice(at + 1, at + 3);
  if (!isHexDigit(digits.charCodeAt(0)) || !isHexDigit(digits.charCodeAt(1))) {
    // libsinsp quotes the next two bytes, which may cut a UTF-8 character in half.
    const quoted = new TextDecoder().decode(new TextEncoder().encode(digits).subarray(0, 2));
    throw new SyntaxFailure(`invalid hex char escape sequence: ${quoted}`);
  }
  return String.fromCharCode(parseInt(digits, 16));
}
