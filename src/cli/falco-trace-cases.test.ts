/**
 * Falco 0.34.1's regression entries that run rule files over the corpus's syscall trace files
 * (falco_tests.yaml, `trace_files/*.scap`), replayed through `harrier replay`'s capture side:
 * per entry, the alert count of every rule in `detect_counts`, an alert at every priority of
 * `detect_level`, and no alert at all for `detect: False`. Falco's `-o priority`, `-D`, `-T`
 * and `-t` options are applied through the loader and the ruleset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { loadRuleFilesFromDisk, parsePriority, type Priority } from '../detect/index.js';
import { corpusPath } from '../testing/corpus.js';
import { replay } from './replay.js';
import { expandRulePaths } from './rule-paths.js';

const TESTS = corpusPath('falco/tests-0.34.1');

interface FalcoEntry {
  detect?: boolean;
  detect_level?: string | string[];
  detect_counts?: Array<Record<string, number>>;
  rules_file?: string | string[];
  validate_rules_file?: string | string[];
  trace_file?: string;
  priority?: string;
  disabled_rules?: string[];
  disable_tags?: string[];
  run_tags?: string[];
  exit_status?: number;
  conf_file?: string;
}

/**
 * Entries on these trace files without a `detect` expectation, or that only validate rules
 * (`validate_rules_file`, Falco's -V, as `test_warnings`), check something a replay cannot
 * reproduce: the loader's validation messages and exit status (`invalid_*`, `skip_unknown_*`,
 * `engine_version_mismatch`, `validate_*`, covered by the loader's own tests), Falco's refusal
 * of -D/-T together with -t (`disabled_and_enabled_rules_*`), and Falco's simulated kernel
 * drops (`monitor_syscall_drops_*`, `simulate_drops`): a replay has no drops to count.
 */
const WITHOUT_DETECT = 39;

/** Falco's own rules, which entries without `rules_file` load: the corpus's stable rules. */
const FALCO_RULES = corpusPath('falco/rules/falco_rules.yaml');

function falcoEntries(): Array<[string, FalcoEntry]> {
  const document = parseDocument(readFileSync(path.join(TESTS, 'falco_tests.yaml'), 'utf8'));
  const root = document.toJS() as { trace_files: Record<string, FalcoEntry> };
  return Object.entries(root.trace_files).filter(
    ([, entry]) =>
      entry.trace_file?.startsWith('trace_files/') === true &&
      entry.detect !== undefined &&
      entry.validate_rules_file === undefined,
  );
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

async function runEntry(entry: FalcoEntry) {
  const named = asList(entry.rules_file).map((file) => path.join(TESTS, file));
  const files = await expandRulePaths(named.length > 0 ? named : [FALCO_RULES]);
  const minimumPriority = entry.priority === undefined ? undefined : parsePriority(entry.priority);
  const loaded = await loadRuleFilesFromDisk(files, { minimumPriority });
  const ruleSet = loaded.ruleSet;
  assert.ok(
    ruleSet,
    `rules failed to load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`,
  );
  for (const name of entry.disabled_rules ?? []) ruleSet.disable(name, 'substring');
  if (entry.disable_tags !== undefined) ruleSet.disableTags(entry.disable_tags);
  if (entry.run_tags !== undefined) {
    ruleSet.disable('*', 'wildcard');
    ruleSet.enableTags(entry.run_tags);
  }
  const byPriority = new Map<Priority, number>();
  const result = await replay([path.join(TESTS, entry.trace_file ?? '')], ruleSet, (alert) =>
    byPriority.set(alert.priority, (byPriority.get(alert.priority) ?? 0) + 1),
  );
  return { result, byPriority };
}

const entries = falcoEntries();

test('every Falco entry on the six trace files either runs here or checks no detection', () => {
  const onTraceFiles = Object.values(
    (
      parseDocument(readFileSync(path.join(TESTS, 'falco_tests.yaml'), 'utf8')).toJS() as {
        trace_files: Record<string, FalcoEntry>;
      }
    ).trace_files,
  ).filter((entry) => entry.trace_file?.startsWith('trace_files/') === true);
  assert.equal(entries.length, 62);
  assert.equal(onTraceFiles.length - entries.length, WITHOUT_DETECT);
});

for (const [name, entry] of entries) {
  const counts = Object.assign({}, ...(entry.detect_counts ?? [])) as Record<string, number>;
  const levels = asList(entry.detect_level).map((level) => parsePriority(level));
  const expectation = entry.detect
    ? `alerts at ${asList(entry.detect_level).join('/')}`
    : 'no alert';
  test(`Falco entry ${name} on ${entry.trace_file} gives ${expectation}`, async () => {
    const { result, byPriority } = await runEntry(entry);
    const actual = Object.fromEntries(
      Object.keys(counts).map((rule) => [rule, result.byRule.get(rule)?.count ?? 0]),
    );
    assert.deepEqual(actual, counts);
    if (!entry.detect) {
      assert.equal(result.alerts, 0);
      return;
    }
    assert.ok(result.alerts > 0);
    for (const level of levels) {
      assert.ok(level !== undefined && (byPriority.get(level) ?? 0) > 0, `no alert at ${level}`);
    }
  });
}
