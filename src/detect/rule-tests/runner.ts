/**
 * `harrier rules test`: finds rule test files, loads the rules each one names (twice: against
 * field-values tables for readable events, and against the real tables for raw records and
 * captures), runs every case and reports failures with the reasons, plus rules left without a
 * firing or a non-firing case.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FieldTable, fieldTableFor, formatDiagnostic } from '../../engine/index.js';
import { loadRuleFilesFromDisk } from '../rules/loader.js';
import type { Rule } from '../rules/rule.js';
import { systemReason } from '../rules/system-reason.js';
import { caseProblems } from './check-case.js';
import { evaluateCase, type RuleUnderTest } from './evaluate-case.js';
import { fieldValuesTableFor } from './field-values-table.js';
import { readRuleTestFile, type RuleTestCase } from './rule-test-file.js';

/** The outcome of one case. */
interface CaseResult {
  file: string;
  testCase: RuleTestCase;
  passed: boolean;
  /** Why it failed: the rule, the event and the parts of the condition that decided. */
  details: string[];
}

/** A rule the test files do not both fire and keep quiet. */
interface UncoveredRule {
  rule: string;
  missing: 'firing' | 'non-firing' | 'firing and non-firing';
}

export interface RuleTestReport {
  /** Test files run, in order. */
  files: string[];
  results: CaseResult[];
  /** Unreadable or malformed test files and rule files that failed to load. */
  problems: string[];
  /** Rules of the loaded rule files lacking a firing or a non-firing case. */
  uncovered: UncoveredRule[];
}

/** Harrier's default rules directory, `rules/` at the package root. */
export function defaultRulesDirectory(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../rules');
}

/** Test files among `paths`: files as given, directories searched for `*.test.yaml`. */
async function findRuleTestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(entry);
      continue;
    }
    const names = (await readdir(entry)).filter((name) => /\.test\.ya?ml$/.test(name)).sort();
    files.push(...names.map((name) => path.join(entry, name)));
  }
  return files;
}

interface LoadedRules {
  rules: Map<string, RuleUnderTest>;
  problems: string[];
}

/**
 * Runs the test files found under `paths` (default: the default rules directory). Never
 * throws for bad test or rule content; an unreadable file is a problem in the report.
 *
 * @example
 * const report = await runRuleTests(['rules/']);
 * process.exitCode = isPassing(report) ? 0 : 1;
 */
export async function runRuleTests(
  paths: readonly string[] = [defaultRulesDirectory()],
): Promise<RuleTestReport> {
  const report: RuleTestReport = {
    files: await findRuleTestFiles(paths),
    results: [],
    problems: [],
    uncovered: [],
  };
  const loads = new Map<string, Promise<LoadedRules>>();
  const outcomes = new Map<string, { fires: boolean; notFires: boolean }>();
  for (const file of report.files) {
    const testFile = await readRuleTestFile(file).catch((error: Error) => error);
    if (testFile instanceof Error) {
      report.problems.push(`${file}: error: cannot read test file: ${systemReason(testFile)}`);
      continue;
    }
    report.problems.push(...testFile.problems);
    const key = testFile.ruleFiles.join('\0');
    if (!loads.has(key)) loads.set(key, loadRulesUnderTest(testFile.ruleFiles));
    const loaded = await (loads.get(key) as Promise<LoadedRules>);
    for (const name of loaded.rules.keys())
      if (!outcomes.has(name)) outcomes.set(name, { fires: false, notFires: false });
    for (const testCase of testFile.cases) {
      const problems = caseInputProblems(file, testCase, loaded);
      if (problems.length > 0) {
        report.problems.push(...problems);
        continue;
      }
      const result = await runCase(file, testCase, loaded);
      report.results.push(result);
      const outcome = outcomes.get(testCase.rule);
      if (outcome && result.passed) outcome[testCase.fires ? 'fires' : 'notFires'] = true;
    }
  }
  for (const loaded of loads.values()) report.problems.push(...(await loaded).problems);
  report.problems = [...new Set(report.problems)];
  report.uncovered = uncoveredRules(outcomes);
  return report;
}

/** True when every case passed and no file had a problem. */
export function isPassing(report: RuleTestReport, requireCoverage = false): boolean {
  if (report.problems.length > 0 || report.results.some((result) => !result.passed)) return false;
  return !requireCoverage || report.uncovered.length === 0;
}

/** `file:line: error: message` for each input of `testCase` its rule cannot read as given. */
function caseInputProblems(file: string, testCase: RuleTestCase, loaded: LoadedRules): string[] {
  const rule = loaded.rules.get(testCase.rule);
  if (rule === undefined) return [];
  return caseProblems(testCase, rule.real.source).map(
    ({ line, message }) => `${file}:${line}: error: ${message}`,
  );
}

async function runCase(
  file: string,
  testCase: RuleTestCase,
  loaded: LoadedRules,
): Promise<CaseResult> {
  const rule = loaded.rules.get(testCase.rule);
  if (rule === undefined) {
    return {
      file,
      testCase,
      passed: false,
      details: [`no rule named '${testCase.rule}' in the loaded rule files`],
    };
  }
  const details = await evaluateCase(testCase, rule);
  return { file, testCase, passed: details.length === 0, details };
}

async function loadRulesUnderTest(files: string[]): Promise<LoadedRules> {
  const problems: string[] = [];
  const withValues = await loadRuleFilesFromDisk(files, {
    fieldTables: (source) => fieldValuesTableFor(source) as FieldTable | undefined,
  });
  const real = await loadRuleFilesFromDisk(files);
  for (const diagnostic of real.diagnostics) {
    if (diagnostic.severity === 'error') problems.push(formatDiagnostic(diagnostic));
  }
  const rules = new Map<string, RuleUnderTest>();
  const byName = new Map<string, Rule>(withValues.rules.map((rule) => [rule.name, rule]));
  for (const rule of real.rules) {
    const valued = byName.get(rule.name);
    const valuesTable = fieldValuesTableFor(rule.source);
    const realTable = fieldTableFor(rule.source);
    if (!valued || !valuesTable || !realTable) continue;
    rules.set(rule.name, { withValues: valued, valuesTable, real: rule, realTable });
  }
  return { rules, problems };
}

function uncoveredRules(
  outcomes: Map<string, { fires: boolean; notFires: boolean }>,
): UncoveredRule[] {
  const uncovered: UncoveredRule[] = [];
  for (const [rule, { fires, notFires }] of outcomes) {
    if (fires && notFires) continue;
    const missing = !fires && !notFires ? 'firing and non-firing' : fires ? 'non-firing' : 'firing';
    uncovered.push({ rule, missing });
  }
  return uncovered;
}
