/**
 * `harrier run`: live monitoring of this host with Harrier's eBPF probe. Alerts go to stdout
 * (text or Falco JSON), or through the alert router when a configuration with outputs is
 * given, and into the store with their lineage and recent events; logs go to stderr. Metrics
 * are served when asked. SIGHUP reads the configuration and the rules again without stopping
 * capture; SIGINT and SIGTERM stop cleanly and print the counters.
 */
import { Option, type Command } from 'commander';
import {
  formatAlertJson,
  formatAlertText,
  type Alert,
  type AlertContext,
  type OutputStats,
} from '../alerts/index.js';
import type { HarrierMetrics } from '../api/metrics.js';
import { ProbeBinaryMissingError, ProbeFailedError } from '../sources/ebpf/probe-process.js';
import { createLogger, logFormat, type Logger } from '../log.js';
import { configuredRules, readConfigOption } from './config-option.js';
import { stopWhenStdoutCloses } from './closed-output.js';
import { BoundedStdout, publishStdoutDrops } from './bounded-stdout.js';
import { formatOutputCounts } from './output-summary.js';
import { reportError, reportSummary } from './stderr-report.js';
import { loadCommandRules } from './command-rules.js';
import { serialReload, type RunStart } from './run-reload.js';
import { captureTargetProblem } from './capture-target.js';
import { checkListenOption } from './listen-address.js';
import { handleSignalsWhileStopping } from './stopping-signals.js';
import {
  captureLayout,
  LEGACY_LAYOUT_HELP,
  LivePipeline,
  type LiveCounters,
} from './live-pipeline.js';
import { CAPTURE_STOPPED_RULE, captureStoppedAlert } from './capture-stopped.js';
import { runtimeContainerHook } from './live-containers.js';
import { CONTAINER_OUTPUT_FIELDS } from '../alerts/alert-factory.js';
import {
  ENV_BYTES_HELP,
  readEnvBytes,
  readMinPriority,
  readRingBufferMb,
  readTimeFormat,
} from './option-values.js';
import { formatPreflight, preflightProblems } from './live-preflight.js';
import { WATCH_UNIMPLEMENTED_HELP } from './live-syscalls.js';
import { formatDropReasons, formatStateCounters } from './live-summary.js';
import {
  handOverStartupSignals,
  latchStartupSignals,
  releaseStartupSignals,
} from './startup-signals.js';
import { rulesOption } from './rule-paths.js';
import {
  addRunnerOutputOptions,
  startRunnerOutputs,
  type RunnerOutputFlags,
} from './runner-outputs.js';
import { SyscallAlertContext } from './syscall-context.js';

interface RunCommandOptions extends RunnerOutputFlags {
  rules: string[];
  json?: boolean;
  minPriority?: string;
  config?: string;
  timeFormat: string;
  write?: string;
  legacyLayout?: boolean;
  envBytes: string;
  ringbufMb?: string;
  watchUnimplementedSyscalls?: boolean;
  containerFields?: boolean;
  cri: string[];
  quiet?: boolean;
}

/** Adds `harrier run` to the program. */
export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description(
      'monitor this host live with the eBPF probe and print alerts; SIGHUP reads -c and the ' +
        'rule files again without stopping capture, SIGINT or SIGTERM stops',
    )
    .addOption(rulesOption('rule file or directory (repeatable)', 'the rules/ directory'))
    .option('--json', "print alerts as Falco's JSON")
    .option('--min-priority <priority>', 'load only rules at least this severe')
    .option(
      '-c, --config <file>',
      'harrier.yaml: rule files, priority, rule_matching, append_output (read again on ' +
        'SIGHUP), outputs, store, metrics (read at start)',
    )
    .option('--time-format <format>', 'alert time: local (Falco default) or iso8601', 'local')
    .option(
      '-w, --write <file>',
      'also record the session to a .scap file that harrier replay reads',
    )
    .option('--legacy-layout', LEGACY_LAYOUT_HELP)
    .option('--ringbuf-mb <n>', 'kernel ring buffer size in MiB, a power of two (default 16)')
    .option('--watch-unimplemented-syscalls', WATCH_UNIMPLEMENTED_HELP)
    .option('--env-bytes <n>', ENV_BYTES_HELP, '0')
    .option(
      '--container-fields',
      'add container and pod fields to the output_fields of every alert',
    )
    .addOption(
      new Option('--cri <socket>', 'CRI socket for container metadata (repeatable)')
        .argParser((socket: string, sockets: string[]) => [...sockets, socket])
        .default([], 'the containerd, CRI-O and k3s sockets present'),
    )
    .option('-q, --quiet', 'leave out rule-load warnings (errors still show)');
  addRunnerOutputOptions(command, { metrics: true, storeByDefault: true }).action(
    async (options: RunCommandOptions) => {
      process.exitCode = await runLive(options);
    },
  );
}

