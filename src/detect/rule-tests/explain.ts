/**
 * Explains a rule's verdict on one event: walks the expanded condition, evaluates each part
 * with the same compiler and field table the rule was compiled with, and names the parts that
 * decided. A false `and` shows its first false conjunct, a false `or` all its disjuncts; a
 * true `and` shows every conjunct, a true `or` its first true disjunct. Leaf checks show the
 * values the event gave their fields.
 */
import {
  compileCondition,
  compileOutput,
  type Expr,
  type FieldTable,
  printCondition,
} from '../../engine/index.js';

/** At most this many lines per explanation, so a huge condition stays readable. */
const MAX_LINES = 40;
/** Printed sub-conditions are cut to this length. */
const MAX_TEXT = 140;

/**
 * Lines explaining why `condition` is `outcome` for `event` (indented by depth). The
 * condition must compile against `table`, as a loaded rule's does.
 */
export function explainCondition<E>(
  condition: Expr,
  table: FieldTable<E>,
  event: E,
  outcome: boolean,
): string[] {
  const explainer = new Explainer(table, event);
  explainer.explain(condition, outcome, 0);
  if (explainer.lines.length > MAX_LINES) {
    const left = explainer.lines.length - MAX_LINES;
    return [...explainer.lines.slice(0, MAX_LINES), `... ${left} more line(s)`];
  }
  return explainer.lines;
}

class Explainer<E> {
  readonly lines: string[] = [];

  constructor(
    private readonly table: FieldTable<E>,
    private readonly event: E,
  ) {}

  explain(expr: Expr, outcome: boolean, depth: number): void {
    if (this.lines.length > MAX_LINES) return;
    switch (expr.kind) {
      case 'and':
        return this.explainJunction(expr.children, outcome, depth, false);
      case 'or':
        return this.explainJunction(expr.children, outcome, depth, true);
      case 'not':
        this.note(depth, expr, outcome);
        return this.explain(expr.child, !outcome, depth + 1);
      default:
        this.lines.push(
          `${indent(depth)}${clip(printCondition(expr))} is ${outcome}${this.valuesOf(expr)}`,
        );
    }
  }

  /**
   * The children that decided: for `and`, the first false one (outcome false) or all
   * (true); for `or`, the first true one (outcome true) or all (false).
   */
  private explainJunction(children: Expr[], outcome: boolean, depth: number, isOr: boolean): void {
    const decisive = outcome === isOr;
    const values = children.map((child) => this.evaluate(child));
    if (decisive) {
      const index = values.indexOf(outcome);
      const label = isOr ? 'first true disjunct' : 'first false conjunct';
      if (index < 0) return;
      this.lines.push(`${indent(depth)}${label} (${index + 1} of ${children.length}):`);
      this.explain(children[index], outcome, depth + 1);
      return;
    }
    const label = isOr
      ? `all ${children.length} disjuncts are false:`
      : `all ${children.length} conjuncts are true:`;
    this.lines.push(`${indent(depth)}${label}`);
    for (const child of children) this.explain(child, outcome, depth + 1);
  }

  private note(depth: number, expr: Expr, outcome: boolean): void {
    this.lines.push(`${indent(depth)}${clip(printCondition(expr))} is ${outcome}`);
  }

  private evaluate(expr: Expr): boolean {
    const compiled = compileCondition(expr, this.table);
    return compiled.ok ? compiled.filter.evaluate(this.event) : false;
  }

  /** `: field = value, ...` for the fields a leaf check reads. */
  private valuesOf(expr: Expr): string {
    const operands: Expr[] = [];
    if (expr.kind === 'binary_check') operands.push(expr.left, expr.right);
    if (expr.kind === 'unary_check') operands.push(expr.left);
    const shown = operands
      .filter((operand) => operand.kind === 'field' || operand.kind === 'field_transformer')
      .map((operand) => `${printCondition(operand)} = ${this.valueText(printCondition(operand))}`);
    return shown.length === 0 ? '' : ` (${shown.join(', ')})`;
  }

  private valueText(token: string): string {
    const compiled = compileOutput(`%${token}`, this.table);
    if (!compiled.ok) return '?';
    const formatted = compiled.formatter.format(this.event);
    const value = formatted.fields.get(token);
    return value === null || value === undefined ? '<NA>' : JSON.stringify(formatted.text);
  }
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 3)}...` : text;
}
