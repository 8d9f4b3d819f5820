/**
 * Mutated rule files for fuzzing the loader: real rule text with edits that break YAML,
 * conditions, lists and keys in the ways people do (and worse). Used by the fuzz test and
 * `src/bench/fuzz-rules.ts`.
 * @internal
 */
import fc from 'fast-check';
import { diagnosticCodes } from '../../engine/index.js';
import { loadRuleFiles } from './loader.js';

/** Characters that matter to YAML or to conditions. */
const SPECIAL = [...'()[]{}:,-"\'\\\n >|&*!%#=<$.'];
const WORDS = [
  'and',
  'or',
  'not',
  'in',
  'exists',
  'append: true',
  'override:',
  'condition: append',
  'items: [',
  'evt.type',
  'proc.name',
  '- macro: m',
  '- list: l',
  '- rule: r',
  '<NA>',
  'oneof',
  'val(',
  'tolower(',
];

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...SPECIAL),
      fc.constantFrom(...WORDS),
      fc.string({ maxLength: 8 }),
    ),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyEdit(text: string, edit: Edit): string {
  const at = text.length === 0 ? 0 : edit.at % (text.length + 1);
  switch (edit.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + edit.length);
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'duplicate':
      return text.slice(0, at) + text.slice(at, at + edit.length) + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
  }
}

/** A window of `source` (whole items at most ~120 lines) with up to six edits applied. */
export function mutatedRuleText(sources: readonly string[]): fc.Arbitrary<string> {
  return fc
    .record({
      source: fc.integer({ min: 0, max: Math.max(0, sources.length - 1) }),
      start: fc.nat(),
      lines: fc.integer({ min: 5, max: 120 }),
      edits: fc.array(editArbitrary, { maxLength: 6 }),
    })
    .map(({ source, start, lines, edits }) => {
      const all = (sources[source] ?? '').split('\n');
      // Start at an item boundary: a window cut mid-item mostly tests the YAML parser.
      const itemStarts = all.flatMap((line, index) => (line.startsWith('- ') ? [index] : []));
      const first = itemStarts.length === 0 ? 0 : (itemStarts[start % itemStarts.length] ?? 0);
      const window = all.slice(first, first + lines).join('\n');
      return edits.reduce(applyEdit, window);
    });
}

/**
 * Loads `text` and checks the result is only diagnostics: no exception, known codes,
 * positions inside the file. Throws (for the property to fail) otherwise.
 */
export function checkLoadIsClean(text: string): void {
  const result = loadRuleFiles([{ name: 'fuzz.yaml', content: text }]);
  const lines = text.split('\n').length;
  for (const diagnostic of result.diagnostics) {
    if (!(diagnostic.code in diagnosticCodes)) throw new Error(`unknown code ${diagnostic.code}`);
    if (diagnostic.file !== 'fuzz.yaml') throw new Error(`wrong file ${diagnostic.file}`);
    if (diagnostic.line < 1 || diagnostic.line > lines || diagnostic.column < 1) {
      throw new Error(
        `position ${diagnostic.line}:${diagnostic.column} outside the file (${lines} lines)`,
      );
    }
    if (diagnostic.message === '') throw new Error(`empty message for ${diagnostic.code}`);
  }
  const hasError = result.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  if (hasError === (result.ruleSet !== undefined))
    throw new Error('ruleset present despite errors, or missing without');
}
