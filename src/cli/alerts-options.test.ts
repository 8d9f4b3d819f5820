import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LIMIT, readLimit, readSince } from './alerts-options.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const DAY_MS = 86_400_000;

/** `readSince(text)` at `now`: its value and the problems it noted. */
function since(text: string): { ms: number | undefined; problems: string[] } {
  const problems: string[] = [];
  return { ms: readSince(text, now, problems), problems };
}

test('--since takes a duration with its unit back from now, or an ISO 8601 date or time', () => {
  assert.deepEqual(since('30m'), { ms: now - 30 * 60_000, problems: [] });
  assert.deepEqual(since('1.5h'), { ms: now - 90 * 60_000, problems: [] });
  assert.deepEqual(since('2016s'), { ms: now - 2_016_000, problems: [] });
  assert.deepEqual(since('7d'), { ms: now - 7 * DAY_MS, problems: [] });
  assert.deepEqual(since('2024-04-30'), { ms: now - 36 * 3_600_000, problems: [] });
  assert.deepEqual(since('2024-05-01T11:00:00.5+01:00'), { ms: now - 7_199_500, problems: [] });
  assert.deepEqual(since('1970-01-01T00:00:00Z'), { ms: 0, problems: [] });
  assert.equal(since('2024-05-01T11:00').ms, now - 3_600_000, 'UTC without an offset');
  assert.equal(since('2024-05-01 11:00:00').ms, now - 3_600_000);
  assert.equal(since('2024-05-01T12:50:00.000000000+0000').ms, now + 50 * 60_000, 'as printed');
  assert.deepEqual(since('2262-04-11T23:47:16.854Z'), { ms: 9_223_372_036_854, problems: [] });
  assert.equal(readSince(undefined, now, []), undefined);
});

test('--since refuses a bare number: it could be seconds or a year', () => {
  assert.deepEqual(since('2016'), {
    ms: undefined,
    problems: [
      "--since takes a duration with its unit or an ISO 8601 date, found the bare number '2016': write 2016s for seconds, or a date such as 2016-01-01",
    ],
  });
  assert.equal(since('30').problems.length, 1);
  assert.equal(since('0').problems.length, 1);
});

test('--since refuses times the store cannot hold, saying which times fit', () => {
  const range =
    'from 1970-01-01T00:00:00.000Z to 2262-04-11T23:47:16.854Z, the times the store holds';
  for (const text of ['3000-01-01', '0001-01-01', '1969-12-31T23:59:59Z', '2262-04-11T23:47:17Z'])
    assert.deepEqual(since(text), {
      ms: undefined,
      problems: [`--since takes a time ${range}, found '${text}'`],
    });
  const days = Math.floor(now / DAY_MS);
  assert.equal(days, 19844);
  for (const text of ['1000000d', '19845d', '99999999999999999999999999999d'])
    assert.deepEqual(since(text), {
      ms: undefined,
      problems: [
        `--since reaches back at most to 1970-01-01T00:00:00.000Z, 19844d from now, found '${text}'`,
      ],
    });
  assert.deepEqual(since('19844d'), { ms: now - 19844 * DAY_MS, problems: [] });
});

test('--since refuses what is neither a duration nor an ISO 8601 date, nor a day not in the calendar', () => {
  for (const text of [
    'yesterday',
    '2024/05/01',
    'May 1 2024',
    '2024-02-30',
    '2023-02-29',
    '5y',
    '',
  ])
    assert.deepEqual(since(text), {
      ms: undefined,
      problems: [
        `--since takes a duration with its unit (30m, 2h, 7d) or an ISO 8601 date or time (2024-05-01, 2024-05-01T12:00:00Z), found '${text}'`,
      ],
    });
  assert.deepEqual(since('2024-02-29').problems, []);
});

test('--limit takes a whole number of alerts from 1 to 1000000000', () => {
  const problems: string[] = [];
  assert.equal(readLimit('1', problems), 1);
  assert.equal(readLimit('100', problems), 100);
  assert.equal(readLimit(String(MAX_LIMIT), problems), 1_000_000_000);
  assert.deepEqual(problems, []);
  const bad = ['0', '-1', '1.5', '1e3', '0x10', ' 5', '', '1000000001', '99999999999999999999'];
  for (const text of bad) assert.equal(readLimit(text, problems), undefined);
  assert.deepEqual(
    problems,
    bad.map(
      (text) => `--limit takes a whole number of alerts from 1 to 1000000000, found '${text}'`,
    ),
  );
});
