/**
 * Rule unit tests: YAML cases beside rule files, run against the compiled rules with
 * readable field values, raw audit events or CloudTrail records, or syscall captures.
 */
export { runRuleTests, isPassing, defaultRulesDirectory } from './runner.js';
export { formatRuleTestReport } from './report.js';
export { fieldValuesTableFor, type FieldValuesEvent } from './field-values-table.js';
