/**
 * Load diagnostics: every error and warning a rule file can produce, with its place in the
 * file, the source line it points at, and the item it belongs to. Codes match Falco's
 * `LOAD_ERR_*` and `LOAD_*` codes one to one; problems Falco has no code for use `HARRIER_*`.
 */

/** Falco's error codes, plus Harrier's own. */
export type ErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT'
  | 'LOAD_ERR_VALIDATE'
  | 'LOAD_ERR_EXTENSION'
  | 'HARRIER_PLUGIN_VERSION';

/** Falco's warning codes, plus Harrier's own. */
export type WarningCode =
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_UNSAFE_NA_CHECK'
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNKNOWN_FILTER'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_ITEM'
  | 'LOAD_DEPRECATED_ITEM'
  | 'LOAD_WARNING_EXTENSION'
  | 'LOAD_APPEND_NO_VALUES'
  | 'LOAD_EXCEPTION_NAME_NOT_UNIQUE'
  | 'LOAD_INVALID_MACRO_NAME'
  | 'LOAD_INVALID_LIST_NAME'
  | 'LOAD_COMPILE_CONDITION'
  | 'LOAD_UNKNOWN_KEY'
  | 'HARRIER_FD_FIELD_WITHOUT_FD'
  | 'HARRIER_DUPLICATE_KEY'
  | 'HARRIER_APPEND_OUTPUT_NO_RULE';

export type DiagnosticCode = ErrorCode | WarningCode;

type Severity = 'error' | 'warning';

/** What a code means and what it costs the user, one line each. */
export interface CodeDescription {
  severity: Severity;
  meaning: string;
  cost: string;
}

const REJECTED = 'the whole ruleset is rejected and the running one stays in place';

