/**
 * Replaces macro references in a condition's AST with copies of the macros' ASTs, as Falco's
 * macro resolver does: recursively, detecting reference loops, and collecting unknown names.
 *
 * Each copy's node positions are moved into their own index range, `(copy + 1) * macroSpace`
 * plus the index in the macro's text, so any position in the expanded tree tells which macro
 * copy (and so which file, line and column) it came from.
 * @internal
 */
import type { Expr, Position } from '../../engine/index.js';

/** Width of the index range each macro copy gets. */
const macroSpace = 2 ** 24;

/** Most nodes an expansion may create; past it the rule is rejected instead of eating memory. */
const MAX_EXPANDED_NODES = 2_000_000;
/** Deepest chain of macros referring to macros. */
const MAX_MACRO_DEPTH = 1000;

/** One copy of a macro in an expanded tree. */
export interface MacroCopy {
  macro: string;
  /** The copy the reference sits in, or -1 for the condition itself. */
  parent: number;
  /** Index of the reference (in the parent's index range). */
  referenceIndex: number;
}

export interface MacroExpansion {
  expr: Expr;
  copies: MacroCopy[];
  /** Names of macros substituted at least once. */
  resolved: Set<string>;
  unknown: { name: string; index: number }[];
  errors: { message: string; index: number }[];
}

/**
 * Expands macros in `expr` (not mutated). `lookup` returns a macro's unexpanded AST, or
 * undefined for a name that is not a (visible) macro.
 */
export function expandMacros(
  expr: Expr,
  lookup: (name: string) => Expr | undefined,
): MacroExpansion {
  const expander = new Expander(lookup);
  const result = expander.visit(expr, -1, []);
  return {
    expr: result,
    copies: expander.copies,
    resolved: expander.resolved,
    unknown: expander.unknown,
    errors: expander.errors,
  };
}

class Expander {
  readonly copies: MacroCopy[] = [];
  readonly resolved = new Set<string>();
  readonly unknown: { name: string; index: number }[] = [];
  readonly errors: { message: string; index: number }[] = [];
  private nodeCount = 0;

  constructor(private readonly lookup: (name: string) => Expr | undefined) {}

  visit(expr: Expr, copy: number, path: string[]): Expr {
    switch (expr.kind) {
      case 'and':
      case 'or':
        return { ...expr, children: expr.children.map((child) => this.visit(child, copy, path)) };
      case 'not':
        return { ...expr, child: this.visit(expr.child, copy, path) };
      case 'identifier':
        return this.substitute(expr, copy, path);
      default:
        return expr;
    }
  }

  private substitute(expr: Expr & { kind: 'identifier' }, copy: number, path: string[]): Expr {
    const name = expr.identifier;
    const index = expr.position.index;
    const body = this.lookup(name);
    if (body === undefined) {
      this.unknown.push({ name, index });
      return expr;
    }
    if (
      path.includes(name) ||
      path.length >= MAX_MACRO_DEPTH ||
      this.nodeCount > MAX_EXPANDED_NODES
    ) {
      this.errors.push({ message: this.refusal(name, path), index });
      this.unknown.push({ name, index });
      return expr;
    }
    const id = this.copies.length;
    this.copies.push({ macro: name, parent: copy, referenceIndex: index });
    const moved = this.shift(body, (id + 1) * macroSpace);
    this.resolved.add(name);
    return this.visit(moved, id, [...path, name]);
  }

  private refusal(name: string, path: string[]): string {
    if (path.includes(name)) return `reference loop in macro '${name}'`;
    if (path.length >= MAX_MACRO_DEPTH)
      return `macros nest deeper than ${MAX_MACRO_DEPTH} levels at '${name}'`;
    return `macro expansion exceeds ${MAX_EXPANDED_NODES} nodes at '${name}'`;
  }

  /** A deep copy of `expr` with every position moved by `base`. */
  private shift(expr: Expr, base: number): Expr {
    this.nodeCount++;
    const position = moveBy(expr.position, base);
    switch (expr.kind) {
      case 'and':
      case 'or':
        return {
          ...expr,
          position,
          children: expr.children.map((child) => this.shift(child, base)),
        };
      case 'not':
        return { ...expr, position, child: this.shift(expr.child, base) };
      case 'transformer_list':
        return {
          ...expr,
          position,
          children: expr.children.map((child) => this.shift(child, base)),
        };
      case 'unary_check':
        return { ...expr, position, left: this.shift(expr.left, base) };
      case 'binary_check':
        return {
          ...expr,
          position,
          left: this.shift(expr.left, base),
          right: this.shift(expr.right, base),
        };
      case 'field_transformer':
        return { ...expr, position, values: expr.values.map((value) => this.shift(value, base)) };
      case 'list':
        return { ...expr, position, values: [...expr.values] };
      default:
        return { ...expr, position };
    }
  }
}

function moveBy(position: Position, base: number): Position {
  return { ...position, index: position.index + base };
}

/** Which copy an index belongs to (-1: the condition itself) and the index inside it. */
export function splitIndex(index: number): { copy: number; inner: number } {
  return { copy: Math.floor(index / macroSpace) - 1, inner: index % macroSpace };
}
