/**
 * What a detection runner may hand over with an alert for the forensic store, and the
 * interface the store implements to receive it. The router calls the recorder for every alert,
 * grouped or not, before any output sees it.
 */
import type { OutputFieldValue } from '../engine/index.js';
import type { Alert } from './alert.js';

/** One event related to an alert, as field name to value (`proc.name`, `evt.type` ...). */
export type RelatedEvent = Readonly<Record<string, OutputFieldValue>>;

/** Events that led to an alert. */
export interface AlertContext {
  /** The process and its ancestors, the process first. */
  readonly lineage?: readonly RelatedEvent[];
  /** Recent events of the same process or container, oldest first. */
  readonly recent?: readonly RelatedEvent[];
  /**
   * The container the event came from, for store searches by container when the rule's
   * output names no `container.id` or `container.name`.
   */
  readonly container?: { readonly id: string; readonly name?: string };
}

/** Receives every alert; the SQLite store implements it. */
export interface AlertRecorder {
  /** Records `alert` under `id`; must not throw for ordinary I/O trouble (log it instead). */
  record(id: string, alert: Alert, context?: AlertContext): void;
}
