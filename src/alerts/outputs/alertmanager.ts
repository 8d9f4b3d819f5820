/**
 * The Prometheus Alertmanager output: alerts POSTed as a JSON array to `/api/v2/alerts`, with
 * labels (`alertname` = rule, priority, source, hostname and chosen output fields) and
 * annotations (summary, description).
 */
import type { Alert } from '../alert.js';
import { isoTime } from '../format.js';
import { sendHttp } from './http.js';
import type { Destination, DestinationContext } from './types.js';

export interface AlertmanagerOptions {
  /** The Alertmanager base URL, e.g. `http://127.0.0.1:9093`. */
  readonly url: string;
  /** Output fields sent as labels, their names with non-word characters as `_`. */
  readonly labelFields?: readonly string[];
  /** When set, `endsAt` is this many ms after the alert; else Alertmanager's resolve_timeout applies. */
  readonly expireAfterMs?: number;
}

/**
 * Posts alerts to Alertmanager.
 *
 * @example
 * createAlertmanagerDestination({ url: 'http://127.0.0.1:9093' }, context)
 */
export function createAlertmanagerDestination(
  options: AlertmanagerOptions,
  context: DestinationContext,
): Destination {
  const url = `${options.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    batchSize: 50,
    async send(deliveries, signal) {
      const body = deliveries.map(({ alert }) =>
        alertmanagerAlert(alert, context.template.render(alert), options),
      );
      await sendHttp({ url, body: JSON.stringify(body) }, signal);
    },
    close: async () => {},
  };
}

/** One element of the `postableAlerts` array. */
function alertmanagerAlert(alert: Alert, message: string, options: AlertmanagerOptions): object {
  const labels: Record<string, string> = {
    alertname: alert.rule,
    priority: alert.priority,
    source: alert.source,
    hostname: alert.hostname,
  };
  for (const field of options.labelFields ?? []) {
    const value = alert.outputFields.get(field);
    if (value !== undefined && value !== null) labels[labelName(field)] = String(value);
  }
  const startsMs = Number(alert.time / 1_000_000n);
  return {
    labels,
    annotations: { summary: message, description: alert.output, tags: alert.tags.join(',') },
    startsAt: isoTime(alert.time, 'Z'),
    ...(options.expireAfterMs === undefined
      ? {}
      : { endsAt: new Date(startsMs + options.expireAfterMs).toISOString() }),
  };
}

/** A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function labelName(field: string): string {
  const name = field.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