/** Copies the live pipeline's drop totals (kernel by reason, undecodable) in at each scrape. */
function publishLiveDrops(metrics: HarrierMetrics, live: LivePipeline): void {
  metrics.registry.onScrape(() => {
    const { drops } = live.counters;
    for (const [reason, count] of Object.entries(drops.byReason))
      metrics.drops.raiseTo({ source: 'syscall', reason }, count);
    metrics.drops.raiseTo({ source: 'syscall', reason: 'undecodable' }, drops.userspace);
  });
}

async function runLive(options: RunCommandOptions): Promise<number> {
  latchStartupSignals();
  try {
    return await runLiveLatched(options);
  } finally {
    releaseStartupSignals();
  }
}

async function runLiveLatched(options: RunCommandOptions): Promise<number> {
  const optionProblems: string[] = [];
  const minPriority = readMinPriority(options.minPriority, optionProblems);
  const timeFormat = readTimeFormat(options.timeFormat, optionProblems);
  const envBytes = readEnvBytes(options.envBytes, optionProblems);
  const ringBufferMb = readRingBufferMb(options.ringbufMb, optionProblems);
  checkListenOption('--metrics', options.metrics, optionProblems);
  for (const problem of optionProblems) reportError('run', problem);
  if (optionProblems.length > 0) return 2;
  const configUse = {
    queues: true,
    store: options.store === undefined,
    rulesFromCommandLine: options.rules.length > 0,
  };
  const config = readConfigOption(options.config, configUse);
  if (config === 'invalid') return 2;
  const { paths, loadOptions } = configuredRules(options.rules, config, minPriority);
  const overwrite =
    options.write === undefined
      ? undefined
      : captureTargetProblem(options.write, paths, options.config);
  if (overwrite !== undefined) {
    reportError('run', overwrite);
    return 2;
  }
  const problems = preflightProblems();
  if (problems.length > 0) {
    if (logFormat() === 'json')
      reportError('run', 'cannot start live capture', { missing: problems });
    else process.stderr.write(formatPreflight('run', problems));
    return 2;
  }
  const logger = createLogger('cli.run');
  const quiet = options.quiet === true;
  const ruleSet = await loadCommandRules('run', paths, loadOptions, {
    quiet,
    failedOutcome: 'nothing monitored',
    logger,
  });
  if (ruleSet === undefined) return 1;
  const print = options.json ? formatAlertJson : formatAlertText;
  const stdout = new BoundedStdout(logger);
  const outputs = await startRunnerOutputs({
    flags: options, config, route: true, storeByDefault: true, serveMetrics: true,
    print: (alert) => stdout.write(`${print(alert)}\n`), logger,
  }); // prettier-ignore
  if (typeof outputs === 'string') {
    reportError('run', outputs);
    return 2;
  }
  stdout.storing = outputs.storing;
  const byRule = new Map<string, number>();
  const onAlert = (alert: Alert, context?: AlertContext) => {
    byRule.set(alert.rule, (byRule.get(alert.rule) ?? 0) + 1);
    outputs.sink.deliver(alert, context);
  };

  const containers = runtimeContainerHook(logger, {
    criSockets: options.cri.length > 0 ? options.cri : undefined,
  });
  let live: LivePipeline;
  try {
    live = await LivePipeline.start({
      ruleSet, onAlert, logger, timeFormat,
      extraFields: options.containerFields ? CONTAINER_OUTPUT_FIELDS : undefined,
      containers,
      record: options.write === undefined ? undefined : { path: options.write, layout: captureLayout(options) },
      snapshot: { envBytes },
      probe: {
        ringBufferMb,
        watchUnimplemented: options.watchUnimplementedSyscalls === true,
      },
      context: outputs.storing ? new SyscallAlertContext() : undefined,
      metrics: outputs.metrics,
    }); // prettier-ignore
  } catch (error) {
    containers?.close();
    await outputs.close();
    if (!(error instanceof ProbeFailedError || error instanceof ProbeBinaryMissingError))
      throw error;
    reportError('run', error.message);
    return 2;
  }
  if (outputs.metrics !== undefined) {
    publishLiveDrops(outputs.metrics, live);
    publishStdoutDrops(outputs.metrics, stdout);
  }
  const started = Date.now();
  const reloads = { failed: 0 };
  const start: RunStart = {
    command: 'run', rules: options.rules, minPriority, configFile: options.config, configUse, config,
    flags: options, capture: options.write, quiet,
  }; // prettier-ignore
  const outcome = await untilStopped(live, start, logger, reloads);
  handleSignalsWhileStopping('run', 'the outputs, the capture if any, and the counters');
  if (outcome instanceof Error) {
    logger.error({ err: outcome }, 'live capture failed; stopping');
    onAlert(captureStoppedAlert(outcome.message, { hostname: live.hostname, timeFormat }));
  }
  const counters = await live.stop();
  containers?.close();
  const outputCounts = await outputs.close();
  stdout.reportDropped();
  const elapsedMs = Date.now() - started;
  const text = formatCounters(counters, byRule, elapsedMs, reloads.failed, {
    stdoutDropped: stdout.dropped,
    outputs: outputCounts,
  });
  reportSummary('run', 'stopped', text, {
    elapsedMs,
    counters,
    byRule: Object.fromEntries(byRule),
    failedReloads: reloads.failed,
    stdoutDropped: stdout.dropped,
    outputs: outputCounts,
  });
  return outcome instanceof Error ? 1 : 0;
}

