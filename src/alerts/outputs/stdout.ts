/**
 * The stdout output: one line per alert, text (the template) or Falco JSON.
 */
import { formatAlertJson } from '../format.js';
import type { Delivery, Destination, DestinationContext } from './types.js';

export interface StdoutOptions {
  /** `text` (default) or `json` (Falco's JSON alert). */
  readonly format?: 'text' | 'json';
}

/**
 * Writes alerts to `stream` (process.stdout by default).
 *
 * @example
 * createStdoutDestination({ format: 'json' }, context)
 */
export function createStdoutDestination(
  options: StdoutOptions,
  context: DestinationContext,
  stream: NodeJS.WritableStream = process.stdout,
): Destination {
  const line = (delivery: Delivery): string =>
    options.format === 'json'
      ? formatAlertJson(delivery.alert)
      : context.template.render(delivery.alert);
  return {
    batchSize: 100,
    send: (deliveries) =>
      new Promise((resolve, reject) => {
        const text = deliveries.map((delivery) => `${line(delivery)}\n`).join('');
        stream.write(text, (error) => (error ? reject(error) : resolve()));
      }),
    close: async () => {},
  };
}
