/**
 * Prints an AST in Falco's canonical condition form, the text libsinsp's `as_string` gives:
 * junctions in parentheses, `not ` prefixes, lists as `(a, b)`, transformer arguments joined
 * by a bare comma, and values quoted only when they hold a character that needs it.
 */
import type { Expr } from './ast.js';

const escapes: Record<string, string> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\\': '\\\\',
  '"': '\\"',
};

/** Characters that make a value print inside double quotes. */
const quoteTriggers = /[\b\f\n\r\t =\\"'\0]/;

/**
 * Quotes and escapes a value the way libsinsp's `escape_str` does. A value is wrapped in
 * double quotes only if it holds a space, `=`, a quote, a backslash, NUL or one of
 * `\b \f \n \r \t`. Other characters that end a bare value, such as `(` or `,`, are printed
 * as they are, so such values do not read back the same (libsinsp behaves alike).
 */
export function escapeValue(value: string): string {
  if (!quoteTriggers.test(value)) return value;
  let result = '"';
  for (const char of value) result += escapes[char] ?? char;
  return result + '"';
}

/**
 * Prints `expr` as Falco's canonical condition string, e.g.
 * `(evt.type = open and proc.name in (ash, bash))`. Does not modify `expr`.
 * @example
 * printCondition(parsed.ast); // 'not proc.name startswith oneof (sshd, sudo)'
 */
export function printCondition(expr: Expr): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return `(${expr.children.map(printCondition).join(` ${expr.kind} `)})`;
    case 'not':
      return `not ${printCondition(expr.child)}`;
    case 'identifier':
      return expr.identifier;
    case 'value':
      return escapeValue(expr.value);
    case 'list':
      return `(${expr.values.map(escapeValue).join(', ')})`;
    case 'transformer_list':
      return `(${expr.children.map(printCondition).join(',')})`;
    case 'unary_check':
      return `${printCondition(expr.left)} ${expr.operator}`;
    case 'binary_check':
      return `${printCondition(expr.left)} ${expr.operator} ${printCondition(expr.right)}`;
    case 'field':
      return expr.field + printArgument(expr.argument);
    case 'field_transformer': {
      const values = expr.values.map(printCondition).join(',');
      return `${expr.transformer}(${values})${printArgument(expr.argument)}`;
    }
  }
}

/** A field or transformer argument in brackets; an empty one prints as `[""]`. */
function printArgument(argument: string | undefined): string {
  if (argument === undefined) return '';
  return argument === '' ? '[""]' : `[${escapeValue(argument)}]`;
}
