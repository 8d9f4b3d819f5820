/**
 * The HTTP webhook output: each alert POSTed as Falco's JSON alert, one per request, the way
 * Falco's http_output sends them (several requests in flight), so falcosidekick or any Falco consumer can receive them.
 * Each request carries `Harrier-Alert-Id`, stable across retries, for receivers that dedupe.
 */
import { formatAlertJson } from '../format.js';
import { sendEach, sendHttp } from './http.js';
import type { Destination } from './types.js';

export interface WebhookOptions {
  readonly url: string;
  /** Extra request headers (an `authorization` token ...). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Requests in flight at once; default 8. Alerts may then arrive slightly out of order;
   * 1 keeps the queue's order exactly.
   */
  readonly concurrency?: number;
}

/**
 * POSTs alerts to `options.url`.
 *
 * @example
 * createWebhookDestination({ url: 'http://127.0.0.1:2801/' })
 */
export function createWebhookDestination(options: WebhookOptions): Destination {
  return {
    batchSize: options.concurrency ?? 8,
    send: (deliveries, signal) =>
      sendEach(deliveries, options.concurrency ?? 8, ({ id, alert }) => {
        const headers = { ...options.headers, 'harrier-alert-id': id };
        return sendHttp({ url: options.url, body: formatAlertJson(alert), headers }, signal);
      }),
    close: async () => {},
  };
}
