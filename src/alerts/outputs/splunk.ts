/**
 * The Splunk HTTP Event Collector output: batches of HEC event objects, concatenated in one
 * request body, each with `time` (epoch seconds), `host`, `source`, `sourcetype` and the Falco
 * JSON alert as `event`.
 */
import { formatAlertJson } from '../format.js';
import { sendHttp } from './http.js';
import type { Destination } from './types.js';

export interface SplunkOptions {
  /** The event endpoint, `…/services/collector/event`. */
  readonly url: string;
  readonly token: string;
  /** Default `harrier`. */
  readonly sourcetype?: string;
  readonly index?: string;
}

/**
 * Sends alerts to a Splunk HEC.
 *
 * @example
 * createSplunkDestination({ url: 'https://127.0.0.1:8088/services/collector/event', token })
 */
export function createSplunkDestination(options: SplunkOptions): Destination {
  return {
    batchSize: 100,
    async send(deliveries, signal) {
      const body = deliveries
        .map(({ alert }) => {
          const head = {
            time: Number(alert.time / 1_000_000n) / 1000,
            host: alert.hostname,
            source: 'harrier',
            sourcetype: options.sourcetype ?? 'harrier',
            ...(options.index === undefined ? {} : { index: options.index }),
          };
          // The alert is spliced in as text so 64-bit field values keep every digit.
          return `${JSON.stringify(head).slice(0, -1)},"event":${formatAlertJson(alert)}}`;
        })
        .join('\n');
      const headers = { authorization: `Splunk ${options.token}` };
      await sendHttp({ url: options.url, body, headers }, signal);
    },
    close: async () => {},
  };
}
