/**
 * `harrier alerts` option values, checked before the store is opened: a time the store's
 * nanosecond column cannot hold, or a count SQLite cannot take, is a usage error saying what
 * fits, never SQLite's own words. Each reader adds its message to `problems`.
 */
import { parseDuration } from '../config/index.js';

/** Alert times count from the epoch: events carry unsigned nanoseconds since 1970. */
const EARLIEST_MS = 0;

/** The last millisecond a signed 64-bit count of nanoseconds reaches: 2262-04-11. */
const LATEST_MS = Number((2n ** 63n - 1n) / 1_000_000n);

const DAY_MS = 86_400_000;

/**
 * The most alerts `--limit` asks for: far more than a store holds (its retention keeps a
 * million by default), and a count SQLite and a JavaScript number both hold exactly.
 */
export const MAX_LIMIT = 1_000_000_000;

export const SINCE_HELP =
  'a duration back from now with its unit (90s, 30m, 2h, 7d) or an ISO 8601 date or time, UTC unless an offset is given (2024-05-01, 2024-05-01T12:00:00+02:00); a bare number is refused, as it could be seconds or a year';

export const LIMIT_HELP = `most alerts shown, a whole number from 1 to ${MAX_LIMIT}`;

/**
 * A date, optionally with a time and an offset: 2024-05-01, 2024-05-01T12:00:00.5+02:00, or
 * a time as alerts prints it, 2024-05-01T12:50:00.000000000+0000.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** `--since`: milliseconds since the epoch; undefined when not given or not valid. */
export function readSince(
  text: string | undefined,
  nowMs: number,
  problems: string[],
): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    problems.push(
      `--since takes a duration with its unit or an ISO 8601 date, found the bare number '${text}': write ${trimmed}s for seconds, or a date such as 2016-01-01`,
    );
    return undefined;
  }
  const back = parseDuration(trimmed);
  if (back !== undefined) return durationSince(text, nowMs - back, nowMs, problems);
  const ms = isoTimeMs(trimmed);
  if (ms === undefined) {
    problems.push(
      `--since takes a duration with its unit (30m, 2h, 7d) or an ISO 8601 date or time (2024-05-01, 2024-05-01T12:00:00Z), found '${text}'`,
    );
    return undefined;
  }
  if (ms >= EARLIEST_MS && ms <= LATEST_MS) return ms;
  problems.push(
    `--since takes a time from ${isoText(EARLIEST_MS)} to ${isoText(LATEST_MS)}, the times the store holds, found '${text}'`,
  );
  return undefined;
}

/** The start of a duration back from now, when it does not reach before the epoch. */
function durationSince(
  text: string,
  sinceMs: number,
  nowMs: number,
  problems: string[],
): number | undefined {
  if (sinceMs >= EARLIEST_MS) return sinceMs;
  const days = Math.floor((nowMs - EARLIEST_MS) / DAY_MS);
  problems.push(
    `--since reaches back at most to ${isoText(EARLIEST_MS)}, ${days}d from now, found '${text}'`,
  );
  return undefined;
}

/** Milliseconds of an ISO 8601 date or time; undefined when not one or not in the calendar. */
function isoTimeMs(text: string): number | undefined {
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, time = '00:00', offset = 'Z'] = match;
  // Date.parse rolls 2024-02-30 over to March 1 instead of refusing it.
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day)); // not 19xx for years < 100
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day))
    return undefined;
  // Without an offset the time is UTC, as alerts prints its times (Date.parse would take local).
  const ms = Date.parse(`${year}-${month}-${day}T${time}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function isoText(ms: number): string {
  return new Date(ms).toISOString();
}

/** `--limit`: a whole number from 1 to `MAX_LIMIT`; undefined when not valid. */
export function readLimit(text: string, problems: string[]): number | undefined {
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (limit >= 1 && limit <= MAX_LIMIT) return limit;
  problems.push(`--limit takes a whole number of alerts from 1 to ${MAX_LIMIT}, found '${text}'`);
  return undefined;
}
