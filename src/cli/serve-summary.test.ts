import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatServeSummary } from './serve-summary.js';

const none = { received: 0, processed: 0, rejected: 0, alerts: 0 };

test('the stop summary gives records per source and webhook answers by status, as text', () => {
  const text = formatServeSummary(
    { k8s_audit: { received: 12, processed: 10, rejected: 2, alerts: 3 }, aws_cloudtrail: none },
    {
      requests: 9,
      responses: new Map([
        [401, 2],
        [200, 6],
        [413, 1],
      ]),
      eventsReceived: 12,
      eventsProcessed: 10,
      eventsRejected: 2,
      decompressedTooLarge: 1,
      aborted: 0,
      connectionsRefused: 0,
    },
  );
  assert.equal(
    text,
    [
      'harrier serve: stopped',
      '  k8s_audit: 12 records, 10 processed, 2 rejected, 3 alerts',
      '  webhook: 9 requests (200: 6, 401: 2, 413: 1)',
      '  webhook: 1 gzip body refused, over the size limit once decompressed',
      '',
    ].join('\n'),
  );
});

test('the stop summary of a serve that received nothing says so, without a webhook line', () => {
  assert.equal(
    formatServeSummary({ k8s_audit: none, aws_cloudtrail: none }, undefined),
    'harrier serve: stopped\n  no records received\n',
  );
});

test('the stop summary counts one record, alert or request in the singular', () => {
  const text = formatServeSummary(
    { k8s_audit: { received: 1, processed: 1, rejected: 0, alerts: 1 }, aws_cloudtrail: none },
    {
      requests: 1,
      responses: new Map([[200, 1]]),
      eventsReceived: 1,
      eventsProcessed: 1,
      eventsRejected: 0,
      decompressedTooLarge: 2,
      aborted: 0,
      connectionsRefused: 0,
    },
  );
  assert.equal(
    text,
    [
      'harrier serve: stopped',
      '  k8s_audit: 1 record, 1 processed, 0 rejected, 1 alert',
      '  webhook: 1 request (200: 1)',
      '  webhook: 2 gzip bodies refused, over the size limit once decompressed',
      '',
    ].join('\n'),
  );
});

test('the stop summary names requests given up, connections refused, stdout lines dropped and reloads', () => {
  const text = formatServeSummary(
    { k8s_audit: { received: 2, processed: 2, rejected: 0, alerts: 2 }, aws_cloudtrail: none },
    {
      requests: 5,
      responses: new Map([[200, 2]]),
      eventsReceived: 2,
      eventsProcessed: 2,
      eventsRejected: 0,
      decompressedTooLarge: 0,
      aborted: 3,
      connectionsRefused: 1,
    },
    { stdoutDropped: 40, reloads: 2, failedReloads: 1 },
  );
  assert.equal(
    text,
    [
      'harrier serve: stopped',
      '  k8s_audit: 2 records, 2 processed, 0 rejected, 2 alerts',
      '  webhook: 5 requests (200: 2)',
      '  webhook: 3 requests given up by the client, unanswered',
      '  webhook: 1 connection refused, the most allowed being open',
      '  stdout: 40 alert lines dropped while it was not read',
      '  rule reloads: 2, failed: 1',
      '',
    ].join('\n'),
  );
});

test("the stop summary ends with each configured output's counts", () => {
  const counts = { queued: 3, delivered: 1, possibleDuplicates: 0, failures: 4, rejected: 0, dropped: 0, depth: 2 };
  const text = formatServeSummary({ k8s_audit: none, aws_cloudtrail: none }, undefined, { outputs: { hook: counts } });
  assert.ok(text.endsWith('  output hook: 1 delivered, 2 still queued, sent after the next start\n'), text);
}); // prettier-ignore
