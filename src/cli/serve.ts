/**
 * `harrier serve`: runs the Kubernetes audit webhook, follows audit log files and CloudTrail
 * directories or stdin, and prints an alert line for every rule match (or sends it to the
 * outputs of `-c`), recording it in the store, until stopped; serves metrics when asked.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { RuleSet } from '../detect/index.js';
import { formatAlertJson, formatAlertText } from '../alerts/format.js';
import type { Alert } from '../alerts/alert.js';
import { AuditWebhook, followAuditLog, type LineFollower } from '../sources/k8s-audit/index.js';
import { createLogger } from '../log.js';
import type { HarrierMetrics } from '../api/metrics.js';
import { rulesOption } from './rule-paths.js';
import { JsonDetection } from './json-pipeline.js';
import { formatServeSummary } from './serve-summary.js';
import { describeListenError, parseListen } from './listen-address.js';
import { readServeFlags, type ServeFlags } from './serve-options.js';
import { CloudTrailInputs, type CloudTrailState } from './serve-cloudtrail.js';
import { defaultStateDir } from '../config/index.js';
import { configuredRules, readConfigOption } from './config-option.js';
import { stopWhenStdoutCloses } from './closed-output.js';
import { FailureOnce } from './failure-once.js';
import { reportError } from './stderr-report.js';
import { loadCommandRules } from './command-rules.js';
import { serialReload, type RunStart } from './run-reload.js';
import {
  handOverStartupSignals,
  latchStartupSignals,
  releaseStartupSignals,
} from './startup-signals.js';
import { BoundedStdout, publishStdoutDrops } from './bounded-stdout.js';
import {
  addRunnerOutputOptions,
  startRunnerOutputs,
  type RunnerOutputFlags,
} from './runner-outputs.js';

export { parseListen };

export interface ServeOptions {
  ruleSet: RuleSet;
  onAlert: (alert: Alert) => void;
  /** `host:port`; default `127.0.0.1:9765`. Port 0 picks a free one. */
  listen?: string;
  path?: string;
  tls?: { cert: string | Buffer; key: string | Buffer };
  token?: string;
  maxBodyBytes?: number;
  /** Most webhook connections open at once; default 256. */
  maxConnections?: number;
  /** Milliseconds a webhook request has to arrive whole; default 30 s. */
  requestTimeoutMs?: number;
  /** Audit log files to follow (from their end, as Falco). */
  auditLogs?: readonly string[];
  /** CloudTrail directories to watch, files to read, or `-` for stdin. */
  cloudTrail?: readonly string[];
  /** Where the CloudTrail files read are recorded; default nowhere (all read at each start). */
  cloudTrailState?: CloudTrailState;
  /** Start the webhook; default true. */
  webhook?: boolean;
  timeFormat?: 'iso8601' | 'local';
  logger?: Logger;
  /** Counts events, rule evaluation time and rejected records. */
  metrics?: HarrierMetrics;
}

/** A running `serve`: its parts, for tests and shutdown. */
export interface RunningServe {
  detection: JsonDetection;
  webhook?: AuditWebhook;
  /** The CloudTrail inputs, counting those that could not be read. */
  cloudTrail: CloudTrailInputs;
  /**
   * Resolves once every source has ended (CloudTrail files and stdin read to their end);
   * never while the webhook, an audit log or a CloudTrail directory is followed.
   */
  ended: Promise<void>;
  stop(): Promise<void>;
}

/** One started source: how to stop it and, for a source that ends by itself, when it has. */
interface StartedSource {
  stop(): Promise<void>;
  ended?: Promise<void>;
}

/**
 * Starts every source the options name: the files first, the webhook last, so that nothing
 * listens before every input is open. Resolves once all have started; when one cannot start,
 * stops those that did and rejects with an error naming the source and the file or address.
 *
 * @example
 * const running = await startServe({ ruleSet, onAlert: (a) => console.log(a.output), listen: '127.0.0.1:9765' });
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const logger = options.logger;
  const detection = new JsonDetection({
    ruleSet: options.ruleSet,
    onAlert: options.onAlert,
    timeFormat: options.timeFormat,
    logger,
    metrics: options.metrics,
  });
  const started: StartedSource[] = [];
  const stop = async () => void (await Promise.all(started.map((source) => source.stop())));
  let webhook: AuditWebhook | undefined;
  const cloudTrail = new CloudTrailInputs(detection, logger, options.cloudTrailState);
  try {
    for (const file of options.auditLogs ?? [])
      started.push(await followLog(file, detection, logger));
    for (const target of options.cloudTrail ?? []) started.push(await cloudTrail.start(target));
    if (options.webhook !== false) {
      webhook = await startWebhook(options, detection);
      const running = webhook;
      started.push({ stop: () => running.stop() });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { detection, webhook, cloudTrail, ended: allEnded(started), stop };
}

/** When every source has ended; never if one of them follows something without end. */
function allEnded(sources: readonly StartedSource[]): Promise<void> {
  if (sources.some((source) => source.ended === undefined)) return new Promise(() => {});
  return Promise.all(sources.map((source) => source.ended)).then(() => undefined);
}

