/**
 * `harrier replay`: runs rules over recorded input (Kubernetes audit logs, CloudTrail files,
 * directories and `.zip` archives of them, and syscall captures) in time order, printing an
 * alert line per match and a summary of what was read on stderr.
 */
import type { Command } from 'commander';
import { loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import { formatDiagnostic } from '../engine/diagnostics.js';
import { formatAlertJson, formatAlertText } from '../alerts/format.js';
import type { Alert } from '../alerts/alert.js';
import type { JsonSourceEvent } from '../decode/json-events.js';
import { createLogger } from '../log.js';
import { expandRulePaths, rulesOption } from './rule-paths.js';
import { JsonDetection } from './json-pipeline.js';
import { jsonReplaySources, mergeByTime } from './replay-json.js';
import { CONTAINER_OUTPUT_FIELDS, type TimeFormat } from '../alerts/alert-factory.js';
import { rulePathsOrDefault } from './default-rules.js';
import {
  captureReplay,
  CaptureReadError,
  detectCaptureEvent,
  type CaptureEvent,
  type CaptureReplayOptions,
  type CaptureStats,
} from './replay-capture.js';

/** Paths of syscall captures, which the capture side of replay reads. */
export function isCapturePath(file: string): boolean {
  return /\.scap(\.gz)?$/.test(file);
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
function captureStreams(captures: readonly string[], options: CaptureReplayOptions) {
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
}

export interface ReplayOptions {
  /** `%evt.time` form of the alert prefix; default `local` as Falco. */
  timeFormat?: TimeFormat;
  hostname?: string;
  /** Fields added to the `output_fields` of syscall alerts (`--container-fields`). */
  extraFields?: readonly string[];
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
  onAlert: (alert: Alert) => void,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  let alerts = 0;
  const byRule: ReplayResult['byRule'] = new Map();
  const count = (alert: Alert) => {
    alerts++;
    const entry = byRule.get(alert.rule) ?? { priority: alert.priority, count: 0 };
    entry.count++;
    byRule.set(alert.rule, entry);
    onAlert(alert);
  };
  const detection = new JsonDetection({
    ruleSet,
    onAlert: count,
    timeFormat: options.timeFormat,
    hostname: options.hostname,
    logger: createLogger('cli.replay'),
  });
  const jsonPaths = paths.filter((file) => !isCapturePath(file));
  const json = await jsonReplaySources(jsonPaths, detection);
  const streams: (Iterable<TimedEvent> | AsyncIterable<TimedEvent>)[] = json.map(({ events }) =>
    events.map((event): TimedEvent => ({ ts: event.ts, kind: 'json', event })),
  );
  const captureOptions = { ruleSet, onAlert: count, ...options };
  const captures = captureStreams(paths.filter(isCapturePath), captureOptions);
  streams.push(...captures.streams);
  const result = () => ({ detection, alerts, captures: captures.stats(), byRule });
  try {
    for await (const item of mergeByTime(streams)) {
      if (item.kind === 'json') detection.detect(item.event);
      else detectCapture(item.event);
    }
  } catch (error) {
    if (error instanceof CaptureReadError) throw new ReplayReadError(error, result());
    throw error;
  }
  return result();
}

/** A capture broke off; `partial` holds what was replayed before the fault. */
export class ReplayReadError extends Error {
  constructor(
    readonly failure: CaptureReadError,
    readonly partial: ReplayResult,
  ) {
    super(failure.message, { cause: failure });
    this.name = 'ReplayReadError';
  }
}

interface ReplayCommandOptions {
  rules: string[];
  json?: boolean;
  timeFormat: string;
  containerFields?: boolean;
}

/** Adds `harrier replay` to the program. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('run rules over audit logs, CloudTrail files and captures, in time order')
    .argument('<paths...>', 'files, directories or .zip archives')
    .addOption(rulesOption('rule file or directory (repeatable)', 'the rules/ directory'))
    .option('--json', "print alerts as Falco's JSON")
    .option('--time-format <format>', 'alert time: local (Falco default) or iso8601', 'local')
    .option('--container-fields', 'add container and pod fields to the output_fields of syscall alerts')
    .action(async (paths: string[], options: ReplayCommandOptions) => {
      process.exitCode = await runReplay(paths, options);
    });
}

async function runReplay(paths: string[], options: ReplayCommandOptions): Promise<number> {
  const timeFormat = options.timeFormat;
  if (timeFormat !== 'local' && timeFormat !== 'iso8601') {
    process.stderr.write(
      `harrier replay: --time-format takes local or iso8601, found '${timeFormat}'\n`,
    );
    return 2;
  }
  const rulePaths = await expandRulePaths(rulePathsOrDefault(options.rules));
  const loaded = await loadRuleFilesFromDisk(rulePaths);
  for (const diagnostic of loaded.diagnostics)
    process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (loaded.ruleSet === undefined) return 1;
  const print = options.json ? formatAlertJson : formatAlertText;
  let result: ReplayResult;
  let failure: CaptureReadError | undefined;
  try {
    result = await replay(
      paths,
      loaded.ruleSet,
      (alert) => process.stdout.write(`${print(alert)}\n`),
      { timeFormat, extraFields: options.containerFields ? CONTAINER_OUTPUT_FIELDS : undefined },
    );
  } catch (error) {
    if (!(error instanceof ReplayReadError)) throw error;
    ({ partial: result, failure } = error);
  }
  printSummary(result);
  if (failure === undefined) return 0;
  process.stderr.write(`harrier replay: cannot read on: ${failure.message}\n`);
  return 1;
}

/** Per-source counts and the alerts per rule, on stderr. */
function printSummary(result: ReplayResult): void {
  for (const capture of result.captures) {
    process.stderr.write(
      `syscall: ${capture.path}: ${capture.events} events, ${capture.alerts} alerts\n`,
    );
  }
  for (const [source, stats] of Object.entries(result.detection.stats)) {
    if (stats.received === 0) continue;
    const line = `${source}: ${stats.received} records, ${stats.processed} processed, ${stats.rejected} rejected, ${stats.alerts} alerts`;
    process.stderr.write(`${line}\n`);
  }
  if (result.byRule.size > 0) process.stderr.write('Triggered rules by rule name:\n');
  for (const [rule, { priority, count }] of result.byRule) {
    process.stderr.write(`  ${rule} (${priority}): ${count}\n`);
  }
}
