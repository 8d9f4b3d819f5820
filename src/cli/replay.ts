/**
 * `harrier replay`: runs rules over recorded input (Kubernetes audit logs, CloudTrail files,
 * directories and `.zip` archives of them, and syscall captures) in time order, printing an
 * alert line per match (and recording it in the store when one is configured) and a summary of
 * what was read on stderr.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { RuleSet } from '../detect/index.js';
import type { AlertContext } from '../alerts/index.js';
import type { HarrierMetrics } from '../api/metrics.js';
import { formatAlertJson, formatAlertText } from '../alerts/format.js';
import type { Alert } from '../alerts/alert.js';
import type { JsonSourceEvent } from '../decode/json-events.js';
import { createLogger } from '../log.js';
import { rulesOption } from './rule-paths.js';
import { ProgressLine, type ProgressTerminal } from './progress.js';
import { JsonDetection } from './json-pipeline.js';
import type { RecordError } from '../sources/k8s-audit/index.js';
import { mergeByTime, type TimedSource } from './time-merge.js';
import { gatherReplayInputs, type DuplicateInputs, type SkippedFiles } from './replay-inputs.js';
import type { ByteSource } from '../sources/files/index.js';
import { CONTAINER_OUTPUT_FIELDS, type TimeFormat } from '../alerts/alert-factory.js';
import { stopWhenStdoutCloses } from './closed-output.js';
import { configuredRules, readConfigOption } from './config-option.js';
import { readMinPriority, readTimeFormat } from './option-values.js';
import { reportReplaySummary } from './replay-summary.js';
import { reportError } from './stderr-report.js';
import { loadCommandRules } from './command-rules.js';
import {
  addRunnerOutputOptions,
  startRunnerOutputs,
  type RunnerOutputFlags,
} from './runner-outputs.js';
import {
  captureReplay,
  detectCaptureEvent,
  type CaptureEvent,
  type CaptureReplayOptions,
  type CaptureStats,
} from './replay-capture.js';

/** Size of a capture in bytes; 0 when it cannot be read (its failure is reported elsewhere). */
function captureSize(capture: ByteSource): number {
  if (capture.path === undefined) return capture.bytes.length;
  try {
    return statSync(capture.path).size;
  } catch {
    return 0;
  }
}

/** An event of any source, as the merge orders them. */
type TimedEvent = { ts: bigint } & (
  { kind: 'json'; event: JsonSourceEvent } | { kind: 'capture'; event: CaptureEvent }
);

/**
 * ---- Capture hook (filled by the .scap side of replay) ----
 * Time-ordered syscall events of `captures`, each run through the syscall rules by
 * `detectCapture`; every capture has its own decoder, state engine and counters.
 */
function captureStreams(captures: readonly ByteSource[], options: CaptureReplayOptions) {
  return captureReplay(captures, options);
}

/** Capture hook: the .scap side runs its syscall rules on `event` here. */
function detectCapture(event: CaptureEvent): void {
  detectCaptureEvent(event);
}

export interface ReplayResult {
  detection: JsonDetection;
  alerts: number;
  /** Events and alerts per capture file. */
  captures: CaptureStats[];
  /** Alerts per rule, with the rule's priority. */
  byRule: Map<string, { priority: string; count: number }>;
  /**
   * Inputs that could not be read to their end, with where and why: missing files, files of
   * no known kind, empty files and directories, broken captures and gzip streams (whose
   * events before the fault were replayed).
   */
  failures: RecordError[];
  /** Files of no known kind found in directories and zip archives, left unread. */
  skipped: SkippedFiles[];
  /** Names of files already read under another name, not read again. */
  duplicates: DuplicateInputs;
  /** Sources of which events were read but that no enabled rule is written for. */
  uncoveredSources: string[];
}

export interface ReplayOptions {
  /** `%evt.time` form of the alert prefix; default `local` as Falco. */
  timeFormat?: TimeFormat;
  hostname?: string;
  /** Fields added to the `output_fields` of syscall alerts (`--container-fields`). */
  extraFields?: readonly string[];
  /** Give syscall alerts their lineage and recent events (for the store). */
  context?: boolean;
  /** Counts events, evaluation time and rejected records. */
  metrics?: HarrierMetrics;
  /** Where a progress line is drawn while the events run, when it is a terminal. */
  progress?: ProgressTerminal;
}

/**
 * Replays `paths` with `ruleSet`, calling `onAlert` per alert in event time order.
 *
 * @example
 * await replay(['audit.log', 'trail.zip'], ruleSet, (alert) => console.log(alert.output));
 */
