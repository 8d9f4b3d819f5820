import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCloudTrailRecord, decodeK8sAuditEvent, parseRfc3339 } from './json-event-decoder.js';

test('parseRfc3339 reads UTC, offsets, and fractions up to nine digits (cutting the rest)', () => {
  assert.equal(parseRfc3339('2018-10-25T13:58:49.736141Z'), 1540475929736141000n);
  assert.equal(parseRfc3339('2014-03-06T21:22:54Z'), 1394140974000000000n);
  assert.equal(parseRfc3339('2014-03-06T23:22:54+02:00'), 1394140974000000000n);
  assert.equal(parseRfc3339('2014-03-06T21:22:54.1234567891Z'), 1394140974123456789n);
  assert.equal(parseRfc3339('0001-01-01T00:00:00Z'), -62135596800000000000n);
});

test('parseRfc3339 refuses what Go refuses', () => {
  for (const text of [
    '2014-03-06 21:22:54Z',
    '2014-02-30T00:00:00Z',
    '2014-03-06T24:00:00Z',
    '2014-03-06T21:22:54',
    '2014-3-6T21:22:54Z',
    '2014-03-06T21:22:54.Z',
    '',
  ]) {
    assert.equal(parseRfc3339(text), undefined, text);
  }
  assert.equal(parseRfc3339('2016-02-29T00:00:00Z'), 1456704000000000000n);
  assert.equal(parseRfc3339('2015-02-29T00:00:00Z'), undefined);
});

test('decodeK8sAuditEvent takes ts from stageTimestamp, as the k8saudit plugin', () => {
  const decoded = decodeK8sAuditEvent(
    { kind: 'Event', stageTimestamp: '2018-10-25T13:58:49.736141Z' },
    7n,
  );
  assert.ok(decoded.ok);
  assert.equal(decoded.event.ts, 1540475929736141000n);
  assert.equal(decoded.event.num, 7n);
  assert.deepEqual(decodeK8sAuditEvent({ kind: 'Event' }), {
    ok: false,
    reason: "can't read stageTimestamp",
  });
  assert.equal(decodeK8sAuditEvent([]).ok, false);
});

test('an item without stageTimestamp whose kind is not Event is named by its kind (F21)', () => {
  assert.deepEqual(decodeK8sAuditEvent({ kind: 0 }), {
    ok: false,
    reason: 'not an audit event: kind is 0, not "Event"',
  });
  assert.deepEqual(decodeK8sAuditEvent({ kind: 'Pod', metadata: {} }), {
    ok: false,
    reason: 'not an audit event: kind is "Pod", not "Event"',
  });
  // Items of an EventList carry no kind of their own: the missing time is the problem.
  assert.deepEqual(decodeK8sAuditEvent({ auditID: 'a' }), {
    ok: false,
    reason: "can't read stageTimestamp",
  });
});

test('decodeCloudTrailRecord needs eventTime and an eventType other than insights', () => {
  const record = { eventTime: '2014-03-06T21:22:54Z', eventType: 'AwsApiCall' };
  const decoded = decodeCloudTrailRecord(record);
  assert.ok(decoded.ok);
  assert.equal(decoded.event.ts, 1394140974000000000n);
  assert.deepEqual(decodeCloudTrailRecord({ eventType: 'AwsApiCall' }), {
    ok: false,
    reason: 'record has no eventTime',
  });
  assert.deepEqual(decodeCloudTrailRecord({ ...record, eventType: undefined }), {
    ok: false,
    reason: 'record has no eventType',
  });
  assert.equal(decodeCloudTrailRecord({ ...record, eventType: 'AwsCloudTrailInsight' }).ok, false);
});

test('decoders never throw and always give a reason on arbitrary JSON (fuzz)', () => {
  const stamp = fc.oneof(
    fc.string(),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  );
  const value = fc.oneof(
    fc.jsonValue(),
    fc.record(
      { stageTimestamp: stamp, eventTime: stamp, eventType: fc.string() },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(value, (input) => {
      for (const decoded of [decodeK8sAuditEvent(input), decodeCloudTrailRecord(input)]) {
        if (decoded.ok) assert.equal(typeof decoded.event.ts, 'bigint');
        else assert.ok(decoded.reason.length > 0);
      }
    }),
    { numRuns: 3000 },
  );
});