async function startWebhook(options: ServeOptions, detection: JsonDetection) {
  const listen = options.listen ?? '127.0.0.1:9765';
  const { host, port } = parseListen(listen);
  const webhook = new AuditWebhook({
    host,
    port,
    path: options.path,
    tls: options.tls,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes,
    maxConnections: options.maxConnections,
    requestTimeoutMs: options.requestTimeoutMs,
    logger: options.logger,
    sink: (records) => detection.take('k8s_audit', records),
    // A body without any event counts where a bad item of a batch does.
    reject: (error) => detection.reject('k8s_audit', [error]),
  });
  try {
    await webhook.start();
  } catch (error) {
    const reason = describeListenError(error as NodeJS.ErrnoException);
    throw new Error(`cannot start the audit webhook on ${listen}: ${reason}`, { cause: error });
  }
  return webhook;
}

async function followLog(
  file: string,
  detection: JsonDetection,
  logger: Logger | undefined,
): Promise<StartedSource> {
  if (!(await exists(file)))
    logger?.warn({ file }, 'audit log does not exist yet; reading it from its start once created');
  const failure = new FailureOnce((error) =>
    logger?.warn({ file, err: error }, 'audit log read failed; retrying at every check'),
  );
  const follower: LineFollower = followAuditLog(file, {
    onLines: ({ records, errors }) => {
      failure.succeeded();
      detection.reject('k8s_audit', errors);
      detection.take('k8s_audit', records);
    },
    onError: (error) => failure.failed(error),
  });
  try {
    await follower.start();
  } catch (error) {
    await follower.stop();
    throw new Error(`cannot follow the audit log ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { stop: () => follower.stop() };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

interface ServeCommandOptions extends RunnerOutputFlags, ServeFlags {
  rules: string[];
  config?: string;
  json?: boolean;
  quiet?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Adds `harrier serve` to the program.
 * LIMIT: serve does not run the live syscall monitor; `harrier run` beside it does.
 */
export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description(
      'run the Kubernetes audit webhook and follow audit and CloudTrail logs, printing alerts; ' +
        'SIGHUP reads -c and the rule files again, SIGINT or SIGTERM stops',
    )
    .addOption(
      rulesOption(
        'rule file or directory (repeatable)',
        "the -c configuration's rules_files, else the rules/ directory",
      ),
    )
    .option('--listen <host:port>', 'webhook address', '127.0.0.1:9765')
    .option('--path <path>', 'webhook endpoint path', '/k8s-audit')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option(
      '--token-file <file>',
      'file holding the bearer token clients must send (or HARRIER_WEBHOOK_TOKEN)',
    )
    .option(
      '--max-body-bytes <n>',
      'largest request body accepted, 1 to 268435456 bytes (default 12 MiB)',
    )
    .option(
      '--max-connections <n>',
      'most webhook connections open at once; more are closed and counted (default 256)',
    )
    .option(
      '--request-timeout <seconds>',
      'seconds a webhook request has to arrive whole, else 408 (default 30)',
    )
    .option('--audit-log <file>', 'Kubernetes audit log to follow (repeatable)', collect, [])
    .option(
      '--cloudtrail <path>',
      'CloudTrail directory to watch, file to read, or - for stdin (repeatable)',
      collect,
      [],
    )
    .option(
      '--cloudtrail-from-start',
      'read every file of the --cloudtrail directories again, not only those new or changed since the last run',
    )
    .option('--no-webhook', 'do not start the webhook')
    .option('--json', "print alerts as Falco's JSON")
    .option(
      '-c, --config <file>',
      'harrier.yaml: rule files, priority, rule_matching, append_output (read again on ' +
        'SIGHUP), outputs, grouping, store, metrics (read at start)',
    )
    .option('-q, --quiet', 'leave out rule-load warnings (errors still show)');
  addRunnerOutputOptions(command, { metrics: true, storeByDefault: true }).action(
    async (options: ServeCommandOptions, self: Command) => {
      const given = Object.keys(options).filter(
        (name) => self.getOptionValueSource(name) === 'cli',
      );
      process.exitCode = await runServe(options, new Set(given));
    },
  );
}

/**
 * Adds the webhook's answers by HTTP status (refused requests are no event drops), the
 * requests their clients gave up (no answer) and the connections refused to metrics.
 */
function publishWebhookResponses(metrics: HarrierMetrics, webhook: AuditWebhook): void {
  const { registry } = metrics;
  registry.collected(
    'harrier_webhook_responses_total',
    'Audit webhook requests answered, by HTTP status.',
    'counter',
    () =>
      [...webhook.counters.responses].map(([status, count]) => [{ status: String(status) }, count]),
  );
  registry.collected(
    'harrier_webhook_requests_aborted_total',
    'Audit webhook requests their client closed before the answer (none was sent).',
    'counter',
    () => [[{}, webhook.counters.aborted]],
  );
  registry.collected(
    'harrier_webhook_connections_refused_total',
    'Audit webhook connections closed at once because the most allowed were open.',
    'counter',
    () => [[{}, webhook.counters.connectionsRefused]],
  );
}

/** `given`: the options set on the command line (see `readServeFlags`). */
async function runServe(options: ServeCommandOptions, given: ReadonlySet<string>): Promise<number> {
  // A SIGHUP or SIGTERM while serve loads is kept for when it serves (bin/harrier.js set it).
  latchStartupSignals();
  try {
    return await runServeLatched(options, given);
  } finally {
    releaseStartupSignals();
  }
}

async function runServeLatched(
  options: ServeCommandOptions,
  given: ReadonlySet<string>,
): Promise<number> {
  const logger = createLogger('cli.serve');
  const optionProblems: string[] = [];
  const setup = await readServeFlags(options, optionProblems, given);
  for (const problem of optionProblems) reportError('serve', problem);
  if (optionProblems.length > 0) return 2;
  const configUse = {
    queues: true,
    store: options.store === undefined,
    rulesFromCommandLine: options.rules.length > 0,
  };
  const config = readConfigOption(options.config, configUse);
  if (config === 'invalid') return 2;
  const { paths, loadOptions } = configuredRules(options.rules, config);
  const quiet = options.quiet === true;
  const ruleSet = await loadCommandRules('serve', paths, loadOptions, {
    quiet,
    failedOutcome: 'nothing served',
    logger,
  });
  if (ruleSet === undefined) return 1;
  const print = options.json ? formatAlertJson : formatAlertText;
  const stdout = new BoundedStdout(logger);
  const outputs = await startRunnerOutputs({
    flags: options, config, route: config !== undefined, storeByDefault: true,
    serveMetrics: true, print: (alert) => stdout.write(`${print(alert)}\n`), logger,
  }); // prettier-ignore
  if (typeof outputs === 'string') {
    reportError('serve', outputs);
    return 2;
  }
  stdout.storing = outputs.storing;
  let running: RunningServe;
  try {
    running = await startServe({
      ruleSet,
      onAlert: outputs.sink.deliver,
      metrics: outputs.metrics,
      ...setup.webhook,
      webhook: setup.webhook !== undefined,
      auditLogs: setup.auditLogs,
      cloudTrail: setup.cloudTrail,
      cloudTrailState: {
        stateDir: config?.stateDir ?? defaultStateDir,
        isDefault: (config?.stateDir ?? defaultStateDir) === defaultStateDir,
        fromStart: options.cloudtrailFromStart === true,
      },
      logger,
    });
  } catch (error) {
    // The store and the metrics endpoint are closed so that the process ends with the error.
    await outputs.close();
    reportError('serve', (error as Error).message);
    return 2;
  }
  if (outputs.metrics !== undefined && running.webhook !== undefined)
    publishWebhookResponses(outputs.metrics, running.webhook);
  if (outputs.metrics !== undefined) publishStdoutDrops(outputs.metrics, stdout);
  const start: RunStart = {
    command: 'serve', rules: options.rules, minPriority: undefined, configFile: options.config,
    configUse, config, flags: options, capture: undefined, quiet,
  }; // prettier-ignore
  const reloads = { done: 0, failed: 0 };
  await untilStopped(running, start, logger, reloads);
  await running.stop();
  const outputCounts = await outputs.close();
  stdout.reportDropped();
  const { stats } = running.detection;
  const counters = running.webhook?.counters;
  const webhook = counters && { ...counters, responses: Object.fromEntries(counters.responses) };
  const extra = {
    stdoutDropped: stdout.dropped,
    reloads: reloads.done,
    failedReloads: reloads.failed,
    outputs: outputCounts,
  };
  if (options.json) logger.info({ stats, webhook, ...extra }, 'stopped');
  else process.stderr.write(formatServeSummary(stats, counters, extra));
  return running.cloudTrail.unreadable > 0 ? 1 : 0;
}

/**
 * Waits for SIGINT or SIGTERM, stdout's reader to go, or every source to end, reading the
 * configuration and the rules again on every SIGHUP, as `run` does; `reloads` counts the
 * reloads done and those refused for errors.
 */
async function untilStopped(
  running: RunningServe,
  start: RunStart,
  logger: Logger,
  reloads: { done: number; failed: number },
): Promise<void> {
  const { reload, settled } = serialReload(start, logger, reloads, (next) => {
    running.detection.replaceRules(next);
    reloads.done++;
    logger.info({ count: next.enabledCount }, 'rules reloaded; serving went on');
  });
  let stopNow = () => {};
  const stopped = new Promise<void>((resolve) => (stopNow = resolve));
  const early = handOverStartupSignals(() => {
    process.on('SIGHUP', reload);
    process.once('SIGINT', stopNow);
    process.once('SIGTERM', stopNow);
  });
  // The configuration and rule files may have changed after they were read at start.
  if (early.has('SIGHUP')) reload();
  if (early.has('SIGINT') || early.has('SIGTERM')) stopNow();
  stopWhenStdoutCloses(stopNow);
  void running.ended.then(() => {
    logger.info('every source has ended; stopping');
    stopNow();
  });
  await stopped;
  process.off('SIGHUP', reload);
  process.off('SIGINT', stopNow);
  process.off('SIGTERM', stopNow);
  stopWhenStdoutCloses(undefined);
  await settled();
}