/** Every code a load can report. */
export const diagnosticCodes: Readonly<Record<DiagnosticCode, CodeDescription>> = {
  LOAD_ERR_FILE_READ: {
    severity: 'error',
    meaning: 'a rule file could not be read (missing, no permission, not a file)',
    cost: REJECTED,
  },
  LOAD_ERR_YAML_PARSE: {
    severity: 'error',
    meaning: 'the file is not valid YAML',
    cost: REJECTED,
  },
  LOAD_ERR_YAML_VALIDATE: {
    severity: 'error',
    meaning:
      'the YAML has the wrong shape: not a list of maps, a required key missing, a value of the wrong type',
    cost: REJECTED,
  },
  LOAD_ERR_COMPILE_CONDITION: {
    severity: 'error',
    meaning: 'a condition does not parse, or names a field or operator its source does not have',
    cost: REJECTED,
  },
  LOAD_ERR_COMPILE_OUTPUT: {
    severity: 'error',
    meaning: 'an output format names an unknown field or is malformed',
    cost: REJECTED,
  },
  LOAD_ERR_VALIDATE: {
    severity: 'error',
    meaning:
      'an item is inconsistent: undefined macro, append without a base item, bad exception, version mismatch',
    cost: REJECTED,
  },
  LOAD_ERR_EXTENSION: {
    severity: 'error',
    meaning: 'an extension item is invalid',
    cost: REJECTED,
  },
  HARRIER_PLUGIN_VERSION: {
    severity: 'error',
    meaning: 'the rules require a plugin version that the configured plugins do not satisfy',
    cost: REJECTED,
  },
  LOAD_UNKNOWN_SOURCE: {
    severity: 'warning',
    meaning: 'a rule names an event source Harrier does not have',
    cost: 'the rule is skipped and never matches',
  },
  LOAD_UNSAFE_NA_CHECK: {
    severity: 'warning',
    meaning: "a condition compares a field with '<NA>'",
    cost: "the check may behave unexpectedly; 'exists' is the safe test",
  },
  LOAD_NO_EVTTYPE: {
    severity: 'warning',
    meaning: 'a syscall rule does not restrict evt.type, so it runs on (nearly) every event',
    cost: 'every event pays for this rule: a large slowdown',
  },
  LOAD_UNKNOWN_FILTER: {
    severity: 'warning',
    meaning: 'a rule with skip-if-unknown-filter names a field or event type that does not exist',
    cost: 'the rule is skipped and never matches',
  },
  LOAD_UNUSED_MACRO: {
    severity: 'warning',
    meaning: 'a macro is not used by any rule or macro',
    cost: 'none at run time; often a typo in a name',
  },
  LOAD_UNUSED_LIST: {
    severity: 'warning',
    meaning: 'a list is not used by any rule, macro or list',
    cost: 'none at run time; often a typo in a name',
  },
  LOAD_UNKNOWN_ITEM: {
    severity: 'warning',
    meaning: 'a top-level item is not a rule, macro, list or version requirement',
    cost: 'the item is ignored',
  },
  LOAD_DEPRECATED_ITEM: {
    severity: 'warning',
    meaning:
      "a deprecated key or field is used ('append: true', standalone 'enabled', evt.dir, ...)",
    cost: 'works today; a future release may reject it',
  },
  LOAD_WARNING_EXTENSION: {
    severity: 'warning',
    meaning: 'an extension item has a warning',
    cost: 'depends on the extension',
  },
  LOAD_APPEND_NO_VALUES: {
    severity: 'warning',
    meaning: 'an exception is appended or overridden without values',
    cost: 'the append adds nothing; often a misspelt values key',
  },
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: {
    severity: 'warning',
    meaning: 'a rule defines two exceptions with the same name',
    cost: 'both apply, but appends can only reach one of them',
  },
  LOAD_INVALID_MACRO_NAME: {
    severity: 'warning',
    meaning: 'a macro name is not an identifier, so no condition can refer to it',
    cost: 'the macro can never be used',
  },
  LOAD_INVALID_LIST_NAME: {
    severity: 'warning',
    meaning: 'a list name contains characters a condition cannot spell bare',
    cost: 'references to the list may not expand as expected',
  },
  LOAD_COMPILE_CONDITION: {
    severity: 'warning',
    meaning: 'a condition compiles but looks wrong, e.g. a field name used as a constant string',
    cost: 'the rule may not match what its author meant',
  },
  LOAD_UNKNOWN_KEY: {
    severity: 'warning',
    meaning: 'an item has a key Falco does not know',
    cost: 'the key is ignored; often a typo',
  },
  HARRIER_FD_FIELD_WITHOUT_FD: {
    severity: 'warning',
    meaning:
      'a syscall rule reads fd.* fields but every event type it can match has no fd, or only a directory fd, for the file it acts on',
    cost: 'those fd.* checks never see the file: the rule never fires, or fires on the wrong thing',
  },
  HARRIER_DUPLICATE_KEY: {
    severity: 'warning',
    meaning: 'a mapping repeats a key (Falco, through yaml-cpp, reads the first without a word)',
    cost: 'the later value is ignored; often an edit made to the wrong copy',
  },
  HARRIER_APPEND_OUTPUT_NO_RULE: {
    severity: 'warning',
    meaning:
      "an append_output entry's match.rule names no rule of the loaded files (Falco says nothing)",
    cost: 'the entry appends to no alert; usually a misspelt or renamed rule',
  },
};

/**
 * One problem found while loading rules. `line` and `column` are 1-based, or 0 for a problem
 * with the whole file (it could not be read); `snippet` is the source line they point into
 * ('' when there is none). `path` names the item chain, e.g.
 * `rule 'Shell in container' > condition`.
 */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  snippet: string;
  path: string;
  /** The top-level item as Falco names its type: `rule`, `macro`, `list`, ... ('' if none). */
  itemType: string;
  /** The top-level item's name ('' if none or unnamed). */
  itemName: string;
}

/** Widest snippet shown; longer lines are cut around the caret, as Falco cuts at 160. */
const SNIPPET_WIDTH = 160;

