/**
 * Subexpressions that several rules share, judged once per event. The stable rules repeat
 * their macros: on an open, `open_read` runs in three rules and `sensitive_files` in two, the
 * same checks on the same event each time. Rules compiled with one `SharedChecks` get one
 * predicate per distinct `and`/`or` subtree, which keeps its last result for the event being
 * matched.
 *
 * A result is reused only inside an evaluation scope, which the rule set opens around the
 * rules it runs on one event: there the event and the state do not change, and extraction has
 * no effect that a second evaluation would repeat differently. Outside a scope (a filter
 * evaluated on its own) every evaluation runs in full.
 */
import type { Expr } from './ast.js';
import type { Predicate } from './checks.js';
import type { FieldTable } from './fields/types.js';

/** The open scope's number; 0 when none is open. */
let currentScope = 0;
let scopesOpened = 0;

/**
 * Opens the scope in which shared subexpressions keep their results: call before running the
 * rules on one event, and `closeEvaluationScope` after, before the state moves on.
 */
export function openEvaluationScope(): void {
  currentScope = ++scopesOpened;
}

export function closeEvaluationScope(): void {
  currentScope = 0;
}

/** One predicate per distinct subtree (positions aside) and field table, for a set of rules. */
export class SharedChecks {
  private readonly byTable = new WeakMap<object, Map<string, Predicate<never>>>();

  /**
   * The shared predicate of `expr` under `table`: `predicate` (compiled from `expr`) made to
   * remember its result within a scope, or the one a former identical subtree got.
   */
  share<E>(expr: Expr, table: FieldTable<E>, predicate: Predicate<E>): Predicate<E> {
    let predicates = this.byTable.get(table);
    if (predicates === undefined) this.byTable.set(table, (predicates = new Map()));
    const key = JSON.stringify(expr, (name, value: unknown) =>
      name === 'position' ? undefined : value,
    );
    const known = predicates.get(key) as Predicate<E> | undefined;
    if (known !== undefined) return known;
    const shared = rememberInScope(predicate);
    predicates.set(key, shared as Predicate<never>);
    return shared;
  }
}

function rememberInScope<E>(predicate: Predicate<E>): Predicate<E> {
  let scope = 0;
  let result = false;
  return (event) => {
    if (currentScope !== 0 && scope === currentScope) return result;
    result = predicate(event);
    scope = currentScope;
    return result;
  };
}
