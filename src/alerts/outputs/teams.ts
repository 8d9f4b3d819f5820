/**
 * The Microsoft Teams output: an Adaptive Card (version 1.4) wrapped in a `message` with one
 * attachment, the format Teams workflow webhooks and incoming webhooks both accept.
 */
import type { Alert } from '../alert.js';
import { alertFacts } from './facts.js';
import { sendHttp } from './http.js';
import { adaptiveCardColor } from './severity.js';
import type { Destination, DestinationContext } from './types.js';

export interface TeamsOptions {
  /** The workflow or incoming webhook URL. */
  readonly url: string;
}

/**
 * Posts alerts to a Teams webhook.
 *
 * @example
 * createTeamsDestination({ url: process.env.TEAMS_WEBHOOK_URL! }, context)
 */
export function createTeamsDestination(
  options: TeamsOptions,
  context: DestinationContext,
): Destination {
  return {
    batchSize: 1,
    async send(deliveries, signal) {
      for (const { alert } of deliveries) {
        const body = JSON.stringify(teamsMessage(alert, context.template.render(alert)));
        await sendHttp({ url: options.url, body }, signal);
      }
    },
    close: async () => {},
  };
}

/** The webhook payload for `alert`. */
function teamsMessage(alert: Alert, message: string): object {
  const facts = alertFacts(alert, 20).map((fact) => ({ title: fact.name, value: fact.value }));
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: `${alert.priority}: ${alert.rule}`,
              weight: 'Bolder',
              size: 'Medium',
              color: adaptiveCardColor(alert.priority),
              wrap: true,
            },
            { type: 'TextBlock', text: message, wrap: true },
            { type: 'FactSet', facts },
          ],
        },
      },
    ],
  };
}
