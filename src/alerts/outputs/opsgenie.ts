/**
 * The Opsgenie output: the Alert API's create request, one per alert, with an alias per rule
 * and host so Opsgenie counts repeats on one open alert.
 */
import type { Alert } from '../alert.js';
import { dedupKey } from './dedup-key.js';
import { cut, stringFields } from './facts.js';
import { sendHttp } from './http.js';
import { opsgeniePriority } from './severity.js';
import type { Destination, DestinationContext } from './types.js';

export interface OpsgenieOptions {
  /** The create-alert URL (`…/v2/alerts`); no default. */
  readonly url: string;
  readonly apiKey: string;
  /** Output fields that, with rule and host, make the alias. */
  readonly aliasFields?: readonly string[];
}

/**
 * Creates Opsgenie alerts.
 *
 * @example
 * createOpsgenieDestination({ url: 'https://…/v2/alerts', apiKey: key }, context)
 */
export function createOpsgenieDestination(
  options: OpsgenieOptions,
  context: DestinationContext,
): Destination {
  return {
    batchSize: 1,
    async send(deliveries, signal) {
      for (const { alert } of deliveries) {
        const body = JSON.stringify(opsgenieAlert(alert, context.template.render(alert), options));
        const headers = { authorization: `GenieKey ${options.apiKey}` };
        await sendHttp({ url: options.url, body, headers }, signal);
      }
    },
    close: async () => {},
  };
}

/** The create-alert body: message 130, alias 512, description 15000 characters at most. */
function opsgenieAlert(alert: Alert, message: string, options: OpsgenieOptions): object {
  return {
    message: cut(`[${alert.priority}] ${alert.rule}`, 130),
    alias: cut(dedupKey(alert, options.aliasFields), 512),
    description: cut(message, 15000),
    tags: [...alert.tags].slice(0, 20),
    details: { rule: alert.rule, source: alert.source, ...stringFields(alert) },
    entity: alert.hostname,
    source: 'harrier',
    priority: opsgeniePriority(alert.priority),
  };
}
