/**
 * The Slack output: an incoming-webhook message per alert, with the message as fallback `text`
 * and Block Kit blocks (a header, the message, up to 10 field pairs, a context line) within
 * Slack's documented limits (header 150 characters, section text 3000, 10 fields of 2000).
 */
import type { Alert } from '../alert.js';
import { alertFacts, cut } from './facts.js';
import { sendHttp } from './http.js';
import type { Destination, DestinationContext } from './types.js';

export interface SlackOptions {
  /** The incoming webhook URL. */
  readonly url: string;
  /** Overrides the webhook's user name, where the webhook allows it. */
  readonly username?: string;
}

/**
 * Posts alerts to a Slack incoming webhook.
 *
 * @example
 * createSlackDestination({ url: process.env.SLACK_WEBHOOK_URL! }, context)
 */
export function createSlackDestination(
  options: SlackOptions,
  context: DestinationContext,
): Destination {
  return {
    batchSize: 1,
    async send(deliveries, signal) {
      for (const { alert } of deliveries) {
        const body = JSON.stringify(slackMessage(alert, context.template.render(alert), options));
        await sendHttp({ url: options.url, body }, signal);
      }
    },
    close: async () => {},
  };
}

/** The webhook payload for `alert`. */
function slackMessage(
  alert: Alert,
  message: string,
  options: Pick<SlackOptions, 'username'>,
): object {
  const fields = alertFacts(alert, 10, 1900).map((fact) => ({
    type: 'mrkdwn',
    text: `*${escape(fact.name)}*\n${escape(fact.value)}`,
  }));
  return {
    ...(options.username === undefined ? {} : { username: options.username }),
    text: cut(message, 3000),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: cut(`${alert.priority}: ${alert.rule}`, 150) },
      },
      { type: 'section', text: { type: 'mrkdwn', text: cut(escape(message), 3000) } },
      { type: 'section', fields },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: cut(escape(`${alert.hostname} · ${alert.source}`), 3000) },
        ],
      },
    ],
  };
}

/** Slack's three control characters in mrkdwn text. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
