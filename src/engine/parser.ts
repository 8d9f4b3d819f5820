/**
 * Parses a Falco filter condition into an AST, accepting and rejecting exactly what libsinsp's
 * filter parser does, with its error messages and its node and error positions.
 *
 * Grammar (EBNF). Literal keywords and operators shown with a trailing space need at least
 * one blank after them; `blank` is space, tab, backspace, CR or LF, and may appear between
 * any two tokens.
 *
 *   Condition       = Or ;
 *   Or              = And , { "or" , ( blank , And | "(" , Or , ")" ) } ;
 *   And             = Not , { "and" , ( blank , Not | "(" , Or , ")" ) } ;
 *   Not             = { "not" , space+ } , ( "not(" , Or , ")" | Check ) ;
 *                     (each "not" flips the sense, so an even count cancels out)
 *   Check           = "(" , Or , ")"
 *                   | Field , Comparison
 *                   | Transformer , Comparison
 *                   | Identifier ;                      (a macro reference)
 *   Comparison      = "exists"
 *                   | NumberOperator , ( TransformerOrVal | Number )
 *                   | StringOperator , Modifier , ListValue
 *                   | StringOperator , ( TransformerOrVal | QuotedString | BareString )
 *                   | ListOperator , ( List | TransformerOrVal | Identifier ) ;
 *   ListValue       = List | Identifier ;
 *   List            = "(" , [ ListItem , { "," , ListItem } ] , ")" ;
 *   ListItem        = QuotedString | BareString ;
 *   Field           = FieldName , [ FieldArgument ] ;
 *   FieldArgument   = "[" , ( QuotedString | ArgumentBareString ) , "]" ;
 *   Transformer     = TransformerName , "(" , TransformerArg , { "," , TransformerArg } , ")" ,
 *                     [ FieldArgument ] ;
 *   TransformerArg  = Number | QuotedString | TransformerList | Transformer | Field ;
 *   TransformerList = "(" , [ ListArg , { "," , ListArg } ] , ")" ;
 *   ListArg         = Field | Transformer | QuotedString | Number ;
 *   TransformerOrVal = Transformer | "val(" , Field , ")" , [ FieldArgument ] ;
 *
 *   NumberOperator  = "<=" | "<" | ">=" | ">" ;
 *   StringOperator  = "==" | "=" | "!=" | "glob " | "iglob " | "contains " | "icontains "
 *                   | "bcontains " | "startswith " | "bstartswith " | "endswith " | "regex " ;
 *   Modifier        = "oneof " | "anyof " | "allof " ;
 *   ListOperator    = "intersects" | "in" | "pmatch" ;
 *   TransformerName = "tolower" | "toupper" | "b64" | "basename" | "len" | "join" | "concat"
 *                   | "getopt" ;                        (no blank before the "(")
 *
 * Tokens:
 *   Identifier         = letter , { letter | digit | "_" } ;
 *   FieldName          = Identifier , ( "." , Identifier )+ ;
 *   Number             = "0" , ( "x" | "X" ) , hexdigit+
 *                      | [ "+" | "-" ] , digit+ , [ "." ] , digit* ,
 *                        [ ( "e" | "E" ) , ( "+" | "-" ) , digit+ ] ;
 *   QuotedString       = '"' ... '"' | "'" ... "'" ;   (a quote after a backslash never closes)
 *   BareString         = any characters but ( ) " ' = , and POSIX space ;
 *   ArgumentBareString = any characters but [ ] " ' and POSIX space ;
 *
 * Look-ahead rules that the EBNF alone does not fix:
 *   - A modifier applies only when a blank separates it from the string operator (word
 *     operators already end with one), a blank follows it, a "(" or an identifier comes next,
 *     and that identifier is not the word `and`, `or` or `not`. Otherwise the modifier word is
 *     an ordinary bare string value, as in `proc.name == oneof and ...`.
 *   - A list whose first item fails to lex (or fails any way at all) is read as empty, so it
 *     must close right there; later items report their own errors.
 *   - Keywords are matched as prefixes: `a and_b` fails after `and`, as in libsinsp.
 *
 * Recursion depth is capped (100 by default); past it the parse fails with libsinsp's
 * `exceeded max depth limit of N` message instead of exhausting the stack.
 */
