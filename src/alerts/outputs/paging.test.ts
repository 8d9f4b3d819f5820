import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createPagerDutyDestination } from './pagerduty.js';
import { createOpsgenieDestination } from './opsgenie.js';
import { neverAbort, startCaptureServer, testContext } from '../../testing/loopback.js';

test('PagerDuty: Events API v2 trigger with severity, timestamp and a stable dedup key', async (t) => {
  const server = await startCaptureServer(() => ({
    status: 202,
    contentType: 'application/json',
    body: '{"status":"success","message":"Event processed","dedup_key":"k"}',
  }));
  t.after(() => server.close());
  const options = {
    url: `${server.url}/v2/enqueue`,
    routingKey: 'R0UT1NGKEY0123456789012345678901',
    dedupFields: ['container.id'],
  };
  const destination = createPagerDutyDestination(options, testContext());
  const alerts = [
    sampleAlert({ sequence: 1, priority: 'Critical' }),
    sampleAlert({ sequence: 2, priority: 'Critical' }),
    sampleAlert({ sequence: 3, containerId: 'other' }),
  ];
  await destination.send(
    alerts.map((alert, index) => ({ id: `${index}`, attempts: 0, alert })),
    neverAbort,
  );

  const bodies = server.accepted.map((request) => JSON.parse(request.body));
  for (const body of bodies) {
    assert.deepEqual(Object.keys(body).sort(), [
      'client',
      'dedup_key',
      'event_action',
      'payload',
      'routing_key',
    ]);
    assert.equal(body.event_action, 'trigger');
    assert.equal(body.routing_key, options.routingKey);
    assert.ok(body.dedup_key.length <= 255);
    assert.ok(body.payload.summary.length <= 1024);
    assert.ok(['critical', 'error', 'warning', 'info'].includes(body.payload.severity));
    assert.ok(!Number.isNaN(Date.parse(body.payload.timestamp)));
    assert.equal(body.payload.source, 'test-host');
  }
  assert.equal(bodies[0].payload.severity, 'critical');
  assert.equal(bodies[2].payload.severity, 'info');
  assert.equal(bodies[0].dedup_key, bodies[1].dedup_key, 'same rule, host and container');
  assert.notEqual(bodies[0].dedup_key, bodies[2].dedup_key);
  assert.equal(bodies[0].payload.component, 'web-1');
  assert.equal(bodies[0].payload.class, 'Terminal shell in container');
  assert.equal(bodies[0].payload.custom_details['proc.pid'], 1);
});

test('PagerDuty: 429 throttling is retried, 400 invalid event is not', async (t) => {
  const server = await startCaptureServer((request) => ({
    status: request.path === '/throttled' ? 429 : 400,
  }));
  t.after(() => server.close());
  const send = (path: string) =>
    createPagerDutyDestination(
      { url: `${server.url}${path}`, routingKey: 'k' },
      testContext(),
    ).send([{ id: '1', attempts: 0, alert: sampleAlert() }], neverAbort);
  await assert.rejects(send('/throttled'), { retryable: true });
  await assert.rejects(send('/bad'), { retryable: false });
});

test('Opsgenie: create-alert request with GenieKey auth, P1-P5 priority and field limits', async (t) => {
  const server = await startCaptureServer(() => ({
    status: 202,
    contentType: 'application/json',
    body: '{"result":"Request will be processed","took":0.1,"requestId":"r"}',
  }));
  t.after(() => server.close());
  const destination = createOpsgenieDestination(
    { url: `${server.url}/v2/alerts`, apiKey: 'genie' },
    testContext(),
  );
  await destination.send(
    [
      {
        id: '1',
        attempts: 0,
        alert: sampleAlert({ priority: 'Emergency', rule: 'r'.repeat(300) }),
      },
    ],
    neverAbort,
  );
  const request = server.accepted[0]!;
  assert.equal(request.path, '/v2/alerts');
  assert.equal(request.headers.authorization, 'GenieKey genie');
  const body = JSON.parse(request.body);
  assert.ok(body.message.length <= 130);
  assert.ok(body.alias.length <= 512);
  assert.ok(body.description.length <= 15000);
  assert.equal(body.priority, 'P1');
  assert.ok(Array.isArray(body.tags) && body.tags.length <= 20);
  for (const value of Object.values(body.details)) assert.equal(typeof value, 'string');
  assert.equal(body.details['proc.pid'], '0');
  assert.equal(body.entity, 'test-host');
});
