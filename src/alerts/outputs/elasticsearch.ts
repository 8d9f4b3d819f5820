/**
 * The Elasticsearch / OpenSearch output: the bulk API with `create` actions whose `_id` is the
 * alert's id, so a resent alert is a 409 conflict, not a second document. Each document is
 * Falco's JSON alert plus `@timestamp`, which data streams require.
 */
import { formatAlertJson, isoTime } from '../format.js';
import { sendHttp } from './http.js';
import { DeliveryError, type Destination } from './types.js';

export interface ElasticsearchOptions {
  /** The cluster base URL. */
  readonly url: string;
  /** Index or data stream; default `harrier-alerts`. */
  readonly index?: string;
  readonly username?: string;
  readonly password?: string;
  /** Sent as `Authorization: ApiKey …`. */
  readonly apiKey?: string;
}

interface BulkItem {
  [action: string]: { _id?: string; status: number; error?: unknown };
}

/**
 * Indexes alerts through `_bulk`.
 *
 * @example
 * createElasticsearchDestination({ url: 'http://127.0.0.1:9200', index: 'harrier' })
 */
export function createElasticsearchDestination(options: ElasticsearchOptions): Destination {
  const url = `${options.url.replace(/\/+$/, '')}/_bulk`;
  const index = options.index ?? 'harrier-alerts';
  return {
    batchSize: 200,
    async send(deliveries, signal) {
      const body = deliveries
        .map(({ id, alert }) => {
          const action = JSON.stringify({ create: { _index: index, _id: id } });
          const document = `{"@timestamp":"${isoTime(alert.time, 'Z')}",${formatAlertJson(alert).slice(1)}`;
          return `${action}\n${document}\n`;
        })
        .join('');
      const text = await sendHttp(
        { url, body, contentType: 'application/x-ndjson', headers: authorization(options) },
        signal,
      );
      checkItems(
        JSON.parse(text) as { errors: boolean; items: BulkItem[] },
        deliveries.map((d) => d.id),
      );
    },
    close: async () => {},
  };
}

/** Throws when some items failed, naming the ids that were stored (created or already there). */
function checkItems(response: { errors: boolean; items: BulkItem[] }, ids: string[]): void {
  if (!response.errors) return;
  const accepted: string[] = [];
  let retryable = false;
  response.items.forEach((item, position) => {
    const result = Object.values(item)[0];
    if (result === undefined) return;
    if (result.status < 300 || result.status === 409) accepted.push(ids[position] as string);
    else if (result.status === 429 || result.status >= 500) retryable = true;
  });
  if (accepted.length === ids.length) return;
  throw new DeliveryError(
    `bulk request stored ${accepted.length} of ${ids.length} alerts`,
    retryable,
    accepted,
  );
}

function authorization(options: ElasticsearchOptions): Record<string, string> {
  if (options.apiKey !== undefined) return { authorization: `ApiKey ${options.apiKey}` };
  if (options.username === undefined) return {};
  const pair = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
  return { authorization: `Basic ${pair}` };
}
