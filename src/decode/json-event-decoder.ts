/**
 * Raw JSON records to `K8sAuditEvent` and `CloudTrailEvent`, with the event time and the
 * acceptance checks of Falco's plugins: an audit event takes its time from `stageTimestamp`
 * (RFC 3339 with nanoseconds), a CloudTrail record from `eventTime` and must name an
 * `eventType` other than `AwsCloudTrailInsight`.
 */
import type { CloudTrailEvent, K8sAuditEvent } from './json-events.js';

export type DecodeResult<E> = { ok: true; event: E } | { ok: false; reason: string };

const datePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function hasValidParts(year: number, month: number, day: number, clock: number[]): boolean {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth[month - 1]) return false;
  if (month === 2 && day === 29 && !isLeapYear(year)) return false;
  const [hour, minute, second] = clock;
  return hour < 24 && minute < 60 && second < 60;
}

/**
 * Nanoseconds since the epoch of an RFC 3339 time such as `2018-10-25T13:58:49.736141Z` or
 * `2022-07-20T20:57:15+02:00`, or undefined when `text` is not one. Fractions past nine digits
 * are cut, as Go's parser does.
 */
export function parseRfc3339(text: string): bigint | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (!hasValidParts(year, month, day, [hour, minute, second])) return undefined;
  const zone = match[8];
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const [zoneHours, zoneMinutes] = zone.slice(1).split(':').map(Number);
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMinutes = (zoneHours * 60 + zoneMinutes) * (zone.startsWith('-') ? -1 : 1);
  }
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const milliseconds = date.getTime() - offsetMinutes * 60_000;
  const fraction = BigInt((match[7] ?? '').slice(0, 9).padEnd(9, '0'));
  return BigInt(milliseconds) * 1_000_000n + fraction;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One audit event; `num` is its sequence number in the source. */
export function decodeK8sAuditEvent(value: unknown, num?: bigint): DecodeResult<K8sAuditEvent> {
  if (!isObject(value)) return { ok: false, reason: 'audit event is not a JSON object' };
  const stamp = value.stageTimestamp;
  // An EventList item needs no `kind` (the plugin reads it without), but a wrong one is
  // what a reader must hear about, not the missing time that follows from it.
  if (stamp === undefined && value.kind !== undefined && value.kind !== 'Event')
    return {
      ok: false,
      reason: `not an audit event: kind is ${JSON.stringify(value.kind)}, not "Event"`,
    };
  if (stamp === undefined) return { ok: false, reason: "can't read stageTimestamp" };
  const ts = typeof stamp === 'string' ? parseRfc3339(stamp) : undefined;
  if (ts === undefined)
    return {
      ok: false,
      reason: `stageTimestamp is not an RFC 3339 time: ${JSON.stringify(stamp)}`,
    };
  const event: K8sAuditEvent = { source: 'k8s_audit', ts, raw: value };
  if (num !== undefined) event.num = num;
  return { ok: true, event };
}

/** One CloudTrail record; `num` is its sequence number in the source. */
export function decodeCloudTrailRecord(
  value: unknown,
  num?: bigint,
): DecodeResult<CloudTrailEvent> {
  if (!isObject(value)) return { ok: false, reason: 'CloudTrail record is not a JSON object' };
  const time = value.eventTime;
  if (typeof time !== 'string') return { ok: false, reason: 'record has no eventTime' };
  const ts = parseRfc3339(time);
  if (ts === undefined)
    return { ok: false, reason: `eventTime is not an RFC 3339 time: ${JSON.stringify(time)}` };
  if (typeof value.eventType !== 'string') return { ok: false, reason: 'record has no eventType' };
  if (value.eventType === 'AwsCloudTrailInsight') {
    return { ok: false, reason: 'CloudTrail Insights records are not events' };
  }
  const event: CloudTrailEvent = { source: 'aws_cloudtrail', ts, raw: value };
  if (num !== undefined) event.num = num;
  return { ok: true, event };
}
