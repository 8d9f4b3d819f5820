/**
 * Where an unclosed flow sequence, flow mapping or quoted string was opened. The YAML library
 * reports such a construct where it gave up looking for the closer: for a quote always, and for
 * a bracket at the end of the file, that is past the last line, far from the mistake. The
 * opening bracket or quote is what the user has to find.
 * @internal
 */
import { CST, Parser, type YAMLError } from 'yaml';

/** The character a construct lacks: `]`, `}`, or its quote. */
export type Closer = ']' | '}' | '"' | "'";

const constructNames: Record<Closer, string> = {
  ']': 'flow sequence',
  '}': 'flow mapping',
  '"': 'double-quoted string',
  "'": 'single-quoted string',
};

/**
 * The closer `problem` says is missing, or undefined for other errors. Read from the library's
 * message: its codes (MISSING_CHAR, BAD_INDENT) cover other mistakes too.
 */
export function missingCloser(problem: YAMLError): Closer | undefined {
  if (problem.code !== 'MISSING_CHAR' && problem.code !== 'BAD_INDENT') return undefined;
  const found = /end with an? ([\]}])|closing (["'])quote/.exec(problem.message);
  return (found?.[1] ?? found?.[2]) as Closer | undefined;
}

/**
 * Offset of the innermost construct closed by `closer` that opens before `before` and is left
 * unclosed in `text`, or undefined when there is none.
 */
export function unclosedOpening(text: string, closer: Closer, before: number): number | undefined {
  let opening: number | undefined;
  const consider = (token: CST.Token | null | undefined): void => {
    if (token === null || token === undefined || token.offset >= before) return;
    if (isUnclosed(token, closer) && (opening === undefined || token.offset > opening))
      opening = token.offset;
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      consider(item.key);
      consider(item.value);
    });
  }
  return opening;
}

/**
 * The message for an unclosed construct shown at its opening: what closer was expected, and
 * where the reader stopped (`stoppedAt`, 1-based) unless that is the end of the file.
 */
export function unclosedMessage(
  closer: Closer,
  atEnd: boolean,
  stoppedAt: { line: number; col: number },
): string {
  const shown = closer === "'" ? `"'"` : `'${closer}'`;
  const expected = `expected ${shown} to close the ${constructNames[closer]} opened here`;
  if (atEnd) return `${expected}, found the end of the file`;
  return `${expected}, found none before line ${stoppedAt.line}, column ${stoppedAt.col}`;
}

function isUnclosed(token: CST.Token, closer: Closer): boolean {
  if (token.type === 'flow-collection') {
    const opener = closer === ']' ? '[' : closer === '}' ? '{' : undefined;
    return token.start.source === opener && !token.end.some((end) => end.source === closer);
  }
  const quoted =
    (token.type === 'double-quoted-scalar' && closer === '"') ||
    (token.type === 'single-quoted-scalar' && closer === "'");
  return quoted && !isClosedQuote(token.source, closer);
}

/**
 * Whether quoted scalar `source` ends with its closing quote: one not escaped, by a backslash
 * in double quotes, by doubling in single quotes.
 */
function isClosedQuote(source: string, quote: '"' | "'"): boolean {
  const body = source.slice(1);
  const tail = (quote === '"' ? /\\*"$/ : /'+$/).exec(body)?.[0];
  // `\\"` ends the string (an escaped backslash, then the quote); `\"` does not. In single
  // quotes `''` is one quote character: an odd run of quotes ends the string.
  return tail !== undefined && tail.length % 2 === 1;
}
