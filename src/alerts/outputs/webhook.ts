/**
 * The HTTP webhook output: each alert POSTed as Falco's JSON alert, one per request, the way
 * Falco's http_output sends them, so falcosidekick or any Falco consumer can receive them.
 * Each request carries `Harrier-Alert-Id`, stable across retries, for receivers that dedupe.
 */
import { formatAlertJson } from '../format.js';
import { sendHttp } from './http.js';
import type { Destination } from './types.js';

export interface WebhookOptions {
  readonly url: string;
  /** Extra request headers (an `authorization` token ...). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * POSTs alerts to `options.url`.
 *
 * @example
 * createWebhookDestination({ url: 'http://127.0.0.1:2801/' })
 */
export function createWebhookDestination(options: WebhookOptions): Destination {
  return {
    batchSize: 1,
    async send(deliveries, signal) {
      for (const { id, alert } of deliveries) {
        const headers = { ...options.headers, 'harrier-alert-id': id };
        await sendHttp({ url: options.url, body: formatAlertJson(alert), headers }, signal);
      }
    },
    close: async () => {},
  };
}
