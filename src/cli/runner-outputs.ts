/**
 * What `run`, `replay` and `serve` start around detection: the alert sink with the forensic
 * store, and the metrics with their endpoint. Flags win over the configuration, which wins
 * over the defaults (store on for `run` and `serve`, metrics off).
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Alert, OutputStats } from '../alerts/index.js';
import { createHarrierMetrics, type HarrierMetrics } from '../api/metrics.js';
import { defaultStateDir, defaultStoreConfig, type HarrierConfig } from '../config/index.js';
import { prepareStorePath, StorePathError } from '../store/index.js';
import type { Logger } from '../log.js';
import {
  openAlertSink,
  openStore,
  storeSettings,
  StoreOpenError,
  type AlertSink,
} from './alert-sink.js';
import { metricsAddress, startMetricsEndpoint, type MetricsEndpoint } from './metrics-endpoint.js';
import { describeListenError } from './listen-address.js';

/** `--store FILE` / `--no-store`, `--metrics HOST:PORT` / `--no-metrics` and `--json` as parsed. */
export interface RunnerOutputFlags {
  store?: string | false;
  metrics?: string | false;
  json?: boolean;
}

/** Which of the runner outputs a command has, as its help states them. */
export interface RunnerOutputKind {
  /** `--metrics`/`--no-metrics` are offered. */
  readonly metrics: boolean;
  /** The default store is on without `--store` or `-c`. */
  readonly storeByDefault: boolean;
}

/**
 * Adds `--store`/`--no-store`, and with `metrics` also `--metrics`/`--no-metrics`, to `command`.
 * Each pair is exclusive: given both, the command stops with a usage error rather than let the
 * last one win.
 */
export function addRunnerOutputOptions(command: Command, kind: RunnerOutputKind): Command {
  const otherwise = defaultStoreConfig().path;
  command
    .option(
      '--store <file>',
      kind.storeByDefault
        ? `record alerts in this store (default: from -c, else ${otherwise})`
        : 'record alerts in this store (default: the store section of -c, else none)',
    )
    .option('--no-store', 'do not record alerts in the store');
  refuseBoth(command, '--store <file>', '--no-store');
  if (!kind.metrics) return command;
  command
    .option('--metrics <host:port>', 'serve Prometheus /metrics here (default: from -c, else off)')
    .option('--no-metrics', 'do not serve metrics');
  refuseBoth(command, '--metrics <host:port>', '--no-metrics');
  return command;
}

/**
 * A usage error, in commander's words for conflicting options, when both `flags` and `negated`
 * (`--no-...`) are given: they set the same value, and commander keeps the last silently.
 */
function refuseBoth(command: Command, flags: string, negated: string): void {
  const given = new Set<string>();
  const name = (text: string) => text.split(' ')[0]!.slice(2);
  command.on(`option:${name(flags)}`, () => given.add(flags));
  command.on(`option:${name(negated)}`, () => given.add(negated));
  command.hook('preAction', () => {
    if (given.size === 2)
      command.error(`error: option '${flags}' cannot be used with option '${negated}'`);
  });
}

export interface RunnerOutputOptions {
  readonly flags: RunnerOutputFlags;
  readonly config: HarrierConfig | undefined;
  readonly print: (alert: Alert) => void;
  /** Send alerts through the configuration's outputs (with `config`) instead of printing. */
  readonly route: boolean;
  /** Whether the store is on when neither a flag nor `config` says. */
  readonly storeByDefault: boolean;
  /** Whether this command may serve metrics. */
  readonly serveMetrics: boolean;
  readonly logger: Logger;
}

/** The started parts; `metrics` is set only while an endpoint serves them. */
export interface RunnerOutputs {
  readonly sink: AlertSink;
  /** Whether alerts are stored, so runners gather their context. */
  readonly storing: boolean;
  readonly metrics: HarrierMetrics | undefined;
  readonly endpoint: MetricsEndpoint | undefined;
  /** Closes the sink and the endpoint; gives the outputs' counts (see `AlertSink.close`). */
  close(): Promise<Record<string, OutputStats> | undefined>;
}

/**
 * Starts the metrics endpoint and opens the store; returns a message for the user when the
 * address cannot be bound or the store named by a flag or the configuration cannot be
 * opened. The endpoint comes first, so that a bad address leaves no store file behind.
 */
export async function startRunnerOutputs(
  options: RunnerOutputOptions,
): Promise<RunnerOutputs | string> {
  const { flags, config, logger } = options;
  const queueProblem = options.route ? checkQueueDirectory(config) : undefined;
  if (queueProblem !== undefined) return queueProblem;
  const address = options.serveMetrics ? metricsAddress(flags.metrics, config) : undefined;
  const metrics = address === undefined ? undefined : createHarrierMetrics();
  let endpoint: MetricsEndpoint | undefined;
  if (address !== undefined && metrics !== undefined) {
    try {
      endpoint = await startMetricsEndpoint(address, metrics.registry, logger);
    } catch (error) {
      return `cannot serve metrics on ${address}: ${describeListenError(error as NodeJS.ErrnoException)}`;
    }
  }
  let store;
  try {
    store = openStore(storeSettings(flags.store, config, options.storeByDefault), logger);
  } catch (error) {
    await endpoint?.close();
    if (error instanceof StoreOpenError) return error.message;
    throw error;
  }
  const sink = openAlertSink({
    print: options.print,
    routeWith: options.route && config !== undefined ? withStdoutFormat(config, flags) : undefined,
    store,
    metrics,
  });
  return {
    sink,
    storing: store !== undefined,
    metrics,
    endpoint,
    close: async () => {
      const counts = await sink.close();
      await endpoint?.close();
      return counts;
    },
  };
}

/**
 * `config` with `--json` applied to its stdout outputs that set no format of their own: the
 * implicit stdout output of a configuration without `outputs` among them, which would otherwise
 * print text to a user who asked for JSON.
 */
function withStdoutFormat(config: HarrierConfig, flags: RunnerOutputFlags): HarrierConfig {
  if (flags.json !== true) return config;
  const outputs = config.outputs.map((output) =>
    output.type === 'stdout' && output.options.format === undefined
      ? { ...output, options: { ...output.options, format: 'json' } }
      : output,
  );
  return { ...config, outputs };
}

/**
 * Why the outputs' queue database cannot be kept in the configuration's `state_dir`, if it
 * cannot: only the default state directory is made when missing.
 */
function checkQueueDirectory(config: HarrierConfig | undefined): string | undefined {
  if (config === undefined || config.outputs.length === 0) return undefined;
  try {
    prepareStorePath(path.join(config.stateDir, 'queue.db'), config.stateDir === defaultStateDir);
    return undefined;
  } catch (error) {
    if (!(error instanceof StorePathError)) throw error;
    return `cannot keep the output queues in state_dir ${config.stateDir}: ${error.message}`;
  }
}