/**
 * Waits for SIGINT/SIGTERM (or a probe failure), reading the configuration and the rules again
 * on every SIGHUP; `reloads.failed` counts the reloads refused for errors in either.
 */
async function untilStopped(
  live: LivePipeline,
  start: RunStart,
  logger: Logger,
  reloads: { failed: number },
): Promise<Error | undefined> {
  const { reload, settled } = serialReload(start, logger, reloads, async (next) => {
    await live.replaceRules(next);
    logger.info({ count: next.enabledCount }, 'rules reloaded; capture went on');
  });
  const outcome = await new Promise<Error | undefined>((resolve) => {
    const early = handOverStartupSignals(() => {
      process.on('SIGHUP', reload);
      process.once('SIGINT', () => resolve(undefined));
      process.once('SIGTERM', () => resolve(undefined));
    });
    // The configuration and rule files may have changed after they were read at start.
    if (early.has('SIGHUP')) reload();
    if (early.has('SIGINT') || early.has('SIGTERM')) resolve(undefined);
    stopWhenStdoutCloses(() => resolve(undefined));
    live.done.then(
      () => resolve(new Error('the probe stopped unexpectedly')),
      (error: Error) => resolve(error),
    );
  });
  process.off('SIGHUP', reload);
  stopWhenStdoutCloses(undefined);
  await settled();
  return outcome;
}

/** The counters printed at exit. */
export function formatCounters(
  counters: LiveCounters,
  byRule: ReadonlyMap<string, number>,
  elapsedMs: number,
  failedReloads: number,
  extra: { stdoutDropped?: number; outputs?: Readonly<Record<string, OutputStats>> } = {},
): string {
  const { stdoutDropped = 0 } = extra;
  const lines = [
    `harrier: stopped after ${(elapsedMs / 1000).toFixed(1)} s`,
    `  events: ${counters.events} (kernel saw ${counters.kernelEventsSeen}, sent ${counters.kernelEventsSent})`,
    `  alerts: ${counters.alerts}`,
    `  kernel drops: ${counters.drops.kernel} (${formatDropReasons(counters.drops)})`,
    `  userspace drops: ${counters.drops.userspace}`,
    `  drop alerts: ${counters.dropAlerts}`,
    `  capture stopped alerts: ${byRule.get(CAPTURE_STOPPED_RULE) ?? 0}`,
    `  rule reloads: ${counters.reloads}`,
    `  failed rule reloads: ${failedReloads}`,
    ...formatStateCounters(counters),
  ];
  if (counters.recorded > 0) lines.push(`  events recorded: ${counters.recorded}`);
  if (stdoutDropped > 0)
    lines.push(`  stdout: ${stdoutDropped} alert lines dropped while it was not read`);
  lines.push(...formatOutputCounts(extra.outputs));
  if (byRule.size > 0) lines.push('Triggered rules by rule name:');
  for (const [rule, count] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1)))
    lines.push(`  ${rule}: ${count}`);
  return `${lines.join('\n')}\n`;
}
