/**
 * Turns a rule's exceptions into condition text appended to its condition, as Falco does:
 * `(condition) and not (field in (v1, v2))` for a single field, and for field tuples
 * `and not ((f1 = a and f2 = b) or (...))`. Values holding a space are double-quoted; a
 * scalar value for a list operator is wrapped in parentheses.
 * @internal
 */
import { check, type ItemContext } from './context.js';
import { takesList } from './exception-validate.js';
import type { ExceptionEntry, ExceptionInfo } from './items.js';
import { quoteItem } from './list-expansion.js';
import { MappedText } from './mapped-text.js';

function validate(failed: boolean, message: string, context: ItemContext): void {
  check(failed, message, context, 'LOAD_ERR_VALIDATE');
}

/** The condition with every exception appended; also returns the fields exceptions use. */
export function applyExceptions(
  condition: MappedText,
  exceptions: readonly ExceptionInfo[],
): { condition: MappedText; fields: Set<string> } {
  const fields = new Set<string>();
  if (exceptions.length === 0) return { condition, fields };
  let result = condition.wrap('(', ')');
  for (const exception of exceptions) {
    const text =
      exception.fields?.isList === true
        ? tupleText(exception, fields)
        : singleText(exception, fields);
    if (text !== '') result = result.concat(' and not ', MappedText.fixed(text, exception.context));
  }
  return { condition: result, fields };
}

function entryText(entry: ExceptionEntry | undefined): string {
  return entry === undefined || entry.isList ? '' : entry.item;
}

function singleText(exception: ExceptionInfo, fields: Set<string>): string {
  const field = entryText(exception.fields);
  const operator = entryText(exception.comps);
  const values: string[] = [];
  for (const value of exception.values) {
    validate(value.isList, 'Expected values array to contain a list of strings', exception.context);
    fields.add(field);
    values.push(quoteItem(entryText(value)));
  }
  return values.length === 0 ? '' : `(${field} ${operator} (${values.join(', ')}))`;
}

function tupleText(exception: ExceptionInfo, usedFields: Set<string>): string {
  const fields = exception.fields?.isList === true ? exception.fields.items : [];
  const comps = exception.comps?.isList === true ? exception.comps.items : [];
  const alternatives: string[] = [];
  for (const value of exception.values) {
    const parts = value.isList ? value.items : [];
    validate(
      fields.length !== parts.length,
      'Fields and values lists must have equal length',
      exception.context,
    );
    const checks = fields.map((field, position) => {
      const operator = entryText(comps[position]);
      usedFields.add(entryText(field));
      return ` ${entryText(field)} ${operator} ${valueText(parts[position], operator)}`;
    });
    alternatives.push(`(${checks.join(' and ')})`);
  }
  return alternatives.length === 0 ? '' : `(${alternatives.join(' or ')})`;
}

function valueText(value: ExceptionEntry | undefined, operator: string): string {
  if (value?.isList === true)
    return `(${value.items.map((item) => quoteItem(entryText(item))).join(', ')})`;
  const text = entryText(value);
  if (takesList(operator)) return text.startsWith('(') ? text : `(${text})`;
  return quoteItem(text);
}
