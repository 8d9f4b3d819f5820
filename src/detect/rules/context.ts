/**
 * Where a problem is: the file, an offset into it, and the chain of items that lead there
 * (`rule 'X' > exception 'y' > values`). Also the report that collects diagnostics, and the
 * exception the reader and compiler throw to abandon one item.
 * @internal
 */
import type { Diagnostic, DiagnosticCode, ErrorCode, WarningCode } from '../../engine/index.js';

/** Falco's item kinds, spelt as Falco prints them. */
export type ItemKind =
  | 'value for'
  | 'exceptions'
  | 'exception'
  | 'exception values'
  | 'exception value'
  | 'rules content'
  | 'rules content item'
  | 'required_engine_version'
  | 'required plugin versions'
  | 'required plugin versions entry'
  | 'required plugin versions alternative'
  | 'list'
  | 'list item'
  | 'macro'
  | 'macro condition'
  | 'rule'
  | 'rule condition'
  | 'condition expression'
  | 'rule output'
  | 'rule priority'
  | 'overrides';

/** One rule file's text, with a table of line starts for offset lookups. */
export class SourceFile {
  readonly lineStarts: number[] = [0];

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  /** 1-based line and column of an offset (clamped into the text). */
  lineColumn(offset: number): { line: number; column: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: clamped - (this.lineStarts[low] ?? 0) + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

export interface Location {
  kind: ItemKind;
  name: string;
  offset: number;
}

/** A chain of locations from the file down to the item at hand. Immutable. */
export class ItemContext {
  private constructor(
    readonly file: SourceFile,
    readonly locations: readonly Location[],
    /** Set when the offset only approximates the place (quoted scalars); shown in the path. */
    readonly note: string,
  ) {}

  /** The root context of a file. */
  static root(file: SourceFile): ItemContext {
    return new ItemContext(file, [{ kind: 'rules content', name: '', offset: 0 }], '');
  }

  /** A context one level down. */
  child(kind: ItemKind, name: string, offset: number): ItemContext {
    return new ItemContext(this.file, [...this.locations, { kind, name, offset }], '');
  }

  /** The same chain pointing at another offset of the same item. */
  at(offset: number, note = ''): ItemContext {
    const last = this.locations[this.locations.length - 1];
    if (last === undefined) return this;
    return new ItemContext(this.file, [...this.locations.slice(0, -1), { ...last, offset }], note);
  }

  /**
   * This context seen from `parent`: same file and offset, but the chain continues the
   * parent's, e.g. `rule 'R' > condition > macro 'm' > condition` for a macro a rule uses.
   */
  under(parent: ItemContext): ItemContext {
    return new ItemContext(this.file, [...parent.locations, ...this.locations.slice(1)], this.note);
  }

  get offset(): number {
    return this.locations[this.locations.length - 1]?.offset ?? 0;
  }

  /** Builds the diagnostic for a message at this context. */
  diagnose(code: DiagnosticCode, severity: 'error' | 'warning', message: string): Diagnostic {
    const { line, column } = this.file.lineColumn(this.offset);
    const item = this.locations[1] ?? this.locations[0];
    return {
      code,
      severity,
      message,
      file: this.file.name,
      line,
      column,
      snippet: this.file.lineText(line),
      path: this.path(),
      itemType: item?.kind ?? '',
      itemName: item?.name ?? '',
    };
  }

  /** `rule 'X' > exception 'y' > values`, with the approximation note if any. */
  path(): string {
    const labels: string[] = [];
    for (const location of this.locations.slice(1)) {
      const label = locationLabel(location);
      if (label !== '' && labels[labels.length - 1] !== label) labels.push(label);
    }
    const path = labels.join(' > ');
    return this.note === '' ? path : `${path} (${this.note})`;
  }
}

function locationLabel({ kind, name }: Location): string {
  const quoted = name === '' ? '' : ` '${name}'`;
  switch (kind) {
    case 'rule':
    case 'macro':
    case 'list':
    case 'exception':
      return kind + quoted;
    case 'value for':
      return name;
    case 'rule condition':
    case 'macro condition':
    case 'condition expression':
      return 'condition';
    case 'rule output':
      return 'output';
    case 'rule priority':
      return 'priority';
    case 'exception values':
      return 'values';
    case 'exception value':
      return 'value';
    case 'list item':
      return 'item';
    case 'overrides':
      return name === '' ? 'override' : name;
    case 'required plugin versions':
      return 'required_plugin_versions';
    case 'required plugin versions entry':
      return `plugin${quoted}`;
    case 'required plugin versions alternative':
      return `alternative${quoted}`;
    case 'rules content item':
      return 'item';
    default:
      return kind;
  }
}

/** Thrown to abandon the item being read or compiled; the loader turns it into a diagnostic. */
export class ItemError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: ItemContext,
  ) {
    super(message);
  }
}

/** Throws an `ItemError` when `failed` holds. */
export function check(
  failed: boolean,
  message: string,
  context: ItemContext,
  code: ErrorCode = 'LOAD_ERR_YAML_VALIDATE',
): void {
  if (failed) throw new ItemError(code, message, context);
}

/**
 * The problems of one item's keys, read one key at a time so that a bad key does not hide
 * the problems of the keys after it.
 */
export class KeyProblems {
  private readonly errors: ItemError[] = [];

  /** Runs `read`; an `ItemError` it throws is kept, and undefined returned instead. */
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ItemError)) throw error;
      this.errors.push(error);
      return undefined;
    }
  }

  get isEmpty(): boolean {
    return this.errors.length === 0;
  }

  /**
   * Reports every problem and throws the first, which abandons the item; reported again by
   * the item's reader, it is dropped as an exact repeat.
   */
  throwAll(report: LoadReport): never {
    for (const error of this.errors) report.fromItemError(error);
    throw this.errors[0] ?? new RangeError('no problem to throw');
  }
}

/** Collects diagnostics in the order they are found, dropping exact repeats. */
export class LoadReport {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  error(code: ErrorCode, message: string, context: ItemContext): void {
    this.add(context.diagnose(code, 'error', message));
  }

  warning(code: WarningCode, message: string, context: ItemContext): void {
    this.add(context.diagnose(code, 'warning', message));
  }

  /** A diagnostic placed outside the rule files (the configuration's `append_output`). */
  addDiagnostic(diagnostic: Diagnostic): void {
    this.add(diagnostic);
  }

  fromItemError(error: ItemError): void {
    this.error(error.code, error.message, error.context);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  }

  private add(diagnostic: Diagnostic): void {
    const key = [
      diagnostic.code,
      diagnostic.message,
      diagnostic.file,
      diagnostic.line,
      diagnostic.column,
      diagnostic.path,
    ].join('\u0000');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(diagnostic);
  }
}
