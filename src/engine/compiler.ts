/**
 * Compiles a condition's AST into a predicate over events of one source. Fields resolve
 * through the source's field table; operators are checked against field types as libsinsp
 * checks them, with libsinsp's messages. Evaluation short-circuits `and`/`or`, and a value
 * that cannot be extracted makes its check false.
 */
import RE2 from 're2';
import type { BinaryCheckExpr, Expr, Position, UnaryCheckExpr } from './ast.js';
import type { FieldTable } from './fields/types.js';
import type { Operand } from './operand.js';
import { CompileFailure, type CompileError, type CompileWarning } from './compile-error.js';
import { compileOperand } from './operands.js';
import { comparabilityError, parseOperator, type Comparator } from './operators.js';
import { type Constant, parseConstant, parseHexBytes } from './constants.js';
import { buildConstantCheck, buildExistsCheck, buildFieldCheck, type Predicate } from './checks.js';
import { valueWarnings } from './compile-warnings.js';
import type { SharedChecks } from './shared-checks.js';

export type { CompileError } from './compile-error.js';

/** A compiled condition. */
export interface CompiledFilter<E> {
  /** Whether the event satisfies the condition. Never throws for well-formed events. */
  evaluate(event: E): boolean;
}

export type CompileResult<E> =
  | { ok: true; filter: CompiledFilter<E>; warnings: CompileWarning[] }
  | { ok: false; error: CompileError };

/**
 * Compiles a condition (macros already expanded) against one source's field table.
 * Returns an error rather than throwing, for any input. Conditions compiled with one `shared`
 * judge their common `and`/`or` subtrees once per evaluation scope (see `SharedChecks`).
 *
 * @example
 * const parsed = parseCondition('proc.name in (bash, sh)');
 * if (parsed.ok) compileCondition(parsed.ast, fieldTableFor('syscall')!);
 */
export function compileCondition<E>(
  expr: Expr,
  table: FieldTable<E>,
  shared?: SharedChecks,
): CompileResult<E> {
  const compiler = new ConditionCompiler(table, shared);
  try {
    const evaluate = compiler.compile(expr);
    return { ok: true, filter: { evaluate }, warnings: compiler.warnings };
  } catch (error) {
    if (error instanceof CompileFailure) {
      const { message, position, unknownField } = error;
      return {
        ok: false,
        error: unknownField ? { message, position, unknownField } : { message, position },
      };
    }
    if (error instanceof RangeError) {
      return {
        ok: false,
        error: { message: 'condition is nested too deeply to compile', position: expr.position },
      };
    }
    throw error;
  }
}

class ConditionCompiler<E> {
  readonly warnings: CompileWarning[] = [];

  constructor(
    private readonly table: FieldTable<E>,
    private readonly shared: SharedChecks | undefined,
  ) {}

  compile(expr: Expr): Predicate<E> {
    switch (expr.kind) {
      case 'and':
        return this.share(expr, allOf(expr.children.map((child) => this.compile(child))));
      case 'or':
        return this.share(expr, anyOf(expr.children.map((child) => this.compile(child))));
      case 'not': {
        const child = this.compile(expr.child);
        return (event) => !child(event);
      }
      case 'unary_check':
        return this.compileUnary(expr);
      case 'binary_check':
        return this.compileBinary(expr);
      case 'identifier':
        throw new CompileFailure(
          `filter error: unexpected identifier '${expr.identifier}'`,
          expr.position,
        );
    }
    throw new CompileFailure(
      `filter error: unexpected ${expr.kind} expression where a check was expected`,
      expr.position,
    );
  }

  /** The predicate rules compiled with the same `SharedChecks` share for `expr`, if any. */
  private share(expr: Expr, predicate: Predicate<E>): Predicate<E> {
    return this.shared === undefined ? predicate : this.shared.share(expr, this.table, predicate);
  }

  private compileUnary(expr: UnaryCheckExpr): Predicate<E> {
    const left = this.leftOperand(expr.left, 'unary');
    const comparator = this.comparator(expr.operator, left, expr.position);
    if (comparator.operator !== 'exists') {
      throw new CompileFailure(
        `filter error: '${expr.operator}' is not a unary operator`,
        expr.position,
      );
    }
    return buildExistsCheck(left);
  }

