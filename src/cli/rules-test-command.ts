/**
 * `harrier rules test [PATH...]`: runs rule test files (`*.test.yaml`) and exits 1 when a
 * case fails, a file is malformed or its rules do not load.
 */
import type { Command } from 'commander';
import {
  defaultRulesDirectory,
  formatRuleTestReport,
  isPassing,
  runRuleTests,
} from '../detect/rule-tests/index.js';

/** Adds `test` under the `rules` command. */
export function registerRulesTestCommand(rules: Command): void {
  rules
    .command('test')
    .description(
      'run rule test files (*.test.yaml; directories are searched); exit 1 on any failure',
    )
    .argument(
      '[paths...]',
      'test files or directories of them (default: the default rules directory)',
    )
    .option('-v, --verbose', 'list passing cases too')
    .option('--require-coverage', 'fail when a rule lacks a firing or a non-firing case')
    .action(async (paths: string[], options: { verbose?: boolean; requireCoverage?: boolean }) => {
      const report = await runRuleTests(paths.length > 0 ? paths : [defaultRulesDirectory()]);
      const requireCoverage = options.requireCoverage === true;
      for (const line of formatRuleTestReport(report, {
        verbose: options.verbose,
        requireCoverage,
      })) {
        process.stdout.write(`${line}\n`);
      }
      process.exitCode = isPassing(report, requireCoverage) ? 0 : 1;
    });
}
