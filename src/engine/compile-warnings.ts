/**
 * Warnings about constant values that are probably mistakes, as libsinsp gives them: a regex
 * that a plain operator could replace, a field name or a transformer call written as a string.
 */
import type { Position } from './ast.js';
import type { FieldTable } from './fields/types.js';
import type { CompileWarning } from './compile-error.js';
import type { Comparator } from './operators.js';
import { resolveField } from './fields/resolve.js';

const transformerNames = [
  'tolower',
  'toupper',
  'b64',
  'basename',
  'len',
  'join',
  'concat',
  'getopt',
  'val',
];

export function valueWarnings<E>(
  comparator: Comparator,
  value: string,
  position: Position,
  table: FieldTable<E>,
): CompileWarning[] {
  const warnings: CompileWarning[] = [];
  const warn = (message: string) =>
    warnings.push({ code: 'LOAD_COMPILE_CONDITION', message, position });
  const compact = value.replace(/\s+/g, '');
  if (comparator.operator === 'regex' && isSimpleRegex(value)) {
    warn(
      `regex check with '${value}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`,
    );
  }
  if (looksLikeField(compact, table))
    warn(`'${value}' may be a valid field misused as a const string value`);
  for (const name of transformerNames) {
    if (
      compact.length >= name.length + 2 &&
      compact.startsWith(`${name}(`) &&
      compact.endsWith(')')
    ) {
      warn(`'${value}' may be a valid field transformer misused as a const string value`);
    }
  }
  return warnings;
}

/** A regex whose only special characters are anchors or a leading/trailing `.*`/`.+`/`.?`. */
function isSimpleRegex(value: string): boolean {
  const length = value.length;
  for (let i = 0; i < length; i++) {
    if ((i === 0 && value[i] === '^') || (i === length - 1 && value[i] === '$')) continue;
    if (
      ((i === 0 && length > 1) || i === length - 2) &&
      value[i] === '.' &&
      '+*?'.includes(value[i + 1])
    ) {
      i++;
      continue;
    }
    if ('.+*?^$()[]{}|\\'.includes(value[i])) return false;
  }
  return true;
}

function looksLikeField<E>(text: string, table: FieldTable<E>): boolean {
  const bracket = /^([^[]+)\[(.*)\]$/.exec(text);
  const resolved = bracket
    ? resolveField(table, bracket[1], bracket[2])
    : resolveField(table, text);
  return resolved.ok;
}
