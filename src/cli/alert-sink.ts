/**
 * Where the alerts of `run`, `replay` and `serve` go: printed, or through the alert router to
 * the configured outputs; recorded in the forensic store with their context when it is on;
 * counted by rule and priority for the metrics. Every alert given goes out: the configured
 * `priority` chooses which rules load, and Harrier's own alerts (event drops, capture stopped)
 * are below no threshold.
 */
import { randomUUID } from 'node:crypto';
import {
  AlertRouter,
  type Alert,
  type AlertContext,
  type AlertRecorder,
  type OutputStats,
} from '../alerts/index.js';
import { addRouterMetrics, type HarrierMetrics } from '../api/metrics.js';
import { defaultStoreConfig, type HarrierConfig } from '../config/index.js';
import { AlertStore, type RetentionPolicy } from '../store/index.js';
import { createLogger, type Logger } from '../log.js';

/** The store a runner opens: from `--store`/`--no-store`, the configuration or the default. */
export interface StoreSettings {
  readonly path: string;
  readonly retention: RetentionPolicy;
  /**
   * Named by a flag or the configuration: failing to open it stops the command. The default
   * place (a configuration that names no path included) only warns.
   */
  readonly explicit: boolean;
}

/**
 * The store settings for `flag` (`--store FILE` gives a path, `--no-store` false) and
 * `config`; without either, the default store when `byDefault`, else none. A command that
 * stores nothing by default takes the configuration's store only from a `store:` section.
 */
export function storeSettings(
  flag: string | false | undefined,
  config: HarrierConfig | undefined,
  byDefault: boolean,
): StoreSettings | undefined {
  if (flag === false) return undefined;
  const { enabled, configured, path, retention } = config?.store ?? defaultStoreConfig();
  if (flag !== undefined) return { path: flag, retention, explicit: true };
  const explicit = path !== defaultStoreConfig().path;
  if (config !== undefined && (byDefault || configured))
    return enabled ? { path, retention, explicit } : undefined;
  return byDefault ? { path, retention, explicit: false } : undefined;
}

/** Why the store named by a flag or the configuration could not be opened. */
export class StoreOpenError extends Error {
  constructor(path: string, cause: Error) {
    super(`cannot open the alert store ${path}: ${cause.message}`, { cause });
    this.name = 'StoreOpenError';
  }
}

/**
 * Opens the store of `settings`. An explicit store that cannot be opened throws a
 * `StoreOpenError`; the default one is then left out with a warning, so that a command run
 * without root and without flags still works.
 *
 * LIMIT: only root can write the default store's directory, /var/lib/harrier: `run` and
 * `serve` without root warn and keep no alerts unless given `--store FILE`.
 */
export function openStore(
  settings: StoreSettings | undefined,
  logger: Logger,
): AlertStore | undefined {
  if (settings === undefined) return undefined;
  try {
    const store = new AlertStore({
      path: settings.path,
      retention: settings.retention,
      createDirectory: settings.path === defaultStoreConfig().path,
      logger: createLogger('store'),
    });
    logger.info({ file: settings.path }, 'alert store open');
    return store;
  } catch (error) {
    if (settings.explicit) throw new StoreOpenError(settings.path, error as Error);
    logger.warn(
      { file: settings.path, err: error },
      'default alert store cannot be opened; alerts are not stored (give --store FILE or --no-store)',
    );
    return undefined;
  }
}

export interface AlertSinkOptions {
  /** Prints an alert when no router takes them. */
  readonly print: (alert: Alert) => void;
  /** With outputs, alerts go through the router to them instead of `print`. */
  readonly routeWith?: HarrierConfig;
  readonly store?: AlertStore;
  readonly metrics?: HarrierMetrics;
}

/** Takes every alert of a runner. */
export interface AlertSink {
  deliver(alert: Alert, context?: AlertContext): void;
  /**
   * Delivers what is queued (bounded wait), then closes the router and the store; gives each
   * configured output's counts at that moment, or none without outputs.
   */
  close(): Promise<Record<string, OutputStats> | undefined>;
}

/**
 * The sink for a runner's alerts.
 *
 * @example
 * const sink = openAlertSink({ print: (alert) => console.log(alert.output), store });
 * sink.deliver(alert, context);
 * await sink.close();
 */
export function openAlertSink(options: AlertSinkOptions): AlertSink {
  const { store, metrics } = options;
  const router = options.routeWith?.outputs.length ? startRouter(options) : undefined;
  if (router !== undefined && metrics !== undefined) addRouterMetrics(metrics.registry, router);
  const recorder: AlertRecorder | undefined = router === undefined ? store : undefined;
  return {
    deliver: (alert, context) => {
      metrics?.alerts.inc({ rule: alert.rule, priority: alert.priority });
      if (router !== undefined) return router.deliver(alert, context);
      recorder?.record(randomUUID(), alert, context);
      options.print(alert);
    },
    close: async () => {
      let outputs: Record<string, OutputStats> | undefined;
      if (router !== undefined) {
        await router.flush(5000);
        outputs = router.stats().outputs;
        await router.close();
      }
      store?.close();
      return outputs;
    },
  };
}

function startRouter(options: AlertSinkOptions): AlertRouter {
  const config = options.routeWith!;
  return new AlertRouter({
    outputs: config.outputs,
    stateDir: config.stateDir,
    grouping: config.grouping,
    recorder: options.store,
    logger: createLogger('alerts.router'),
  });
}
