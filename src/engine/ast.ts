/**
 * The abstract syntax tree of a filter condition. Node kinds follow libsinsp's set one to one,
 * so trees compare with Falco's and print in Falco's canonical form (see `printCondition`).
 * Every node carries the position where its text starts in the condition string.
 */

/** Where a node starts: 0-based character index, 1-based line and column. */
export interface Position {
  index: number;
  line: number;
  column: number;
}

interface AndExpr {
  kind: 'and';
  children: Expr[];
  position: Position;
}

interface OrExpr {
  kind: 'or';
  children: Expr[];
  position: Position;
}

interface NotExpr {
  kind: 'not';
  child: Expr;
  position: Position;
}

/** A bare name standing alone as a check: a macro reference until macros are expanded. */
interface IdentifierExpr {
  kind: 'identifier';
  identifier: string;
  position: Position;
}

/** A literal right-hand value, already unquoted and unescaped. */
export interface ValueExpr {
  kind: 'value';
  value: string;
  position: Position;
}

/** A parenthesized list of literal values, as in `proc.name in (bash, sh)`. */
interface ListExpr {
  kind: 'list';
  values: string[];
  position: Position;
}

/** A parenthesized list given to a multi-value transformer, as in `join("-", (a.b, c.d))`. */
interface TransformerListExpr {
  kind: 'transformer_list';
  children: Expr[];
  position: Position;
}

/** A check that takes no right-hand side: `exists`. */
export interface UnaryCheckExpr {
  kind: 'unary_check';
  left: Expr;
  operator: string;
  position: Position;
}

/**
 * A check with a right-hand side. `operator` is the operator text with any modifier,
 * for example `=`, `in`, `startswith oneof`.
 */
export interface BinaryCheckExpr {
  kind: 'binary_check';
  left: Expr;
  operator: string;
  right: Expr;
  position: Position;
}

/** A field reference, with its bracket or dotted argument if any: `proc.aname[2]`. */
export interface FieldExpr {
  kind: 'field';
  field: string;
  argument?: string;
  position: Position;
}

/** A transformer applied to values: `tolower(proc.name)`, `val(proc.pname)`, `getopt(...)[n]`. */
export interface FieldTransformerExpr {
  kind: 'field_transformer';
  transformer: string;
  values: Expr[];
  argument?: string;
  position: Position;
}

export type Expr =
  | AndExpr
  | OrExpr
  | NotExpr
  | IdentifierExpr
  | ValueExpr
  | ListExpr
  | TransformerListExpr
  | UnaryCheckExpr
  | BinaryCheckExpr
  | FieldExpr
  | FieldTransformerExpr;
