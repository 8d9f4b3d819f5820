/**
 * `harrier serve`: runs the Kubernetes audit webhook, follows audit log files and CloudTrail
 * directories or stdin, and prints an alert line for every rule match (or sends it to the
 * outputs of `-c`), recording it in the store, until stopped; serves metrics when asked.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import { formatAlertJson, formatAlertText } from '../alerts/format.js';
import type { Alert } from '../alerts/alert.js';
import { AuditWebhook, followAuditLog, type LineFollower } from '../sources/k8s-audit/index.js';
import {
  isDirectory,
  readTrailFile,
  readTrailStream,
  TrailWatch,
  type TrailRead,
} from '../sources/cloudtrail/index.js';
import { createLogger } from '../log.js';
import type { HarrierMetrics } from '../api/metrics.js';
import { expandRulePaths, rulesOption } from './rule-paths.js';
import { JsonDetection } from './json-pipeline.js';
import { formatServeSummary } from './serve-summary.js';
import { parseListen } from './listen-address.js';
import { readConfigOption } from './config-option.js';
import { stopWhenStdoutCloses } from './closed-output.js';
import { reportDiagnostics, reportError } from './stderr-report.js';
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
  /** Audit log files to follow (from their end, as Falco). */
  auditLogs?: readonly string[];
  /** CloudTrail directories to watch, files to read, or `-` for stdin. */
  cloudTrail?: readonly string[];
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
  stop(): Promise<void>;
}

/**
 * Starts every source the options name. Resolves once the webhook listens and the files are
 * open; rejects when the port is taken or a path cannot be read.
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
  const stoppers: (() => Promise<void>)[] = [];
  let webhook: AuditWebhook | undefined;
  if (options.webhook !== false) {
    const { host, port } = parseListen(options.listen ?? '127.0.0.1:9765');
    webhook = new AuditWebhook({
      host,
      port,
      path: options.path,
      tls: options.tls,
      token: options.token,
      maxBodyBytes: options.maxBodyBytes,
      logger,
      sink: (records) => detection.take('k8s_audit', records),
    });
    await webhook.start();
    const running = webhook;
    stoppers.push(() => running.stop());
  }
  for (const file of options.auditLogs ?? [])
    stoppers.push(await followLog(file, detection, logger));
  for (const target of options.cloudTrail ?? [])
    stoppers.push(await followTrail(target, detection, logger));
  return {
    detection,
    webhook,
    stop: async () => void (await Promise.all(stoppers.map((stop) => stop()))),
  };
}

async function followLog(
  file: string,
  detection: JsonDetection,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  const follower: LineFollower = followAuditLog(file, {
    onLines: ({ records, errors }) => {
      detection.reject('k8s_audit', errors);
      detection.take('k8s_audit', records);
    },
    onError: (error) =>
      logger?.warn({ file, err: error }, 'audit log read failed; retrying at the next check'),
  });
  await follower.start();
  return () => follower.stop();
}

function takeTrail(detection: JsonDetection, read: TrailRead): void {
  detection.reject('aws_cloudtrail', read.errors);
  detection.take('aws_cloudtrail', read.records);
}

async function followTrail(
  target: string,
  detection: JsonDetection,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  if (target === '-') {
    const done = readTrailStream(process.stdin, '-', (read) => takeTrail(detection, read));
    return () => done;
  }
  if (!(await isDirectory(target))) {
    takeTrail(detection, await readTrailFile(target));
    return () => Promise.resolve();
  }
  const watch = new TrailWatch(target, {
    onFile: (_file, read) => takeTrail(detection, read),
    onError: (error) =>
      logger?.warn(
        { file: target, err: error },
        'CloudTrail directory scan failed; retrying at the next scan',
      ),
  });
  await watch.start();
  return () => watch.stop();
}

interface ServeCommandOptions extends RunnerOutputFlags {
  rules: string[];
  config?: string;
  listen: string;
  path: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  maxBodyBytes?: string;
  auditLog: string[];
  cloudtrail: string[];
  webhook: boolean;
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
      'run the Kubernetes audit webhook and follow audit and CloudTrail logs, printing alerts',
    )
    .addOption(rulesOption('rule file or directory (repeatable)').makeOptionMandatory())
    .option('--listen <host:port>', 'webhook address', '127.0.0.1:9765')
    .option('--path <path>', 'webhook endpoint path', '/k8s-audit')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option(
      '--token-file <file>',
      'file holding the bearer token clients must send (or HARRIER_WEBHOOK_TOKEN)',
    )
    .option('--max-body-bytes <n>', 'largest request body accepted (default 12 MiB)')
    .option('--audit-log <file>', 'Kubernetes audit log to follow (repeatable)', collect, [])
    .option(
      '--cloudtrail <path>',
      'CloudTrail directory to watch, file to read, or - for stdin (repeatable)',
      collect,
      [],
    )
    .option('--no-webhook', 'do not start the webhook')
    .option('--json', "print alerts as Falco's JSON")
    .option('-c, --config <file>', 'harrier.yaml: outputs, grouping, store, metrics')
    .option('-q, --quiet', 'leave out rule-load warnings (errors still show)');
  addRunnerOutputOptions(command, { metrics: true, storeByDefault: true }).action(
    async (options: ServeCommandOptions) => {
      process.exitCode = await runServe(options);
    },
  );
}

async function loadRules(
  paths: string[],
  quiet: boolean,
  logger: Logger,
): Promise<RuleSet | undefined> {
  const result = await loadRuleFilesFromDisk(await expandRulePaths(paths));
  reportDiagnostics('serve', result.diagnostics, { quiet });
  if (result.ruleSet === undefined) return undefined;
  logger.info(
    { count: result.ruleSet.enabledCount, sources: result.ruleSet.sources() },
    'rules loaded',
  );
  return result.ruleSet;
}

/** Adds the webhook's answers by HTTP status (refused requests are no event drops) to metrics. */
function publishWebhookResponses(metrics: HarrierMetrics, webhook: AuditWebhook): void {
  metrics.registry.collected(
    'harrier_webhook_responses_total',
    'Audit webhook requests answered, by HTTP status.',
    'counter',
    () =>
      [...webhook.counters.responses].map(([status, count]) => [{ status: String(status) }, count]),
  );
}