import type { Expr, FieldExpr, Position, ValueExpr } from './ast.js';
import { Scanner, SyntaxFailure } from './lexer.js';

/** A parse failure: libsinsp's message and the position where the parser stopped. */
interface ParseError {
  message: string;
  position: Position;
}

/** The tree of an accepted condition, or the first syntax error. */
export type ParseResult = { ok: true; ast: Expr } | { ok: false; error: ParseError };

const unaryOperators = ['exists'];
const numberOperators = ['<=', '<', '>=', '>'];
const stringOperators = [
  '==',
  '=',
  '!=',
  'glob ',
  'iglob ',
  'contains ',
  'icontains ',
  'bcontains ',
  'startswith ',
  'bstartswith ',
  'endswith ',
  'regex ',
];
const stringModifiers = ['oneof ', 'anyof ', 'allof '];
const listOperators = ['intersects', 'in', 'pmatch'];
const transformerOpenings = [
  'tolower(',
  'toupper(',
  'b64(',
  'basename(',
  'len(',
  'join(',
  'concat(',
  'getopt(',
];

function quotedList(items: readonly string[]): string {
  return items.map((item) => `'${item.trim()}'`).join(', ');
}

const allOperators = [...unaryOperators, ...numberOperators, ...stringOperators, ...listOperators];
const transformerNames = ['val(', ...transformerOpenings].map((name) => name.slice(0, -1));
const expectedOperator = `expected a valid check operator: one of ${quotedList(allOperators)}`;
const withTransformer = `a field with a valid transformer: ${quotedList(transformerNames)}`;

/**
 * Parses a whole condition (trailing text is an error) into an AST.
 *
 * Never throws for bad input: every syntax error, including nesting deeper than `maxDepth`,
 * comes back as `{ ok: false }` with libsinsp's message and position. Positions count UTF-16
 * code units of `text`; libsinsp counts UTF-8 bytes, so they differ only after non-ASCII text.
 * @param options.maxDepth recursion cap, as libsinsp's `set_max_depth` (default 100)
 * @throws RangeError when `maxDepth` is not an integer from 0 to 2^32 - 1
 * @example
 * const result = parseCondition('proc.name in (bash, sh) and not user.name = root');
 * if (!result.ok) console.log(result.error.position.column, result.error.message);
 */
export function parseCondition(text: string, options: { maxDepth?: number } = {}): ParseResult {
  const maxDepth = options.maxDepth ?? 100;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 0xffffffff) {
    throw new RangeError(`maxDepth must be an integer from 0 to 4294967295, got ${maxDepth}`);
  }
  const scanner = new Scanner(text);
  try {
    return { ok: true, ast: new ConditionParser(scanner, maxDepth).parse() };
  } catch (error) {
    if (error instanceof SyntaxFailure) {
      // libsinsp's message is a C string: a NUL quoted from the input ends it.
      const message = error.message.split('\0', 1)[0];
      return { ok: false, error: { message, position: scanner.position() } };
    }
    // Only a huge maxDepth lets the recursion reach the engine's stack limit.
    if (error instanceof RangeError) {
      const message = `exceeded the parser's stack before the max depth limit of ${maxDepth}`;
      return { ok: false, error: { message, position: scanner.position() } };
    }
    throw error;
  }
}

/**
 * One recursive-descent parse. Method names and the order of their look-aheads mirror
 * libsinsp's parser, since that order decides which of two readings wins.
 */
class ConditionParser {
  private depth = 0;

  constructor(
    private readonly scanner: Scanner,
    private readonly maxDepth: number,
  ) {}

