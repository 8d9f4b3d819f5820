/**
 * Finds where a JSON text first goes wrong, for error messages: V8 names the position of
 * some faults but not of an unexpected token. A small validating scanner that follows the
 * JSON grammar (RFC 8259) with an explicit stack, so deep nesting cannot overflow; it also
 * finds where nesting passes a depth limit (RFC 8259 lets a parser set one).
 */

const whitespace = new Set([' ', '\t', '\n', '\r']);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Control characters are what JSON forbids unescaped inside strings, hence the range here.
// eslint-disable-next-line no-control-regex -- the JSON grammar excludes exactly these
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/**
 * Characters a message shows by code point rather than as themselves: controls, format
 * characters such as the byte-order mark U+FEFF, separators other than the plain space, and
 * code points that are unassigned or private.
 */
const INVISIBLE = /(?! )[\p{C}\p{Z}]/u;

/** `char` as a message shows it: `'x'`, or `U+FEFF` when it cannot be seen. */
export function showCharacter(char: string): string {
  if (!INVISIBLE.test(char)) return `'${char}'`;
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with its invisible characters (see `showCharacter`) written as `<U+FEFF>`. */
export function showText(text: string): string {
  return text.replace(new RegExp(INVISIBLE.source, 'gu'), (char) => `<${showCharacter(char)}>`);
}

type Expect = 'value' | 'key' | 'colon' | 'commaOrEnd' | 'firstKeyOrEnd' | 'firstValueOrEnd';

function skipSpace(text: string, at: number): number {
  while (at < text.length && whitespace.has(text[at])) at++;
  return at;
}

function matchAt(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

/** End of the scalar value at `at`, or -1 when none starts there. */
function scalarEnd(text: string, at: number): number {
  for (const word of ['true', 'false', 'null'])
    if (text.startsWith(word, at)) return at + word.length;
  return matchAt(numberPattern, text, at);
}

/** Where a JSON text first goes wrong, and whether it is its grammar or its depth. */
export interface JsonFault {
  /** Offset of the first wrong character; `text.length` when the text ends too early. */
  offset: number;
  /**
   * `depth`: the array or object opened at `offset` is nested more than `maxDepth` deep;
   * `string`: the string around `offset` goes wrong there (`reason` says how).
   */
  kind: 'syntax' | 'depth' | 'string';
  /** For `string` faults, what is wrong, e.g. `unexpected end of input inside a string`. */
  reason?: string;
}

const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The fault of a string opening at `at` that the string pattern refused: the character that
 * breaks it, or the end of the text when its closing quote never comes (a line cut short).
 */
function stringFault(text: string, at: number): JsonFault {
  for (let i = at + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20) {
      const reason = `unescaped ${showCharacter(text[i])} inside a string`;
      return { offset: i, kind: 'string', reason };
    }
    if (code !== 0x5c) continue;
    const escaped = text[i + 1] ?? '';
    const hex = escaped === 'u' ? (/^[0-9a-fA-F]*/.exec(text.slice(i + 2, i + 6))?.[0] ?? '') : '';
    if (escapes.has(escaped)) i++;
    else if (hex.length === 4) i += 5;
    // A text that stops inside an escape was cut there, like one that stops inside the string.
    else if (i + 2 + hex.length >= text.length && (escaped === 'u' || escaped === '')) break;
    else return { offset: i, kind: 'string', reason: 'invalid escape inside a string' };
  }
  return { offset: text.length, kind: 'string', reason: 'unexpected end of input inside a string' };
}

/**
 * The first fault of `text` in reading order: a grammar error, or an array or object
 * nested more than `maxDepth` levels deep. Undefined when the text is valid. One loop over
 * the grammar's states, kept whole so that the states read side by side.
 */
export function findJsonFault(text: string, maxDepth = Infinity): JsonFault | undefined {
  const stack: ('{' | '[')[] = [];
  const syntax = (offset: number): JsonFault => ({ offset, kind: 'syntax' });
  let expect: Expect = 'value';
  let at = 0;
  for (;;) {
    at = skipSpace(text, at);
    if (at >= text.length)
      return stack.length === 0 && expect === 'commaOrEnd' ? undefined : syntax(text.length);
    const char = text[at];
    const top = stack[stack.length - 1];
    if (expect === 'commaOrEnd') {
      if (top === undefined) return syntax(at);
      if (char === ',') expect = top === '{' ? 'key' : 'value';
      else if ((char === '}' && top === '{') || (char === ']' && top === '[')) stack.pop();
      else return syntax(at);
      at++;
      continue;
    }
    if (expect === 'colon') {
      if (char !== ':') return syntax(at);
      expect = 'value';
      at++;
      continue;
    }
    if (
      (expect === 'firstKeyOrEnd' && char === '}') ||
      (expect === 'firstValueOrEnd' && char === ']')
    ) {
      stack.pop();
      expect = 'commaOrEnd';
      at++;
      continue;
    }
    const isKey: boolean = expect === 'key' || expect === 'firstKeyOrEnd';
    if (char === '"') {
      const end = matchAt(stringPattern, text, at);
      if (end < 0) return stringFault(text, at);
      expect = isKey ? 'colon' : 'commaOrEnd';
      at = end;
      continue;
    }
    if (isKey) return syntax(at);
    if (char === '{' || char === '[') {
      if (stack.length >= maxDepth) return { offset: at, kind: 'depth' };
      stack.push(char);
      expect = char === '{' ? 'firstKeyOrEnd' : 'firstValueOrEnd';
      at++;
      continue;
    }
    const end = scalarEnd(text, at);
    if (end < 0) return syntax(at);
    expect = 'commaOrEnd';
    at = end;
  }
}

/**
 * Offset of the first array or object opened more than `maxDepth` levels deep in `text`,
 * which must be valid JSON, or -1. Strings are skipped whole, so their brackets do not count.
 */
export function findTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x22) at = closingQuote(text, at);
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) return at;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return -1;
}

/** Offset of the quote that closes the string opening at `at` (the text is valid JSON). */
function closingQuote(text: string, at: number): number {
  let quote = text.indexOf('"', at + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
}