export async function replay(
  paths: readonly string[],
  ruleSet: RuleSet,
  onAlert: (alert: Alert, context?: AlertContext) => void,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  let alerts = 0;
  const byRule: ReplayResult['byRule'] = new Map();
  const count = (alert: Alert, context?: AlertContext) => {
    alerts++;
    const entry = byRule.get(alert.rule) ?? { priority: alert.priority, count: 0 };
    entry.count++;
    byRule.set(alert.rule, entry);
    onAlert(alert, context);
  };
  const detection = new JsonDetection({
    ruleSet,
    onAlert: count,
    timeFormat: options.timeFormat,
    hostname: options.hostname,
    logger: createLogger('cli.replay'),
    metrics: options.metrics,
  });
  const inputs = await gatherReplayInputs(paths, detection);
  const streams: TimedSource<TimedEvent>[] = inputs.sources.map(({ events }) =>
    events.map((event): TimedEvent => ({ ts: event.ts, kind: 'json', event })),
  );
  const captureOptions = { ruleSet, onAlert: count, ...options };
  const captures = captureStreams(inputs.captures, captureOptions);
  streams.push(...captures.streams);
  let jsonEvents = 0;
  const captureBytes = inputs.captures.reduce((sum, capture) => sum + captureSize(capture), 0);
  const progress =
    options.progress &&
    new ProgressLine(
      options.progress,
      () => ({
        bytesRead: captures.bytesRead(),
        bytesTotal: captureBytes,
        events: jsonEvents + captures.events(),
        alerts,
      }),
      'replay',
    );
  try {
    for await (const run of mergeByTime(streams)) {
      for (const item of run) {
        if (item.kind === 'json') {
          jsonEvents++;
          detection.detect(item.event);
        } else detectCapture(item.event);
      }
    }
  } finally {
    progress?.stop();
  }
  const stats = captures.stats();
  const failures = [...inputs.failures];
  for (const { failure } of stats)
    if (failure) failures.push({ origin: { file: failure.path }, reason: failure.reason });
  const uncovered = uncoveredSources(ruleSet, detection, stats);
  const skipped = inputs.skipped;
  return {
    detection,
    alerts,
    captures: stats,
    byRule,
    failures,
    skipped,
    duplicates: inputs.duplicates,
    uncoveredSources: uncovered,
  };
}

/** Sources read (events or records seen) for which `ruleSet` enables no rule. */
function uncoveredSources(ruleSet: RuleSet, detection: JsonDetection, captures: CaptureStats[]) {
  const read = Object.entries(detection.stats).filter(([, counts]) => counts.received > 0);
  const sources = read.map(([source]) => source);
  if (captures.some((capture) => capture.events > 0)) sources.unshift('syscall');
  const covered = new Set(ruleSet.sources());
  return sources.filter((source) => !covered.has(source));
}

interface ReplayCommandOptions extends RunnerOutputFlags {
  rules: string[];
  json?: boolean;
  minPriority?: string;
  timeFormat: string;
  containerFields?: boolean;
  config?: string;
  progress: boolean;
  quiet?: boolean;
}

/** Adds `harrier replay` to the program. */
export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description('run rules over audit logs, CloudTrail files and captures, in time order')
    .argument('<paths...>', 'files, directories or .zip archives')
    .addOption(rulesOption('rule file or directory (repeatable)', 'the rules/ directory'))
    .option('--json', "print alerts as Falco's JSON")
    .option('--min-priority <priority>', 'load only rules at least this severe')
    .option('--time-format <format>', 'alert time: local (Falco default) or iso8601', 'local')
    .option(
      '--container-fields',
      'add container and pod fields to the output_fields of syscall alerts',
    )
    .option(
      '-c, --config <file>',
      'harrier.yaml: rule files, priority, rule_matching, append_output, store',
    )
    .option('--no-progress', 'no progress line on a terminal')
    .option('-q, --quiet', 'leave out rule-load warnings (errors still show)');
  addRunnerOutputOptions(command, { metrics: false, storeByDefault: false }).action(
    async (paths: string[], options: ReplayCommandOptions) => {
      process.exitCode = await runReplay(paths, options);
    },
  );
}

async function runReplay(paths: string[], options: ReplayCommandOptions): Promise<number> {
  const optionProblems: string[] = [];
  const timeFormat = readTimeFormat(options.timeFormat, optionProblems);
  const minPriority = readMinPriority(options.minPriority, optionProblems);
  for (const problem of optionProblems) reportError('replay', problem);
  if (optionProblems.length > 0) return 2;
  const config = readConfigOption(options.config, {
    store: options.store === undefined,
    rulesAndStoreOnly: 'replay',
    rulesFromCommandLine: options.rules.length > 0,
  });
  if (config === 'invalid') return 2;
  const rules = configuredRules(options.rules, config, minPriority);
  const ruleSet = await loadCommandRules('replay', rules.paths, rules.loadOptions, {
    quiet: options.quiet,
    failedOutcome: 'nothing replayed',
  });
  if (ruleSet === undefined) return 1;
  const print = options.json ? formatAlertJson : formatAlertText;
  let readerGone = false;
  const outputs = await startRunnerOutputs({
    flags: options, config, route: false, storeByDefault: false, serveMetrics: false,
    print: (alert) => readerGone || process.stdout.write(`${print(alert)}\n`),
    logger: createLogger('cli.replay'),
  }); // prettier-ignore
  if (typeof outputs === 'string') {
    reportError('replay', outputs);
    return 2;
  }
  // With a store, a reader that goes away (`| head -1`) ends the printing only: the replay
  // goes on and every alert is stored. Without one, the command ends quietly at once.
  if (outputs.storing) stopWhenStdoutCloses(() => (readerGone = true));
  let result: ReplayResult;
  try {
    result = await replay(paths, ruleSet, outputs.sink.deliver, {
      timeFormat,
      extraFields: options.containerFields ? CONTAINER_OUTPUT_FIELDS : undefined,
      context: outputs.storing,
      // Under --json stderr holds NDJSON only.
      progress: options.progress && !options.json ? process.stderr : undefined,
    });
  } finally {
    stopWhenStdoutCloses(undefined);
    await outputs.close();
  }
  reportReplaySummary(result);
  return result.failures.length === 0 ? 0 : 1;
}
