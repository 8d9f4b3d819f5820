/**
 * The `-c harrier.yaml` option of the detection commands: the file read with its problems
 * printed, and the rule settings it gives when `-r` does not override them.
 */
import type { LoadOptions, Priority } from '../detect/index.js';
import { loadConfigFile, type ConfigUse, type HarrierConfig } from '../config/index.js';
import { rulePathsOrDefault } from './default-rules.js';
import { reportConfigDiagnostics } from './stderr-report.js';

/**
 * The configuration in `file`, none without a file, or 'invalid' once its errors are
 * printed (its warnings are printed too, and leave it valid); `use` adds the directories the command will write to the checks (`ConfigUse`).
 */
export function readConfigOption(
  file: string | undefined,
  use: ConfigUse = {},
): HarrierConfig | undefined | 'invalid' {
  if (file === undefined) return undefined;
  const result = loadConfigFile(file, process.env, use);
  reportConfigDiagnostics('config', result.diagnostics);
  return result.config ?? 'invalid';
}

/**
 * The rule paths and load options: `-r` paths, else the configuration's `rules_files`, else
 * the default rules; `minPriority` (a flag) wins over the configuration's `priority`; the
 * configuration's `append_output` applies to the rules either way.
 */
export function configuredRules(
  rules: readonly string[],
  config: HarrierConfig | undefined,
  minPriority?: Priority,
): { paths: string[]; loadOptions: LoadOptions } {
  const paths =
    rules.length > 0 || !config?.rulesFiles.length
      ? rulePathsOrDefault(rules)
      : [...config.rulesFiles];
  const loadOptions: LoadOptions = {
    minimumPriority: minPriority ?? config?.priority,
    ruleMatching: config?.ruleMatching,
    appendOutput: config?.appendOutput,
  };
  return { paths, loadOptions };
}
