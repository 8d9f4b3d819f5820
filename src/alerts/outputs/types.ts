/**
 * The contract between the delivery layer and one destination: a destination sends a batch of
 * queued alerts and resolves only once the far end accepted them; anything else is an error
 * that says whether a retry can help.
 */
import type { Alert } from '../alert.js';
import type { Logger } from '../../log.js';
import type { Template } from '../template.js';

/** One alert waiting in an output's queue. */
export interface Delivery {
  /** Stable id of the alert, the same in every output and in the store. */
  readonly id: string;
  readonly alert: Alert;
  /** Send attempts before this one; above 0 the far end may already hold the alert. */
  readonly attempts: number;
}

/** A configured destination. */
export interface Destination {
  /** Most alerts one `send` takes. */
  readonly batchSize: number;
  /**
   * Sends `deliveries`; resolves once the destination accepted all of them. Rejects with a
   * `DeliveryError` (or any error, taken as retryable). `signal` aborts on timeout or close.
   */
  send(deliveries: readonly Delivery[], signal: AbortSignal): Promise<void>;
  /** Releases sockets, child processes and files. */
  close(): Promise<void>;
}

/** What every destination factory receives besides its own options. */
export interface DestinationContext {
  /** The output's configured name. */
  readonly name: string;
  /** The human-readable message; the alert's output line unless a template is set. */
  readonly template: Template;
  readonly logger: Logger;
}

/** A failed send. */
export class DeliveryError extends Error {
  /**
   * @param retryable false when the destination rejected the content itself (a 400): the
   *   alerts are set aside as rejected instead of retried forever.
   * @param acceptedIds ids the destination did accept despite the failure (bulk APIs).
   */
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly acceptedIds: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}
