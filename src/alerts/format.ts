/**
 * Alert lines as Falco prints them: the text line `TIME: Priority output`, and the JSON alert
 * with `hostname`, `output`, `priority`, `rule`, `source`, `tags`, `time` and `output_fields`
 * in the order and spacing Falco 0.34 writes them, so Falco consumers take them unchanged.
 */
import type { Alert } from './alert.js';
import type { OutputFieldValue } from '../engine/index.js';

/** The text form: the alert's output line as is. */
export function formatAlertText(alert: Alert): string {
  return alert.output;
}

/** Falco's JSON alert, one line, no trailing newline. */
export function formatAlertJson(alert: Alert): string {
  const head = [
    `"hostname":${JSON.stringify(alert.hostname)}`,
    `"output":${JSON.stringify(alert.output)}`,
    `"priority":${JSON.stringify(alert.priority)}`,
    `"rule":${JSON.stringify(alert.rule)}`,
    `"source":${JSON.stringify(alert.source)}`,
    `"tags":${JSON.stringify([...alert.tags])}`,
    `"time":${JSON.stringify(isoTime(alert.time, 'Z'))}`,
  ].join(',');
  const fields = [...alert.outputFields.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${head}, "output_fields": ${formatFieldsJson(fields)}}`;
}

/**
 * One JSON object of named field values, in the order given; 64-bit integers keep every digit
 * (`"evt.rawtime":1796428020909836796`), as Falco and `sysdig -j` write them, though a reader
 * that parses numbers as doubles rounds them.
 */
export function formatFieldsJson(fields: Iterable<[string, OutputFieldValue]>): string {
  const members = [...fields].map(([name, value]) => `${JSON.stringify(name)}:${jsonText(value)}`);
  return `{${members.join(',')}}`;
}

/** JSON text of a typed value; bigints print as exact integers. */
function jsonText(value: OutputFieldValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  return JSON.stringify(value);
}

/**
 * ISO 8601 in UTC with nanoseconds: `2016-08-04T16:17:57.881781397` followed by `suffix`
 * (`Z` in JSON, `+0000` in text lines).
 */
export function isoTime(nanoseconds: bigint, suffix: string): string {
  const seconds = nanoseconds / 1_000_000_000n;
  const fraction = (nanoseconds % 1_000_000_000n).toString().padStart(9, '0');
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${date}.${fraction}${suffix}`;
}
