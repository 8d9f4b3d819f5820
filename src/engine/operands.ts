/**
 * Compiles the operand side of a check (fields, transformers, literal lists inside
 * transformers) into `Operand`s.
 */
import type { Expr, FieldExpr, FieldTransformerExpr } from './ast.js';
import type { FieldExtractor, FieldTable, FieldValue } from './fields/types.js';
import { resolveField } from './fields/resolve.js';
import type { Operand } from './operand.js';
import { CompileFailure } from './compile-error.js';
import { applyMultiValueTransformer, applyTransformer } from './transformers.js';

/** Compiles `expr` as an operand, or returns undefined when it is a literal value or list. */
export function compileOperand<E>(expr: Expr, table: FieldTable<E>): Operand<E> | undefined {
  switch (expr.kind) {
    case 'field':
      return compileField(expr, table);
    case 'field_transformer':
      return compileTransformer(expr, table);
    case 'transformer_list':
      return compileTransformerList(expr.children, table, expr.position);
    case 'value':
    case 'list':
      return undefined;
  }
  throw new CompileFailure(
    `unexpected '${expr.kind}' expression where a field was expected`,
    expr.position,
  );
}

function compileField<E>(expr: FieldExpr, table: FieldTable<E>): Operand<E> {
  const fullName = expr.argument === undefined ? expr.field : `${expr.field}[${expr.argument}]`;
  const resolved = resolveField(table, expr.field, expr.argument);
  if (!resolved.ok) {
    const unknown = resolved.unknown ? fullName : undefined;
    throw new CompileFailure(resolved.message, expr.position, unknown);
  }
  const { definition, argument } = resolved;
  let type = definition.type;
  if (definition.typeForArgument && argument !== undefined) {
    const argumentType = definition.typeForArgument(argument);
    if (argumentType === undefined) {
      throw new CompileFailure(`filter error: unknown event argument ${argument}`, expr.position);
    }
    type = argumentType;
  }
  const extract = definition.extract;
  const candidates = definition.candidates;
  return {
    name: definition.name,
    type,
    isList: definition.isList === true,
    definition,
    // Without an argument the extractor itself reads: one call less per check.
    read: extract === undefined ? () => undefined : withArgument(extract, argument),
    candidates: candidates === undefined ? undefined : withArgument(candidates, argument),
    allowsFieldComparison: definition.noRightHandSide !== true,
    allowsTransformer: definition.noTransformer !== true,
  };
}

function withArgument<E>(
  extract: FieldExtractor<E>,
  argument: string | undefined,
): (event: E) => FieldValue | undefined {
  // Called with the event alone, the extractor sees `argument` undefined, as it would here.
  if (argument === undefined) return extract as (event: E) => FieldValue | undefined;
  return (event) => extract(event, argument);
}

function compileTransformer<E>(expr: FieldTransformerExpr, table: FieldTable<E>): Operand<E> {
  const args = expr.values.map((value) => compileOperand(value, table) ?? literalOperand<E>(value));
  if (expr.transformer === 'val') {
    if (expr.argument !== undefined) {
      throw new CompileFailure(
        "filter error: transformer 'val' does not support field arguments",
        expr.position,
      );
    }
    return args[0];
  }
  const result =
    args.length === 1
      ? expr.argument === undefined
        ? applyTransformer(expr.transformer, args[0])
        : `filter error: transformer '${expr.transformer}' does not support field arguments`
      : applyMultiValueTransformer(expr.transformer, args, expr.argument);
  if (typeof result === 'string') throw new CompileFailure(result, expr.position);
  return result;
}

function compileTransformerList<E>(
  children: Expr[],
  table: FieldTable<E>,
  position: FieldExpr['position'],
): Operand<E> {
  const elements = children.map(
    (child) => compileOperand(child, table) ?? literalOperand<E>(child),
  );
  if (elements.length === 0)
    throw new CompileFailure('filter error: unexpected empty transformer list element', position);
  return {
    name: 'list',
    type: elements[0].type,
    isList: true,
    allowsFieldComparison: true,
    allowsTransformer: true,
    read: (event) => {
      const values = [];
      for (const element of elements) {
        const value = element.read(event);
        if (value === undefined) return undefined;
        if (Array.isArray(value)) values.push(...value);
        else values.push(value);
      }
      return values;
    },
  };
}

/** A literal inside a transformer: one string, or a list of strings. */
function literalOperand<E>(expr: Expr): Operand<E> {
  const values = expr.kind === 'value' ? [expr.value] : expr.kind === 'list' ? expr.values : [];
  if (values.length === 0) {
    throw new CompileFailure('filter error: found null child node on transformer', expr.position);
  }
  const value = values.length === 1 ? values[0] : values;
  return {
    name: 'literal',
    type: 'CHARBUF',
    isList: values.length > 1,
    allowsFieldComparison: true,
    allowsTransformer: true,
    read: () => value,
  };
}
