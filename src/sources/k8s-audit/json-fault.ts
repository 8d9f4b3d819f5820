/**
 * Finds where a JSON text first goes wrong, for error messages: V8 names the position of
 * some faults but not of an unexpected token. A small validating scanner that follows the
 * JSON grammar (RFC 8259) with an explicit stack, so deep nesting cannot overflow.
 */

const whitespace = new Set([' ', '\t', '\n', '\r']);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Control characters are what JSON forbids unescaped inside strings, hence the range here.
// eslint-disable-next-line no-control-regex -- the JSON grammar excludes exactly these
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

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
  if (text[at] === '"') return matchAt(stringPattern, text, at);
  for (const word of ['true', 'false', 'null'])
    if (text.startsWith(word, at)) return at + word.length;
  return matchAt(numberPattern, text, at);
}

/**
 * Offset of the first character that makes `text` invalid JSON (`text.length` when it ends
 * too early), or -1 when the text is valid.
 */
export function findJsonFault(text: string): number {
  const stack: ('{' | '[')[] = [];
  let expect: Expect = 'value';
  let at = 0;
  for (;;) {
    at = skipSpace(text, at);
    if (at >= text.length) return stack.length === 0 && expect === 'commaOrEnd' ? -1 : text.length;
    const char = text[at];
    const top = stack[stack.length - 1];
    if (expect === 'commaOrEnd') {
      if (top === undefined) return at;
      if (char === ',') expect = top === '{' ? 'key' : 'value';
      else if ((char === '}' && top === '{') || (char === ']' && top === '[')) stack.pop();
      else return at;
      at++;
      continue;
    }
    if (expect === 'colon') {
      if (char !== ':') return at;
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
    if (expect === 'key' || expect === 'firstKeyOrEnd') {
      const end = char === '"' ? matchAt(stringPattern, text, at) : -1;
      if (end < 0) return at;
      expect = 'colon';
      at = end;
      continue;
    }
    if (char === '{' || char === '[') {
      stack.push(char);
      expect = char === '{' ? 'firstKeyOrEnd' : 'firstValueOrEnd';
      at++;
      continue;
    }
    const end = scalarEnd(text, at);
    if (end < 0) return at;
    expect = 'commaOrEnd';
    at = end;
  }
}
