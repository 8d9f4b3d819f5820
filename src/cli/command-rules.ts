/**
 * Loading the rule files a command runs: every command prints the diagnostics the same way and,
 * when the files have errors, ends with one line saying what did not happen.
 */
import { loadRuleFilesFromDisk, type LoadOptions, type RuleSet } from '../detect/index.js';
import type { Logger } from '../log.js';
import { expandRulePaths } from './rule-paths.js';
import { reportDiagnostics, reportRuleFilesFailed } from './stderr-report.js';

export interface CommandRulesOptions {
  /** Leave warnings out; errors always show. */
  quiet?: boolean;
  /** Said last when the files have errors ("nothing monitored"); none: the caller says it. */
  failedOutcome?: string;
  /** Logs "rules loaded" with the count, sources and files. */
  logger?: Logger;
}

/** The rule set of `paths` (files and directories) for `command`, or undefined on errors. */
export async function loadCommandRules(
  command: string,
  paths: readonly string[],
  loadOptions: LoadOptions,
  { quiet = false, failedOutcome, logger }: CommandRulesOptions,
): Promise<RuleSet | undefined> {
  const loaded = await loadRuleFilesFromDisk(await expandRulePaths(paths), loadOptions);
  reportDiagnostics(command, loaded.diagnostics, { quiet });
  const { ruleSet } = loaded;
  if (ruleSet === undefined) {
    if (failedOutcome !== undefined)
      reportRuleFilesFailed(command, loaded.diagnostics, failedOutcome);
    return undefined;
  }
  logger?.info(
    { count: ruleSet.enabledCount, sources: ruleSet.sources(), files: paths },
    'rules loaded',
  );
  // Valid files can still leave nothing to judge with (all disabled, or under the priority).
  if (ruleSet.enabledCount === 0)
    logger?.warn({ files: paths }, 'no rule is enabled: nothing can raise an alert');
  return ruleSet;
}
