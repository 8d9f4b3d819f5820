/**
 * An alert: one rule firing on one event, with everything an output needs to deliver it.
 */
import type { OutputFieldValue } from '../engine/index.js';
import type { Priority } from '../detect/index.js';

export interface Alert {
  /** Event time, nanoseconds since the epoch. */
  time: bigint;
  rule: string;
  priority: Priority;
  source: string;
  hostname: string;
  /** The full output line: time prefix, priority and the rule's resolved output. */
  output: string;
  /** Fields of the rule output and of the prefix, typed. */
  outputFields: Map<string, OutputFieldValue>;
  tags: readonly string[];
}
