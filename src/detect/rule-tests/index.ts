/**
 * Rule unit tests: YAML cases beside rule files, run against the compiled rules with
 * readable field values, raw audit events or CloudTrail records, or syscall captures.
 */
export {
  runRuleTests,
  findRuleTestFiles,
  isPassing,
  defaultRulesDirectory,
  type CaseResult,
  type RuleTestReport,
  type UncoveredRule,
} from './runner.js';
export { formatRuleTestReport, type ReportOptions } from './report.js';
export {
  readRuleTestFile,
  parseRuleTestFile,
  type RuleTestCase,
  type RuleTestFile,
  type TestInput,
} from './test-file.js';
export { fieldValuesTableFor, type FieldValuesEvent } from './field-values-table.js';
export { explainCondition } from './explain.js';
