/**
 * The text a rule test run prints: one line per failing case with its reasons, the rules
 * left without a firing or non-firing case, and a summary line.
 */
import type { RuleTestReport } from './runner.js';

export interface ReportOptions {
  /** Also list passing cases. */
  verbose?: boolean;
  /** Rules without both kinds of case count as failures (else they are only listed). */
  requireCoverage?: boolean;
}

/** The report as lines of text, ending with the summary. Does not modify `report`. */
export function formatRuleTestReport(
  report: RuleTestReport,
  options: ReportOptions = {},
): string[] {
  const lines: string[] = [];
  // Each problem is already `file:line: error: message`, as compilers print them.
  lines.push(...report.problems);
  for (const result of report.results) {
    const where = `${result.file}:${result.testCase.line}`;
    if (result.passed) {
      if (options.verbose)
        lines.push(`ok   ${where} ${result.testCase.rule} > ${result.testCase.name}`);
      continue;
    }
    lines.push(`FAIL ${where} ${result.testCase.rule} > ${result.testCase.name}`);
    lines.push(...result.details.map((detail) => `  ${detail}`));
  }
  const label = options.requireCoverage ? 'FAIL' : 'note';
  for (const { rule, missing } of report.uncovered)
    lines.push(`${label} rule '${rule}' has no passing ${missing} case`);
  const failed = report.results.filter((result) => !result.passed).length;
  const passed = report.results.length - failed;
  lines.push(
    `${report.files.length} file(s), ${report.results.length} case(s): ${passed} passed, ${failed} failed` +
      `, ${report.problems.length} problem(s), ${report.uncovered.length} rule(s) not fully covered`,
  );
  return lines;
}
