/**
 * The Grafana Loki output: the push API's JSON form, one stream per label set (source,
 * priority, rule, hostname and static labels), each value a nanosecond timestamp string and
 * the alert line (Falco JSON or the template text).
 */
import type { Alert } from '../alert.js';
import { formatAlertJson } from '../format.js';
import { labelName } from './alertmanager.js';
import { sendHttp } from './http.js';
import type { Destination, DestinationContext } from './types.js';

export interface LokiOptions {
  /** The Loki base URL. */
  readonly url: string;
  /** `json` (default) or `text`. */
  readonly format?: 'json' | 'text';
  /** Static labels added to every stream. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Sent as `X-Scope-OrgID` for multi-tenant Loki. */
  readonly tenant?: string;
}

/**
 * Pushes alerts to Loki.
 *
 * @example
 * createLokiDestination({ url: 'http://127.0.0.1:3100', labels: { job: 'harrier' } }, context)
 */
export function createLokiDestination(
  options: LokiOptions,
  context: DestinationContext,
): Destination {
  const url = `${options.url.replace(/\/+$/, '')}/loki/api/v1/push`;
  const line = (alert: Alert): string =>
    options.format === 'text' ? context.template.render(alert) : formatAlertJson(alert);
  return {
    batchSize: 200,
    async send(deliveries, signal) {
      const streams = new Map<
        string,
        { stream: Record<string, string>; values: [string, string][] }
      >();
      for (const { alert } of deliveries) {
        const stream = lokiLabels(alert, options.labels);
        const key = JSON.stringify(stream);
        const entry = streams.get(key) ?? { stream, values: [] };
        entry.values.push([alert.time.toString(), line(alert)]);
        streams.set(key, entry);
      }
      const headers =
        options.tenant === undefined ? undefined : { 'x-scope-orgid': options.tenant };
      await sendHttp(
        { url, body: JSON.stringify({ streams: [...streams.values()] }), headers },
        signal,
      );
    },
    close: async () => {},
  };
}

function lokiLabels(
  alert: Alert,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) labels[labelName(name)] = value;
  return {
    ...labels,
    source: alert.source,
    priority: alert.priority,
    rule: alert.rule,
    hostname: alert.hostname,
  };
}
