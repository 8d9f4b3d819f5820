/**
 * Typed reads from the YAML tree of `harrier.yaml`. Each read checks the node's type and
 * records a diagnostic naming the key and its line when it is wrong, so one pass reports
 * every problem in the file.
 */
import { isMap, isScalar, isSeq, parse, type LineCounter, type Node, type Scalar } from 'yaml';
import {
  parsePriority,
  type ConfigPlace,
  type PlacedText,
  type Priority,
} from '../detect/index.js';
import type { ConfigCode, ConfigDiagnostic } from './diagnostic.js';
import { parseByteSize, parseDuration } from './duration.js';

/** A mapping's entries by key text. */
export type Entries = Map<string, { key: Scalar; value: Node | null }>;

/** The longest wait a Node timer keeps: 2^31 - 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ConfigReader {
  readonly diagnostics: ConfigDiagnostic[] = [];

  /**
   * @param fromEnvironment nodes set by environment overrides, with the variable's name.
   * @param environment for `${VAR}` references in string values.
   */
  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly fromEnvironment: Map<Node, string>,
    private readonly environment: Readonly<Record<string, string | undefined>>,
  ) {}

  /** Records an error at `node` (its line and column), naming `key`. */
  error(
    node: Node | null | undefined,
    key: string,
    message: string,
    code: ConfigCode = 'HARRIER_CONFIG_INVALID',
  ): void {
    this.record('error', node, key, message, code);
  }

  /** Records a warning at `node`: printed, but the configuration is still used. */
  warning(node: Node | null | undefined, key: string, message: string, code: ConfigCode): void {
    this.record('warning', node, key, message, code);
  }

  /** Whether an error was recorded (warnings aside). */
  get failed(): boolean {
    return this.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  }

  /** Records an error at `place` (see `placed`), naming `key`. */
  errorAt(place: ConfigPlace, key: string, message: string): void {
    const { file, line, column, snippet, note } = place;
    const suffix = note === '' ? '' : ` (${note})`;
    const diagnostic = { file, line, column, snippet, key, message: message + suffix };
    this.diagnostics.push({ code: 'HARRIER_CONFIG_INVALID', severity: 'error', ...diagnostic });
  }

  /**
   * `text`, the value read from scalar `node`, with the place of each character: exact when
   * the file holds the value as it is (plain, or quoted without escapes), else the scalar's
   * start with a note saying so.
   */
  placed(node: Scalar, text: string): PlacedText {
    const variable = this.fromEnvironment.get(node);
    const start = node.range?.[0] ?? 0;
    const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    const exact = this.text.slice(start + quote, start + quote + text.length) === text;
    const at = (offset: number, note: string): ConfigPlace => {
      if (variable !== undefined || node.range === undefined) {
        const origin = variable === undefined ? '' : `set by environment variable ${variable}`;
        return { file: this.file, line: 0, column: 0, snippet: '', note: origin };
      }
      const { line, col } = this.lines.linePos(offset);
      const snippet = this.text.split('\n')[line - 1] ?? '';
      return { file: this.file, line, column: col, snippet, note };
    };
    return {
      text,
      locate: (index) =>
        exact ? at(start + quote + index, '') : at(start, 'column is the start of the value'),
    };
  }

  private record(
    severity: ConfigDiagnostic['severity'],
    node: Node | null | undefined,
    key: string,
    message: string,
    code: ConfigCode,
  ): void {
    const variable = node ? this.fromEnvironment.get(node) : undefined;
    if (variable !== undefined || !node?.range) {
      const suffix = variable === undefined ? '' : ` (set by environment variable ${variable})`;
      this.diagnostics.push({
        code,
        severity,
        message: message + suffix,
        file: this.file,
        line: 0,
        column: 0,
        snippet: '',
        key,
      });
      return;
    }
    const { line, col } = this.lines.linePos(node.range[0]);
    const snippet = this.text.split('\n')[line - 1] ?? '';
    this.diagnostics.push({
      code,
      severity,
      message,
      file: this.file,
      line,
      column: col,
      snippet,
      key,
    });
  }

  /** The entries of a mapping; unknown keys (not in `known`) are reported. */
  mapping(
    node: Node | null | undefined,
    key: string,
    known?: readonly string[],
  ): Entries | undefined {
    if (!isMap(node)) {
      this.error(node, key, `expected a mapping for '${key}', found ${describeNode(node)}`);
      return undefined;
    }
    const entries: Entries = new Map();
    for (const pair of node.items) {
      // Keys added by environment overrides are plain strings, not scalar nodes.
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key ?? '');
      const child = join(key, name);
      if (known !== undefined && !known.includes(name)) {
        const hint = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
        this.error(
          // A key an environment override added is a plain string; its value names the variable.
          isScalar(pair.key) ? pair.key : (pair.value as Node | null),
          child,
          `unknown key '${name}'${hint}`,
          'HARRIER_CONFIG_UNKNOWN_KEY',
        );
        continue;
      }
      entries.set(name, { key: pair.key as Scalar, value: pair.value as Node | null });
    }
    return entries;
  }

  /** The items of a sequence. */
  sequence(node: Node | null | undefined, key: string): (Node | null)[] | undefined {
    if (isSeq(node)) return node.items as (Node | null)[];
    this.error(node, key, `expected a list for '${key}', found ${describeNode(node)}`);
    return undefined;
  }

  /** A string; numbers and booleans are not taken as strings. `${VAR}` references are expanded. */
  string(node: Node | null | undefined, key: string): string | undefined {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.error(node, key, `expected a string for '${key}', found ${describeNode(node)}`);
      return undefined;
    }
    return this.expand(node, key, node.value);
  }

  /** A number from `minimum` to `maximum` (inclusive); `integer` refuses fractions. */
  number(
    node: Node | null | undefined,
    key: string,
    minimum = 0,
    { maximum = Number.POSITIVE_INFINITY, integer = false } = {},
  ): number | undefined {
    const value = isScalar(node) && typeof node.value === 'number' ? node.value : undefined;
    if (value === undefined || value < minimum || value > maximum) {
      const range = Number.isFinite(maximum)
        ? `from ${minimum} to ${maximum}`
        : `of at least ${minimum}`;
      const what = integer ? 'a whole number' : 'a number';
      this.error(node, key, `expected ${what} ${range} for '${key}', found ${describeNode(node)}`);
      return undefined;
    }
    if (integer && !Number.isInteger(value)) {
      this.error(node, key, `expected a whole number for '${key}', found ${describeNode(node)}`);
      return undefined;
    }
    return value;
  }

  boolean(node: Node | null | undefined, key: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.error(node, key, `expected true or false for '${key}', found ${describeNode(node)}`);
    return undefined;
  }

  /** A list of strings; a single string is taken as a list of one. */
  strings(node: Node | null | undefined, key: string): string[] | undefined {
    if (isScalar(node) && typeof node.value === 'string') return [this.string(node, key) ?? ''];
    const items = this.sequence(node, key);
    if (items === undefined) return undefined;
    const values = items.map((item, index) => this.string(item, `${key}[${index}]`));
    return values.every((value) => value !== undefined) ? (values as string[]) : undefined;
  }

  /** A mapping of strings to strings (headers, labels). */
  stringMap(node: Node | null | undefined, key: string): Record<string, string> | undefined {
    const entries = this.mapping(node, key);
    if (entries === undefined) return undefined;
    const result: Record<string, string> = {};
    for (const [name, entry] of entries) {
      const value = this.string(entry.value, join(key, name));
      if (value !== undefined) result[name] = value;
    }
    return result;
  }

  oneOf<T extends string>(
    node: Node | null | undefined,
    key: string,
    values: readonly T[],
  ): T | undefined {
    const text = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    if (text !== undefined && (values as readonly string[]).includes(text)) return text as T;
    this.error(
      node,
      key,
      `expected one of ${values.join(', ')} for '${key}', found ${describeNode(node)}`,
    );
    return undefined;
  }

  priority(node: Node | null | undefined, key: string): Priority | undefined {
    const text = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    const priority = text === undefined ? undefined : parsePriority(text);
    if (priority === undefined) {
      this.error(
        node,
        key,
        `expected a priority (emergency ... debug) for '${key}', found ${describeNode(node)}`,
      );
    }
    return priority;
  }

  /**
   * Milliseconds from `10s`, `5m` ... or a number of seconds. `limits.positive` refuses 0;
   * `limits.timer` refuses more than a timer can wait (about 24.8 days: Node fires a longer
   * `setTimeout` at once, so a `timeout: 999d` would abort every send).
   */
  duration(
    node: Node | null | undefined,
    key: string,
    limits: { positive?: boolean; timer?: boolean } = {},
  ): number | undefined {
    const raw =
      isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
        ? node.value
        : undefined;
    const ms = raw === undefined ? undefined : parseDuration(raw);
    if (ms === undefined) {
      this.error(
        node,
        key,
        `expected a duration like 30s, 5m or 7d for '${key}', found ${describeNode(node)}`,
      );
    } else if (limits.positive && ms === 0) {
      this.error(
        node,
        key,
        `expected a duration above 0 for '${key}', found ${describeNode(node)}`,
      );
      return undefined;
    } else if (limits.timer && ms > MAX_TIMER_MS) {
      this.error(
        node,
        key,
        `expected a duration of at most 24d for '${key}' (the longest a timer waits), found ${describeNode(node)}`,
      );
      return undefined;
    }
    return ms;
  }

  /** Bytes from `100MB`, `10KB` ... or a number. */
  byteSize(node: Node | null | undefined, key: string): number | undefined {
    const raw =
      isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
        ? node.value
        : undefined;
    const bytes = raw === undefined ? undefined : parseByteSize(raw);
    if (bytes === undefined)
      this.error(
        node,
        key,
        `expected a size like 512KB or 100MB for '${key}', found ${describeNode(node)}`,
      );
    return bytes;
  }

  /**
   * `${NAME}` replaced by the variable, and `$${` by a literal `${`, as Falco's configuration
   * reads them. An unset variable is an error (Falco reads it as empty), and so is a `${` that
   * starts no `${NAME}` (`${X:-default}`), which Falco would drop.
   */
  private expand(node: Node, key: string, text: string): string | undefined {
    let problem: string | undefined;
    const expanded = text.replace(REFERENCE, (whole, name: string | undefined) => {
      if (whole === '$${') return '${';
      if (name === undefined) {
        problem ??= `'${key}' has a \${ that starts no \${NAME} reference (write $\${ for a literal \${)`;
        return whole;
      }
      const value = this.environment[name];
      if (value === undefined)
        problem ??= `environment variable ${name} referenced by '${key}' is not set`;
      return value ?? '';
    });
    if (problem === undefined) return expanded;
    this.error(node, key, problem, 'HARRIER_CONFIG_ENV');
    return undefined;
  }
}

/** An escaped `$${`, a `${NAME}` reference, or a `${` that starts neither. */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{/g;

/** `parent.child`, or `child` at the top. */
export function join(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** How a message names what was found: `'text'`, `5`, `a list`, `nothing` ... */
export function describeNode(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    if (typeof node.value !== 'string') return String(node.value);
    // A quoted `"false"` or `"5"` is text: saying only `'false'` would read as a contradiction.
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const unquoted = quoted ? unquotedMeaning(node.value) : undefined;
    return unquoted === undefined
      ? `'${node.value}'`
      : `the string '${node.value}' (quoted, so not ${unquoted})`;
  }
  return 'an alias';
}

/** What `text` would be without quotes when that is no string: `the boolean false`, `null`. */
function unquotedMeaning(text: string): string | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  if (value === null) return text.trim() === '' ? undefined : 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return `the ${typeof value} ${text}`;
  return undefined;
}
