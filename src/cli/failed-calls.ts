/**
 * Which syscalls the live probe may report only when they succeed. A failed call is skipped in
 * the kernel (and counted there as `skippedFailed`) only when nothing downstream could use it:
 * the state engine ignores failed calls of that syscall (`STATE_IGNORES_FAILED`), and every
 * enabled rule that can match its event type requires success in its condition. On a busy
 * host failed calls are common (library and PATH searches fail with ENOENT, a fifth of the
 * opens here), and Falco's own file rules all require an open that returned a descriptor.
 *
 * A condition requires success for an event type when a conjunct of it (every branch of an
 * `or`) checks the result: `evt.rawres >= 0` and the like, `evt.res = SUCCESS`,
 * `evt.failed = false`, `fd.num >= 0` on an open (its fd is the result), `evt.arg.res = 0`
 * where the first parameter is the result; or when it rules the event type out
 * (`evt.type in (...)` without it). Anything else counts as able to match a failure.
 */
import type { RuleSet } from '../detect/index.js';
import type { Expr } from '../engine/index.js';
import { STATE_IGNORES_FAILED } from '../sources/ebpf/syscall-selection.js';

/** Open-family exits, whose `fd.num` is the call's result. */
const OPENS: ReadonlySet<string> = new Set(['open', 'openat', 'openat2', 'creat']);
/** Exits whose first parameter, named `res`, is the call's result. */
const RESULT_FIRST: ReadonlySet<string> = new Set(['execve', 'execveat', 'close']);

/**
 * The names among `names` whose failed calls no enabled syscall rule of `ruleSet` can match
 * and the state engine ignores, sorted.
 *
 * @example
 * succeededOnlyNames(falcoRules, ['openat', 'execve']) // ['openat']: spawned_process has no res check
 */
export function succeededOnlyNames(ruleSet: RuleSet, names: Iterable<string>): string[] {
  const rules = ruleSet.enabledRules('syscall');
  const result: string[] = [];
  for (const name of names) {
    if (!STATE_IGNORES_FAILED.has(name)) continue;
    const canMatchFailure = rules.some(
      (rule) =>
        (rule.eventTypes === null || rule.eventTypes.has(name)) &&
        !requiresSuccess(rule.condition, name),
    );
    if (!canMatchFailure) result.push(name);
  }
  return result.sort();
}

/** Whether `expr` can only hold, for an event of `type`, on a call that succeeded. */
export function requiresSuccess(expr: Expr, type: string): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.children.some((child) => requiresSuccess(child, type));
    case 'or':
      return expr.children.every((child) => requiresSuccess(child, type));
    case 'not':
      return isCheck(expr.child, 'evt.failed', '=', 'true');
    case 'binary_check':
      return excludesType(expr, type) || checksSuccess(expr, type);
    default:
      return false;
  }
}

type BinaryCheck = Extract<Expr, { kind: 'binary_check' }>;

function fieldName(check: BinaryCheck): string | undefined {
  const { left } = check;
  if (left.kind !== 'field') return undefined;
  return left.argument === undefined ? left.field : `${left.field}.${left.argument}`;
}

function isCheck(expr: Expr, field: string, operator: string, value: string): boolean {
  return (
    expr.kind === 'binary_check' &&
    fieldName(expr) === field &&
    expr.operator === operator &&
    expr.right.kind === 'value' &&
    expr.right.value === value
  );
}

/** `evt.type = X` or `evt.type in (...)` that leaves `type` out. */
function excludesType(check: BinaryCheck, type: string): boolean {
  if (fieldName(check) !== 'evt.type') return false;
  const { operator, right } = check;
  if (operator === '=' && right.kind === 'value') return right.value !== type;
  if (operator === 'in' && right.kind === 'list') return !right.values.includes(type);
  return false;
}

function checksSuccess(check: BinaryCheck, type: string): boolean {
  const field = fieldName(check);
  if (field === 'evt.rawres' || (field === 'fd.num' && OPENS.has(type)))
    return impliesNonNegative(check);
  if (field === 'evt.arg.res' || field === 'evt.rawarg.res' || field === 'evt.arg.0')
    return RESULT_FIRST.has(type) && isCheck(check, field, '=', '0');
  return isCheck(check, 'evt.res', '=', 'SUCCESS') || isCheck(check, 'evt.failed', '=', 'false');
}

/** A numeric comparison that no negative value passes. */
function impliesNonNegative(check: BinaryCheck): boolean {
  const { operator, right } = check;
  const bound = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN);
  if (right.kind === 'list')
    return operator === 'in' && right.values.length > 0 && right.values.every((v) => bound(v) >= 0);
  if (right.kind !== 'value') return false;
  const value = bound(right.value);
  if (operator === '>=' || operator === '=') return value >= 0;
  return operator === '>' && value >= -1;
}