/**
 * Renders a diagnostic as text: a `file:line:col: severity CODE: message` header (`file:` alone
 * for a problem with the whole file), the source line with a caret under the column, and the
 * item path. Control characters are escaped.
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column, severity, code, message } = diagnostic;
  const place = line === 0 ? file : `${file}:${line}:${column}`;
  const lines = [`${place}: ${severity} ${code}: ${escapeControls(message)}`];
  if (diagnostic.snippet !== '') {
    const { text, caret } = cutSnippet(diagnostic.snippet, column - 1);
    const gutter = String(line).padStart(5);
    lines.push(`${gutter} | ${escapeControls(text)}`);
    lines.push(`${' '.repeat(gutter.length)} | ${caretPadding(text, caret)}^`);
  }
  if (diagnostic.path !== '') lines.push(`  in ${escapeControls(diagnostic.path)}`);
  return lines.join('\n');
}

/**
 * Control characters but tab (and the invisible line separators and bidi overrides) written
 * as `\xNN` or `\uNNNN`, so that a binary file never prints raw bytes to the terminal; so is
 * U+FFFD, which stands for a byte that is not UTF-8, to show the file is not text.
 */
export function escapeControls(text: string): string {
  return text.replace(INVISIBLE, escapeCharacter);
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/g;

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `diagnostics` in the order a reader of the files meets them: by file, then line, then
 * column. The loader finds them stage by stage (YAML and item checks of a file before its
 * conditions compile), so its own order jumps back and forth in a file. Files keep the order
 * of their first diagnostic: unreadable files first, then the others in load order. Returns a
 * new array; diagnostics at the same place keep the order found.
 */
export function inReadingOrder(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const fileRank = new Map<string, number>();
  for (const { file } of diagnostics) if (!fileRank.has(file)) fileRank.set(file, fileRank.size);
  const rank = (diagnostic: Diagnostic): number => fileRank.get(diagnostic.file) ?? 0;
  return [...diagnostics].sort(
    (first, second) =>
      rank(first) - rank(second) || first.line - second.line || first.column - second.column,
  );
}

/** The plain-object form used by `--json` outputs and the API. */
export function diagnosticToJson(diagnostic: Diagnostic): Record<string, unknown> {
  return { ...diagnostic, item: itemLabel(diagnostic) };
}

/** `rule 'name'`, `list 'name'`, or the bare type when the item has no name. */
function itemLabel(diagnostic: Diagnostic): string {
  if (diagnostic.itemType === '') return '';
  if (diagnostic.itemName === '') return diagnostic.itemType;
  return `${diagnostic.itemType} '${diagnostic.itemName}'`;
}

function cutSnippet(line: string, caret: number): { text: string; caret: number } {
  if (line.length <= SNIPPET_WIDTH) return { text: line, caret };
  const half = SNIPPET_WIDTH / 2;
  const from = Math.max(0, Math.min(caret - half, line.length - SNIPPET_WIDTH));
  let text = line.slice(from, from + SNIPPET_WIDTH);
  if (from > 0) text = '...' + text.slice(3);
  if (from + SNIPPET_WIDTH < line.length) text = text.slice(0, -3) + '...';
  return { text, caret: caret - from };
}

/**
 * `ORIGIN:LINE:COL: error: message`, then the text's line and a caret under the column, for
 * a condition or format given on the command line (no trailing newline).
 */
export function positionedErrorText(
  origin: string,
  text: string,
  line: number,
  column: number,
  message: string,
): string {
  const source = text.split('\n')[line - 1] ?? '';
  return [
    `${origin}:${line}:${column}: error: ${escapeControls(message)}`,
    `  ${escapeControls(source)}`,
    `  ${caretPadding(source, column - 1)}^`,
  ].join('\n');
}

/**
 * Spaces up to the caret in the escaped text: tabs kept so that the caret lines up under
 * tabbed text, and as many spaces as an escaped character takes.
 */
function caretPadding(text: string, caret: number): string {
  let padding = '';
  for (let i = 0; i < caret; i++) {
    const character = text[i] ?? ' ';
    padding += character === '\t' ? '\t' : ' '.repeat(escapeControls(character).length);
  }
  return padding;
}