async function runServe(options: ServeCommandOptions): Promise<number> {
  const logger = createLogger('cli.serve');
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    reportError('serve', '--tls-cert and --tls-key go together');
    return 2;
  }
  const config = readConfigOption(options.config, {
    queues: true,
    store: options.store === undefined,
  });
  if (config === 'invalid') return 2;
  const ruleSet = await loadRules(options.rules, options.quiet === true, logger);
  if (ruleSet === undefined) return 1;
  const token = options.tokenFile
    ? (await readFile(options.tokenFile, 'utf8')).trim()
    : process.env.HARRIER_WEBHOOK_TOKEN;
  const tls =
    options.tlsCert && options.tlsKey
      ? { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) }
      : undefined;
  const print = options.json ? formatAlertJson : formatAlertText;
  const outputs = await startRunnerOutputs({
    flags: options, config, route: config !== undefined, storeByDefault: true,
    serveMetrics: true, print: (alert) => process.stdout.write(`${print(alert)}\n`), logger,
  }); // prettier-ignore
  if (typeof outputs === 'string') {
    reportError('serve', outputs);
    return 2;
  }
  let running: RunningServe;
  try {
    running = await startServe({
      ruleSet,
      onAlert: outputs.sink.deliver,
      metrics: outputs.metrics,
      listen: options.listen,
      path: options.path,
      tls,
      token: token || undefined,
      maxBodyBytes: options.maxBodyBytes === undefined ? undefined : Number(options.maxBodyBytes),
      auditLogs: options.auditLog,
      cloudTrail: options.cloudtrail,
      webhook: options.webhook,
      logger,
    });
  } catch (error) {
    // The metrics endpoint would keep the process alive after the error is reported.
    await outputs.close();
    throw error;
  }
  if (outputs.metrics !== undefined && running.webhook !== undefined)
    publishWebhookResponses(outputs.metrics, running.webhook);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    stopWhenStdoutCloses(resolve);
  });
  stopWhenStdoutCloses(undefined);
  await running.stop();
  await outputs.close();
  const { stats } = running.detection;
  const counters = running.webhook?.counters;
  const webhook = counters && { ...counters, responses: Object.fromEntries(counters.responses) };
  if (options.json) logger.info({ stats, webhook }, 'stopped');
  else process.stderr.write(formatServeSummary(stats, counters));
  return 0;
}