  parse(): Expr {
    const text = this.scanner.text;
    if (text.length === 0) throw new SyntaxFailure('filter input string is empty');
    const result = this.parseOr();

    // A depth error swallowed inside a list leaves the count raised, as in libsinsp.
    if (this.depth > 0) throw new SyntaxFailure('parser fatal error: recursion is unbalanced');
    if (this.scanner.index !== text.length) {
      const last = this.scanner.lastToken;
      throw new SyntaxFailure(`unexpected token after '${last}', expecting 'or', 'and'`);
    }
    return result;
  }

  /**
   * Runs `body` one level deeper. The level is counted before the check and not given back
   * when the check fails, exactly like libsinsp's depth guard.
   */
  private nested<T>(body: () => T): T {
    if (++this.depth >= this.maxDepth) {
      throw new SyntaxFailure(`exceeded max depth limit of ${this.maxDepth}`);
    }
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  private parseOr(): Expr {
    return this.nested(() => this.parseJunction('or', () => this.parseAnd()));
  }

  private parseAnd(): Expr {
    return this.nested(() => this.parseJunction('and', () => this.parseNot()));
  }

  /** Children joined by `keyword`; one child is returned as is. */
  private parseJunction(keyword: 'and' | 'or', parseChild: () => Expr): Expr {
    const s = this.scanner;
    const position = s.position();
    s.lexBlank();
    const children = [parseChild()];
    s.lexBlank();
    while (s.lexString(keyword)) {
      if (s.lexBlank()) {
        children.push(parseChild());
      } else if (s.lexString('(')) {
        children.push(this.parseEmbeddedRemainder());
      } else {
        throw new SyntaxFailure(`expected blank or '(' after '${keyword}'`);
      }
      s.lexBlank();
    }
    return children.length > 1 ? { kind: keyword, children, position } : children[0];
  }

  private parseNot(): Expr {
    return this.nested(() => {
      const s = this.scanner;
      const position = s.position();
      let negated = false;
      s.lexBlank();
      while (s.lexNotBlank()) negated = !negated;

      let child: Expr;
      if (s.lexString('not(')) {
        negated = !negated;
        child = this.parseEmbeddedRemainder();
      } else {
        child = this.parseCheck();
      }
      return negated ? { kind: 'not', child, position } : child;
    });
  }

  /** The rest of `( Or )` once the `(` is consumed. */
  private parseEmbeddedRemainder(): Expr {
    return this.nested(() => {
      const s = this.scanner;
      s.lexBlank();
      const child = this.parseOr();
      s.lexBlank();
      if (!s.lexString(')')) throw new SyntaxFailure("expected a ')' token");
      return child;
    });
  }

  private parseCheck(): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      const position = s.position();
      s.lexBlank();
      if (s.lexString('(')) return this.parseEmbeddedRemainder();
      if (s.lexFieldName()) {
        const left = this.parseFieldRemainder(s.lastToken, position);
        return this.parseComparison(left, position);
      }
      if (s.lexFirstOf(transformerOpenings)) {
        s.lexBlank();
        const left = this.parseTransformerRemainder(s.lastToken.slice(0, -1), position);
        return this.parseComparison(left, position);
      }
      if (s.lexIdentifier()) return { kind: 'identifier', identifier: s.lastToken, position };
      throw new SyntaxFailure("expected a '(' token, a field check, or an identifier");
    });
  }

  private parseFieldRemainder(field: string, position: Position): FieldExpr {
    return this.nested(() => {
      const argument = this.parseOptionalFieldArgument();
      return argument === undefined
        ? { kind: 'field', field, position }
        : { kind: 'field', field, argument, position };
    });
  }

  private parseOptionalFieldArgument(): string | undefined {
    const s = this.scanner;
    if (!s.lexString('[')) return undefined;
    if (!s.lexQuotedString() && !s.lexFieldArgumentBareString()) {
      throw new SyntaxFailure('expected a valid field argument: a quoted string or a bare string');
    }
    const argument = s.lastToken;
    if (!s.lexString(']')) throw new SyntaxFailure("expected a ']' token");
    return argument;
  }

  /** The arguments and `)` of a transformer whose name and `(` are consumed. */
  private parseTransformerRemainder(transformer: string, position: Position): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      const values: Expr[] = [];
      do {
        values.push(this.parseTransformerArgument(s.position()));
        s.lexBlank();
      } while (s.lexString(','));

      s.lexBlank();
      if (!s.lexString(')')) {
        throw new SyntaxFailure("expected a ')' token closing the transformer");
      }
      return this.transformerNode(transformer, values, position);
    });
  }

  private transformerNode(transformer: string, values: Expr[], position: Position): Expr {
    const argument = this.parseOptionalFieldArgument();
    return argument === undefined
      ? { kind: 'field_transformer', transformer, values, position }
      : { kind: 'field_transformer', transformer, values, argument, position };
  }

  /** One transformer argument; it takes the position from before its leading blanks. */
  private parseTransformerArgument(position: Position): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      if (s.lexHexNumber() || s.lexNumber() || s.lexQuotedString()) {
        return { kind: 'value', value: s.lastToken, position };
      }
      if (s.lexString('(')) return this.parseTransformerList(position);
      if (s.lexFirstOf(transformerOpenings)) {
        return this.parseTransformerRemainder(s.lastToken.slice(0, -1), position);
      }
      if (s.lexFieldName()) return this.parseFieldRemainder(s.lastToken, position);
      throw new SyntaxFailure(
        'expected field transformer argument: ' +
          'field, transformer, quoted string, number, or transformer list',
      );
    });
  }

  /** A transformer list once its `(` is consumed; every item shares the list's position. */
  private parseTransformerList(position: Position): Expr {
    const s = this.scanner;
    const children: Expr[] = [];
    s.lexBlank();
    if (s.lexString(')')) return { kind: 'transformer_list', children, position };

    children.push(this.parseTransformerListArgument(position));
    s.lexBlank();
    while (s.lexString(',')) {
      s.lexBlank();
      children.push(this.parseTransformerListArgument(position));
      s.lexBlank();
    }
    if (!s.lexString(')')) throw new SyntaxFailure("expected ')'");
    return { kind: 'transformer_list', children, position };
  }

  private parseTransformerListArgument(position: Position): Expr {
    const s = this.scanner;
    if (s.lexFieldName()) return this.parseFieldRemainder(s.lastToken, position);
    if (s.lexFirstOf(transformerOpenings)) {
      s.lexBlank();
      return this.parseTransformerRemainder(s.lastToken.slice(0, -1), position);
    }
    if (s.lexQuotedString() || s.lexHexNumber() || s.lexNumber()) {
      return { kind: 'value', value: s.lastToken, position };
    }
    throw new SyntaxFailure(
      'expected transformer list argument: field, transformer, quoted string, or number',
    );
  }

  /** The operator and right-hand side after a check's left side. */
  private parseComparison(left: Expr, position: Position): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      if (s.lexOperator(unaryOperators)) {
        return { kind: 'unary_check', left, operator: s.lastToken, position };
      }
      s.lexBlank();

      let operator: string;
      let right: Expr;
      if (s.lexOperator(numberOperators)) {
        operator = s.lastToken;
        right = this.parseNumberValueOrTransformer();
      } else if (s.lexOperator(stringOperators)) {
        [operator, right] = this.parseStringOperatorRight(s.lastToken);
      } else if (s.lexOperator(listOperators)) {
        operator = s.lastToken;
        right = this.parseListValueOrTransformer();
      } else {
        throw new SyntaxFailure(expectedOperator);
      }
      return { kind: 'binary_check', left, operator, right, position };
    });
  }

  /**
   * The right side of a string operator, with or without a `oneof`/`anyof`/`allof` modifier
   * (see the look-ahead rules at the top of this file).
   */
  private parseStringOperatorRight(operator: string): [string, Expr] {
    const s = this.scanner;

    // Word operators consumed their blank already; symbol operators still need one.
    const hadBlank = /^[a-z]/.test(operator) || s.lexBlank();
    const saved = s.save();
    if (
      hadBlank &&
      s.lexOperator(stringModifiers) &&
      s.isListValueAhead() &&
      !s.isBoolKeywordAhead()
    ) {
      return [`${operator} ${s.lastToken}`, this.parseListValue()];
    }
    s.restore(saved);
    return [operator, this.parseStringValueOrTransformer(true)];
  }

  private parseNumberValueOrTransformer(): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      const position = s.position();
      const transformer = this.tryParseTransformerOrVal();
      if (transformer) return transformer;
      if (s.lexHexNumber() || s.lexNumber()) {
        return { kind: 'value', value: s.lastToken, position };
      }
      throw new SyntaxFailure(`expected a number value or ${withTransformer}`);
    });
  }

  private parseStringValueOrTransformer(allowTransformer: boolean): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      const position = s.position();
      if (allowTransformer) {
        const transformer = this.tryParseTransformerOrVal();
        if (transformer) return transformer;
      }
      if (s.lexQuotedString() || s.lexBareString()) {
        return { kind: 'value', value: s.lastToken, position };
      }
      if (!allowTransformer) throw new SyntaxFailure('expected a string value');
      throw new SyntaxFailure(`expected a string value or ${withTransformer}`);
    });
  }

  /** A plain value inside a list: a quoted or bare string. */
  private parseListItem(): string {
    return (this.parseStringValueOrTransformer(false) as ValueExpr).value;
  }

  private tryParseList(): Expr | undefined {
    const s = this.scanner;
    const position = s.position();
    if (!s.lexString('(')) return undefined;

    const values: string[] = [];
    s.lexBlank();
    let first: string | undefined;
    try {
      first = this.parseListItem();
    } catch (error) {
      // Any failure on the first item, even a bad escape or the depth limit, means "empty".
      if (!(error instanceof SyntaxFailure)) throw error;
    }
    if (first !== undefined) {
      values.push(first);
      s.lexBlank();
      while (s.lexString(',')) {
        values.push(this.parseListItem());
        s.lexBlank();
      }
    }
    if (!s.lexString(')')) throw new SyntaxFailure("expected a ')' token");
    return { kind: 'list', values, position };
  }

  /** The right side after a modifier: a list or a list name; never a transformer. */
  private parseListValue(): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      const position = s.position();
      const list = this.tryParseList();
      if (list) return list;
      if (s.lexIdentifier()) return { kind: 'value', value: s.lastToken, position };
      throw new SyntaxFailure('expected a list or an identifier');
    });
  }

  private parseListValueOrTransformer(): Expr {
    return this.nested((): Expr => {
      const s = this.scanner;
      s.lexBlank();
      const position = s.position();
      const found = this.tryParseList() ?? this.tryParseTransformerOrVal();
      if (found) return found;
      if (s.lexIdentifier()) return { kind: 'value', value: s.lastToken, position };
      throw new SyntaxFailure(`expected a list, an identifier, or ${withTransformer}`);
    });
  }

  /** A transformer or `val(field)` on the right-hand side, or undefined if none starts here. */
  private tryParseTransformerOrVal(): Expr | undefined {
    return this.nested((): Expr | undefined => {
      const s = this.scanner;
      s.lexBlank();
      const position = s.position();
      if (s.lexString('val(')) {
        s.lexBlank();
        const fieldPosition = s.position();
        if (!s.lexFieldName()) throw new SyntaxFailure("expected a field within 'val' transformer");
        const field = this.parseFieldRemainder(s.lastToken, fieldPosition);
        s.lexBlank();
        if (!s.lexString(')')) {
          throw new SyntaxFailure("expected a ')' token closing the transformer");
        }
        return this.transformerNode('val', [field], position);
      }
      if (s.lexFirstOf(transformerOpenings)) {
        s.lexBlank();
        return this.parseTransformerRemainder(s.lastToken.slice(0, -1), position);
      }
      return undefined;
    });
  }
}
