/**
 * Alerts as JSON text and back, exactly: bigints in output fields keep every digit. Queues and
 * the store keep alerts in this form between a crash and a restart.
 */
import type { OutputFieldValue } from '../engine/index.js';
import { parsePriority } from '../detect/index.js';
import type { Alert } from './alert.js';

interface EncodedAlert {
  time: string;
  rule: string;
  priority: string;
  source: string;
  hostname: string;
  output: string;
  fields: [string, unknown][];
  tags: string[];
}

/** JSON text of `alert`; `decodeAlert` reverses it. */
export function encodeAlert(alert: Alert): string {
  const encoded: EncodedAlert = {
    time: alert.time.toString(),
    rule: alert.rule,
    priority: alert.priority,
    source: alert.source,
    hostname: alert.hostname,
    output: alert.output,
    fields: [...alert.outputFields].map(([name, value]) => [name, encodeValue(value)]),
    tags: [...alert.tags],
  };
  return JSON.stringify(encoded);
}

/** The alert that `encodeAlert` wrote. Throws a SyntaxError on text it did not write. */
export function decodeAlert(text: string): Alert {
  const encoded = JSON.parse(text) as EncodedAlert;
  const priority = parsePriority(encoded.priority);
  if (priority === undefined) throw new SyntaxError(`unknown priority '${encoded.priority}'`);
  return {
    time: BigInt(encoded.time),
    rule: encoded.rule,
    priority,
    source: encoded.source,
    hostname: encoded.hostname,
    output: encoded.output,
    outputFields: new Map(encoded.fields.map(([name, value]) => [name, decodeValue(value)])),
    tags: encoded.tags,
  };
}

/** Bigints become `{ "n": "digits" }`; no other output value is an object, so this is unambiguous. */
function encodeValue(value: OutputFieldValue): unknown {
  if (typeof value === 'bigint') return { n: value.toString() };
  if (Array.isArray(value)) return value.map(encodeValue);
  return value;
}

function decodeValue(value: unknown): OutputFieldValue {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === 'object') return BigInt((value as { n: string }).n);
  return value as OutputFieldValue;
}

/** A plain JSON value for `value`: bigints inside the safe range become numbers, others strings. */
export function plainValue(value: OutputFieldValue): unknown {
  if (typeof value === 'bigint') {
    const safe =
      value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}

/** Output fields as a plain JSON object, bigints converted as `plainValue` does. */
export function plainFields(alert: Alert): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of alert.outputFields) fields[name] = plainValue(value);
  return fields;
}