  private compileBinary(expr: BinaryCheckExpr): Predicate<E> {
    const left = this.leftOperand(expr.left, 'binary');
    const comparator = this.comparator(expr.operator, left, expr.position);
    const right = compileOperand(expr.right, this.table);
    if (right) {
      checkFieldComparison(left, comparator, right, expr.position);
      return buildFieldCheck(left, comparator, right);
    }
    const texts =
      expr.right.kind === 'value'
        ? [expr.right.value]
        : expr.right.kind === 'list'
          ? expr.right.values
          : [];
    for (const text of texts) {
      this.warnings.push(...valueWarnings(comparator, text, expr.right.position, this.table));
    }
    const constants = texts.map((text) => constantFor(left, comparator, text, expr.position));
    const regexes =
      comparator.operator === 'regex' ? texts.map((text) => compileRegex(text, expr.position)) : [];
    return buildConstantCheck(left, comparator, constants, regexes);
  }

  private leftOperand(expr: Expr, kind: 'unary' | 'binary'): Operand<E> {
    const operand = compileOperand(expr, this.table);
    if (!operand)
      throw new CompileFailure(
        `filter error: missing field in left-hand of ${kind} check`,
        expr.position,
      );
    return operand;
  }

  private comparator(text: string, left: Operand<E>, position: Position): Comparator {
    const comparator = parseOperator(text);
    if (!comparator) throw new CompileFailure(`filter error: unknown operator '${text}'`, position);
    const problem = comparabilityError(comparator, left.type, left.isList);
    if (problem) throw new CompileFailure(`filter error: ${problem}`, position);
    return comparator;
  }
}

function allOf<E>(predicates: Predicate<E>[]): Predicate<E> {
  if (predicates.length === 1) return predicates[0];
  if (predicates.length === 2) {
    const [first, second] = predicates;
    return (event) => first(event) && second(event);
  }
  return (event) => {
    for (let i = 0; i < predicates.length; i++) if (!predicates[i](event)) return false;
    return true;
  };
}

function anyOf<E>(predicates: Predicate<E>[]): Predicate<E> {
  if (predicates.length === 1) return predicates[0];
  if (predicates.length === 2) {
    const [first, second] = predicates;
    return (event) => first(event) || second(event);
  }
  return (event) => {
    for (let i = 0; i < predicates.length; i++) if (predicates[i](event)) return true;
    return false;
  };
}

function constantFor<E>(
  left: Operand<E>,
  comparator: Comparator,
  text: string,
  position: Position,
): Constant {
  if (comparator.operator === 'bcontains' || comparator.operator === 'bstartswith') {
    const bytes = parseHexBytes(text);
    if (!bytes)
      throw new CompileFailure(
        'filter error: bcontains and bstartswith operator support hex strings only',
        position,
      );
    return bytes;
  }
  const parsed = parseConstant(left.type, text);
  if (!parsed.ok) throw new CompileFailure(parsed.message, position);
  const problem = left.definition?.validateConstant?.(text);
  if (problem) throw new CompileFailure(problem, position);
  return parsed.value;
}

/** RE2 with the whole value anchored, as libs matches regexes. */
function compileRegex(pattern: string, position: Position): RE2 {
  try {
    return new RE2(`^(?:${pattern})$`, 'u');
  } catch (error) {
    throw new CompileFailure(`invalid regex pattern: ${(error as Error).message}`, position);
  }
}

function checkFieldComparison<E>(
  left: Operand<E>,
  comparator: Comparator,
  right: Operand<E>,
  position: Position,
): void {
  const fail = (message: string): never => {
    throw new CompileFailure(`filter error: ${message}`, position);
  };
  if (comparator.operator === 'pmatch' || comparator.operator === 'regex') {
    fail(`operator '${comparator.operator.toUpperCase()}' doesn't support right-hand side fields`);
  }
  if (left.type === 'IPNET' || left.type === 'IPV4NET' || left.type === 'IPV6NET') {
    fail("field type 'IPNET' doesn't support right-hand side fields");
  }
  if (!left.allowsFieldComparison)
    fail(`field '${left.name}' doesn't support right-hand side fields`);
  if (!right.allowsFieldComparison)
    fail(`field '${right.name}' can't be used as a right-hand side field`);
  if (left.type !== right.type || left.isList !== right.isList) {
    const describe = (operand: Operand<E>) => `${operand.type}${operand.isList ? ' (list)' : ''}`;
    fail(
      `field '${left.name}' has type '${describe(left)}' while the right-hand side field '${right.name}' has incompatible type '${describe(right)}'`,
    );
  }
}
