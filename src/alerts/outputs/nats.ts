/**
 * The NATS output: each alert published as Falco's JSON alert on a subject. A batch counts as
 * accepted once a flush round trip to the server has completed after the publishes, so the
 * server has them; core NATS keeps no message for absent subscribers.
 */
import { connect, type NatsConnection } from 'nats';
import type { Alert } from '../alert.js';
import { formatAlertJson } from '../format.js';
import { DeliveryError, type Destination } from './types.js';

export interface NatsOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /**
   * Subject; `{priority}`, `{rule}` and `{source}` are replaced by the alert's values made
   * subject-safe (lowercase, runs of other characters as `_`). Default `harrier.{priority}.{rule}`.
   */
  readonly subject?: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

/**
 * Publishes alerts to NATS.
 *
 * @example
 * createNatsDestination({ servers: 'nats://127.0.0.1:4222' })
 */
export function createNatsDestination(options: NatsOptions): Destination {
  let connection: NatsConnection | undefined;
  const open = async (): Promise<NatsConnection> => {
    if (connection !== undefined && !connection.isClosed()) return connection;
    connection = await connect({
      servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
      name: 'harrier',
      timeout: 5000,
      ...(options.user === undefined ? {} : { user: options.user, pass: options.password }),
      ...(options.token === undefined ? {} : { token: options.token }),
    });
    return connection;
  };
  const encoder = new TextEncoder();
  return {
    batchSize: 100,
    async send(deliveries) {
      try {
        const nats = await open();
        for (const { alert } of deliveries)
          nats.publish(natsSubject(alert, options.subject), encoder.encode(formatAlertJson(alert)));
        await nats.flush();
      } catch (error) {
        throw new DeliveryError('NATS publish failed', true, [], { cause: error });
      }
    },
    async close() {
      await connection?.close();
      connection = undefined;
    },
  };
}

/** The names a subject pattern may hold in braces. */
export const NATS_SUBJECT_NAMES = ['priority', 'rule', 'source'] as const;

/** The subject for `alert` from the pattern. */
export function natsSubject(alert: Alert, pattern = 'harrier.{priority}.{rule}'): string {
  const token = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^_|_$/g, '') || '_';
  return pattern.replace(/\{(priority|rule|source)\}/g, (_, name: string) =>
    token(alert[name as (typeof NATS_SUBJECT_NAMES)[number]]),
  );
}
