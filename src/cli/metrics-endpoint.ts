/**
 * The Prometheus endpoint of `run` and `serve`: `GET /metrics` on the address of `--metrics`
 * or the configuration's `metrics` section (off unless one of them turns it on).
 */
import type { AddressInfo } from 'node:net';
import { createMetricsServer, type MetricsRegistry } from '../api/metrics.js';
import type { HarrierConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { parseListen } from './listen-address.js';

/**
 * The address to serve metrics on, from `flag` (`--metrics HOST:PORT` gives one,
 * `--no-metrics` false) or `config`; undefined when metrics are off.
 */
export function metricsAddress(
  flag: string | false | undefined,
  config: HarrierConfig | undefined,
): string | undefined {
  if (flag !== undefined) return flag === false ? undefined : flag;
  return config?.metrics.enabled ? config.metrics.listen : undefined;
}

/** A listening metrics endpoint. */
export interface MetricsEndpoint {
  /** `http://host:port/metrics`, with the port bound (for port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `registry` on `listen` (`host:port`; a bare port means 127.0.0.1). Rejects with a
 * RangeError for a bad address and with the listen error when the port is taken.
 */
export async function startMetricsEndpoint(
  listen: string,
  registry: MetricsRegistry,
  logger: Logger,
): Promise<MetricsEndpoint> {
  const { host, port } = parseListen(listen);
  const server = createMetricsServer(registry);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown}:${address.port}/metrics`;
  logger.info({ address: address.address, port: address.port, url }, 'metrics endpoint listening');
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
