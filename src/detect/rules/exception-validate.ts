/**
 * Checks a rule exception's `fields` and `comps` as Falco does, filling in default comps
 * (`=` per field for tuples, `in` for a single field) and trimming blanks around operators.
 * Mutates the exception.
 * @internal
 */
import { check, type ItemContext } from './context.js';
import type { SourceCatalog } from './collector.js';
import { isValidEntry, type ExceptionEntry, type ExceptionInfo } from './items.js';

/** Operators a condition may use (Falco's `supported_operators`). */
const comparisonOperators: readonly string[] = [
  'exists',
  '<=',
  '<',
  '>=',
  '>',
  '==',
  '=',
  '!=',
  'glob',
  'iglob',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'regex',
  'intersects',
  'in',
  'pmatch',
];

/** Operators whose right side is a list. */
const listOperators: readonly string[] = ['intersects', 'in', 'pmatch'];

/** String operators that accept an `oneof`/`anyof`/`allof` modifier. */
const MODIFIABLE = new Set([
  '=',
  '==',
  '!=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
]);
const MODIFIERS = new Set(['oneof', 'anyof', 'allof']);

/** True for `startswith oneof` and the like: one space, a modifiable operator, a modifier. */
function isOperatorWithModifier(operator: string): boolean {
  const space = operator.indexOf(' ');
  if (space < 0) return false;
  return MODIFIABLE.has(operator.slice(0, space)) && MODIFIERS.has(operator.slice(space + 1));
}

/** True when the operator takes a parenthesized list on its right. */
export function takesList(operator: string): boolean {
  return listOperators.includes(operator) || isOperatorWithModifier(operator);
}

function trimBlanks(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

function validate(failed: boolean, message: string, context: ItemContext): void {
  check(failed, message, context, 'LOAD_ERR_VALIDATE');
}

export function validateException(
  catalog: SourceCatalog,
  source: string | undefined,
  exception: ExceptionInfo,
): void {
  const { fields } = exception;
  if (fields?.isList === true) validateTuple(catalog, source, exception, fields.items);
  else validateSingle(catalog, source, exception, fields?.isList === false ? fields.item : '');
}

function validateTuple(
  catalog: SourceCatalog,
  source: string | undefined,
  exception: ExceptionInfo,
  fields: ExceptionEntry[],
): void {
  const { context } = exception;
  if (!isValidEntry(exception.comps)) {
    exception.comps = { isList: true, items: fields.map(() => ({ isList: false, item: '=' })) };
  }
  const comps = exception.comps.isList ? exception.comps.items : [];
  validate(
    fields.length !== comps.length,
    'Fields and comps lists must have equal length',
    context,
  );
  for (const [position, comp] of comps.entries()) {
    const operator = trimBlanks(comp.isList ? '' : comp.item);
    comps[position] = { isList: false, item: operator };
    validate(
      !comparisonOperators.includes(operator) && !isOperatorWithModifier(operator),
      `'${operator}' is not a supported comparison operator`,
      context,
    );
  }
  if (source === undefined) return;
  for (const field of fields) {
    const name = field.isList ? '' : field.item;
    validate(
      !catalog.isValidLeftField(source, name),
      `'${name}' is not a supported filter field`,
      context,
    );
  }
}

function validateSingle(
  catalog: SourceCatalog,
  source: string | undefined,
  exception: ExceptionInfo,
  field: string,
): void {
  const { context } = exception;
  if (!isValidEntry(exception.comps)) exception.comps = { isList: false, item: 'in' };
  validate(exception.comps.isList, 'Fields and comps must both be strings', context);
  const operator = trimBlanks(exception.comps.isList ? '' : exception.comps.item);
  exception.comps = { isList: false, item: operator };
  validate(
    !listOperators.includes(operator) && !isOperatorWithModifier(operator),
    'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)',
    context,
  );
  if (source === undefined) return;
  validate(
    !catalog.isValidLeftField(source, field),
    `'${field}' is not a supported filter field`,
    context,
  );
}
