/**
 * Load-time warnings about a compiled condition that Falco's engine (not the filter compiler)
 * raises: equality checks of k8s audit fields against `<NA>`, and deprecated fields.
 * @internal
 */
import type { Expr, Position } from '../../engine/index.js';

/**
 * Fields deprecated since capture sends exit events only (Harrier's probe, today's Falco);
 * enter events appear only in captures from older drivers. Checked by name, in this order.
 */
export const deprecatedFields = [
  'evt.dir',
  'evt.latency',
  'evt.latency.s',
  'evt.latency.ns',
  'evt.latency.human',
  'evt.wait_latency',
] as const;

export interface ConditionWarning {
  code: 'LOAD_UNSAFE_NA_CHECK' | 'LOAD_DEPRECATED_ITEM';
  message: string;
  /** The first node that raised it. */
  position: Position;
}

const EQUALITY = new Set(['==', '=', '!=', 'in', 'intersects', 'pmatch']);
const NOT_AVAILABLE = '<NA>';

/** Explains why a deprecated field should go. */
function deprecationMessage(field: string): string {
  if (field === 'evt.dir') {
    return "field 'evt.dir' is deprecated: live capture has exit events only, so there 'evt.dir = <' is always true and 'evt.dir = >' always false (enter events appear only in captures from older drivers); remove the check";
  }
  return `field '${field}' is deprecated: it has no value in live capture, which has exit events only`;
}

/** At most one unsafe-<NA> warning, then one warning per deprecated field, as Falco emits them. */
export function conditionWarnings(expr: Expr): ConditionWarning[] {
  const state: WalkState = {
    unsafe: undefined,
    deprecated: new Map(),
    lastFieldUnsafe: false,
    inEquality: false,
  };
  walk(expr, state);
  const warnings: ConditionWarning[] = [];
  if (state.unsafe !== undefined) {
    const message =
      "comparing a k8s audit field with '<NA>' is unsafe; use 'exists' to test for a value";
    warnings.push({ code: 'LOAD_UNSAFE_NA_CHECK', message, position: state.unsafe });
  }
  for (const field of deprecatedFields) {
    const position = state.deprecated.get(field);
    if (position !== undefined) {
      warnings.push({ code: 'LOAD_DEPRECATED_ITEM', message: deprecationMessage(field), position });
    }
  }
  return warnings;
}

interface WalkState {
  unsafe: Position | undefined;
  deprecated: Map<string, Position>;
  lastFieldUnsafe: boolean;
  inEquality: boolean;
}

function walk(expr: Expr, state: WalkState): void {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      for (const child of expr.children) walk(child, state);
      return;
    case 'not':
      return walk(expr.child, state);
    case 'unary_check':
      return walk(expr.left, state);
    case 'field_transformer':
      for (const value of expr.values) walk(value, state);
      return;
    case 'binary_check':
      state.lastFieldUnsafe = false;
      walk(expr.left, state);
      if (state.lastFieldUnsafe && EQUALITY.has(expr.operator)) {
        state.inEquality = true;
        walk(expr.right, state);
        state.inEquality = false;
      }
      return;
    case 'field':
      state.lastFieldUnsafe = expr.field.startsWith('ka.') || expr.field.startsWith('jevt.');
      if (
        (deprecatedFields as readonly string[]).includes(expr.field) &&
        !state.deprecated.has(expr.field)
      ) {
        state.deprecated.set(expr.field, expr.position);
      }
      return;
    case 'value':
      if (state.inEquality && expr.value === NOT_AVAILABLE) state.unsafe ??= expr.position;
      return;
    case 'list':
      if (state.inEquality && expr.values.includes(NOT_AVAILABLE)) state.unsafe ??= expr.position;
      return;
    default:
      return;
  }
}
