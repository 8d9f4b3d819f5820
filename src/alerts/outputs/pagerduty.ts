/**
 * The PagerDuty output: Events API v2 `trigger` events, one per request, with a dedup key per
 * rule and host (and key fields), so repeats update one incident instead of paging again.
 */
import type { Alert } from '../alert.js';
import { isoTime } from '../format.js';
import { plainFields } from '../alert-codec.js';
import { dedupKey } from './dedup-key.js';
import { cut } from './facts.js';
import { sendHttp } from './http.js';
import { pagerDutySeverity } from './severity.js';
import type { Destination, DestinationContext } from './types.js';

export interface PagerDutyOptions {
  /** The Events API v2 enqueue URL; no default, so nothing is sent until it is set. */
  readonly url: string;
  /** The integration's routing key. */
  readonly routingKey: string;
  /** Output fields that, with rule and host, make the dedup key. */
  readonly dedupFields?: readonly string[];
}

/**
 * Triggers PagerDuty events.
 *
 * @example
 * createPagerDutyDestination({ url: 'https://…/v2/enqueue', routingKey: key }, context)
 */
export function createPagerDutyDestination(
  options: PagerDutyOptions,
  context: DestinationContext,
): Destination {
  return {
    batchSize: 1,
    async send(deliveries, signal) {
      for (const { alert } of deliveries) {
        const body = JSON.stringify(pagerDutyEvent(alert, context.template.render(alert), options));
        await sendHttp({ url: options.url, body }, signal);
      }
    },
    close: async () => {},
  };
}

/** The Events API v2 body for `alert`. */
function pagerDutyEvent(alert: Alert, message: string, options: PagerDutyOptions): object {
  const container = alert.outputFields.get('container.name');
  return {
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey(alert, options.dedupFields),
    payload: {
      summary: cut(message, 1024),
      source: alert.hostname,
      severity: pagerDutySeverity(alert.priority),
      timestamp: isoTime(alert.time, 'Z'),
      ...(typeof container === 'string' ? { component: container } : {}),
      group: alert.source,
      class: alert.rule,
      custom_details: { output: alert.output, tags: alert.tags, ...plainFields(alert) },
    },
    client: 'Harrier',
  };
}
