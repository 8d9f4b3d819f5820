/**
 * What a SIGHUP makes `harrier run` and `harrier serve` read again: the configuration file
 * (as Falco re-reads falco.yaml) and the rule files it names, combined with the command line
 * as at start. Only the rule settings take effect; the sections set up once at start keep
 * their running values.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Priority, RuleSet } from '../detect/index.js';
import type { ConfigUse, HarrierConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { storeSettings } from './alert-sink.js';
import { captureTargetProblem } from './capture-target.js';
import { loadCommandRules } from './command-rules.js';
import { configuredRules, readConfigOption } from './config-option.js';
import { metricsAddress } from './metrics-endpoint.js';
import type { RunnerOutputFlags } from './runner-outputs.js';
import { reportError } from './stderr-report.js';

/** What `run` or `serve` started from: its command line and the configuration it read then. */
export interface RunStart {
  /** The command reloading, as its messages name it. */
  readonly command: 'run' | 'serve';
  /** `-r` paths: they win over the configuration's `rules_files`, as at start. */
  readonly rules: readonly string[];
  /** `--min-priority`: it wins over the configuration's `priority`. */
  readonly minPriority: Priority | undefined;
  /** `-c`: read again at every reload. */
  readonly configFile: string | undefined;
  /** The directory checks the configuration had at start. */
  readonly configUse: ConfigUse;
  /** The configuration running since start. */
  readonly config: HarrierConfig | undefined;
  /** `--store`/`--metrics`, which win over their sections. */
  readonly flags: RunnerOutputFlags;
  /** `run -w`: a rule path of the new configuration must not be the capture being written. */
  readonly capture: string | undefined;
  readonly quiet: boolean;
}

/**
 * The rule set a reload switches to, or undefined when the configuration or a rule file has
 * errors (printed with their file, line and column, and logged as a failed reload): the
 * running rules then stay.
 */
/** SIGHUP's handler, and a wait for the reloads it started. */
export interface SerialReload {
  readonly reload: () => void;
  settled(): Promise<void>;
}

/**
 * Reloads one at a time, each after the one before, so that quick SIGHUPs apply in order;
 * `apply` takes the new rules, and a refused reload counts in `counts.failed`.
 */
export function serialReload(
  start: RunStart,
  logger: Logger,
  counts: { failed: number },
  apply: (next: RuleSet) => Promise<void> | void,
): SerialReload {
  let reloading = Promise.resolve();
  return {
    reload: () => {
      reloading = reloading.then(async () => {
        const next = await reloadRuleSet(start, logger);
        if (next === undefined) counts.failed++;
        else await apply(next);
      });
    },
    settled: () => reloading,
  };
}

async function reloadRuleSet(start: RunStart, logger: Logger): Promise<RuleSet | undefined> {
  const config = readConfigOption(start.configFile, start.configUse);
  if (config === 'invalid') {
    logger.warn(
      { file: start.configFile },
      'configuration reload failed; the running rules stay in place',
    );
    return undefined;
  }
  warnOfRestartSections(start, config, logger);
  const { paths, loadOptions } = configuredRules(start.rules, config, start.minPriority);
  const overwritten =
    start.capture === undefined ? undefined : captureTargetProblem(start.capture, paths);
  if (overwritten !== undefined) {
    reportError(start.command, overwritten);
  } else {
    const quiet = start.quiet;
    const ruleSet = await loadCommandRules(start.command, paths, loadOptions, { quiet, logger });
    if (ruleSet !== undefined) return ruleSet;
  }
  logger.warn({ files: paths }, 'rule reload failed; the running rules stay in place');
  return undefined;
}

/**
 * One warning naming the sections of `next` that differ from the running ones, if any.
 * LIMIT: these are set up once (queues, store, endpoint), where Falco restarts with the whole
 * file on SIGHUP: a changed output or store waits for the next start of `run` or `serve`.
 */
function warnOfRestartSections(
  start: RunStart,
  next: HarrierConfig | undefined,
  logger: Logger,
): void {
  const { config: running, flags } = start;
  if (running === undefined || next === undefined) return;
  const sections: Array<[string, (config: HarrierConfig) => unknown]> = [
    ['outputs', (config) => config.outputs],
    ['grouping', (config) => config.grouping],
    ['state_dir', (config) => config.stateDir],
    ['sources', (config) => config.sources],
    // As the command line leaves them: a section that a flag overrides changes nothing.
    ['store', (config) => storeSettings(flags.store, config, true)],
    ['metrics', (config) => metricsAddress(flags.metrics, config)],
  ];
  const changed = sections
    .filter(([, setting]) => !isDeepStrictEqual(setting(running), setting(next)))
    .map(([name]) => name);
  if (changed.length > 0)
    logger.warn(
      { file: start.configFile, sections: changed },
      `configuration sections changed that apply only at start; they keep their running values until harrier ${start.command} restarts`,
    );
}
