/**
 * Works out which event types a condition can match, so the rule index hands each event only
 * to rules that may fire on it. Follows libsinsp's analysis: `and` intersects, `or` unites,
 * negations are pushed down to the checks (De Morgan), checks on other fields match every
 * type, and `evt.num` checks that can never (or always) hold are resolved.
 */
import type { Expr } from './ast.js';

/** A set of event type names, or its complement when `negated`. */
interface TypeSet {
  negated: boolean;
  names: Set<string>;
}

const everything = (): TypeSet => ({ negated: true, names: new Set() });
const nothing = (): TypeSet => ({ negated: false, names: new Set() });

/**
 * The event type names a condition can match, or null when it can match any type. With
 * `universe` (all names of the source) the answer is exact; without it, a condition that
 * excludes types (`evt.type != open`) is reported as matching any type.
 */
export function eventTypesOf(
  expr: Expr,
  universe?: ReadonlySet<string>,
): ReadonlySet<string> | null {
  const result = visit(expr, false);
  if (!universe) return result.negated ? null : result.names;
  const names = result.negated
    ? new Set([...universe].filter((name) => !result.names.has(name)))
    : new Set([...result.names].filter((name) => universe.has(name)));
  return names.size === universe.size ? null : names;
}

function visit(expr: Expr, negated: boolean): TypeSet {
  switch (expr.kind) {
    case 'and':
      return combine(
        expr.children.map((child) => visit(child, negated)),
        !negated,
      );
    case 'or':
      return combine(
        expr.children.map((child) => visit(child, negated)),
        negated,
      );
    case 'not':
      return visit(expr.child, !negated);
    case 'binary_check':
      return visitBinary(expr, negated);
    case 'unary_check':
      // `evt.type exists` holds for every type; negated, for none. Other checks are neutral.
      return isEventTypeField(expr.left) && negated ? nothing() : everything();
  }
  return everything();
}

function visitBinary(expr: Extract<Expr, { kind: 'binary_check' }>, negated: boolean): TypeSet {
  const invariant = eventNumberInvariant(expr);
  if (invariant !== undefined) return invariant !== negated ? everything() : nothing();
  const isTypeOperator = ['=', '==', '!=', 'in'].includes(expr.operator);
  if (!isTypeOperator || !isEventTypeField(expr.left)) return everything();
  const right = expr.right;
  const values =
    right.kind === 'value' ? [right.value] : right.kind === 'list' ? right.values : undefined;
  if (!values) return everything();
  let set: TypeSet = { negated: false, names: new Set(values) };
  if (negated) set = complement(set);
  if (expr.operator === '!=') set = complement(set);
  return set;
}

function isEventTypeField(expr: Expr): boolean {
  return (
    expr.kind === 'field' &&
    (expr.field === 'evt.type' || expr.field === 'syscall.type') &&
    expr.argument === undefined
  );
}

/**
 * `evt.num` starts at 1, so some checks on it are decided statically: true means the check
 * always holds, false never, undefined that it depends on the event.
 */
function eventNumberInvariant(expr: Extract<Expr, { kind: 'binary_check' }>): boolean | undefined {
  const left = expr.left;
  if (left.kind !== 'field' || left.field !== 'evt.num' || left.argument !== undefined)
    return undefined;
  const numbers = (texts: string[]) =>
    texts.map((text) => (/^\s*\+?\d+$/.test(text) ? BigInt(text.trim()) : undefined));
  if (expr.operator === 'in') {
    if (expr.right.kind !== 'list') return undefined;
    return numbers(expr.right.values).every((n) => n === 0n) ? false : undefined;
  }
  if (expr.right.kind !== 'value') return undefined;
  const [n] = numbers([expr.right.value]);
  if (n === undefined) return undefined;
  switch (expr.operator) {
    case '=':
    case '==':
      return n === 0n ? false : undefined;
    case '!=':
    case '>':
      return n === 0n ? true : undefined;
    case '<':
      return n <= 1n ? false : undefined;
    case '<=':
      return n === 0n ? false : undefined;
    case '>=':
      return n <= 1n ? true : undefined;
  }
  return undefined;
}

function complement(set: TypeSet): TypeSet {
  return { negated: !set.negated, names: set.names };
}

/** Intersection of all sets when `intersect`, else their union. */
function combine(sets: TypeSet[], intersect: boolean): TypeSet {
  return sets.reduce(
    (acc, set) => (intersect ? intersection(acc, set) : union(acc, set)),
    intersect ? everything() : nothing(),
  );
}

function intersection(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.negated && !b.negated)
    return { negated: false, names: new Set([...a.names].filter((n) => b.names.has(n))) };
  if (a.negated && b.negated) return { negated: true, names: new Set([...a.names, ...b.names]) };
  const [positive, negative] = a.negated ? [b, a] : [a, b];
  return {
    negated: false,
    names: new Set([...positive.names].filter((n) => !negative.names.has(n))),
  };
}

function union(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.negated && !b.negated) return { negated: false, names: new Set([...a.names, ...b.names]) };
  if (a.negated && b.negated)
    return { negated: true, names: new Set([...a.names].filter((n) => b.names.has(n))) };
  const [positive, negative] = a.negated ? [b, a] : [a, b];
  return {
    negated: true,
    names: new Set([...negative.names].filter((n) => !positive.names.has(n))),
  };
}
