import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createAlertmanagerDestination } from './alertmanager.js';
import { createSplunkDestination } from './splunk.js';
import { createElasticsearchDestination } from './elasticsearch.js';
import { createLokiDestination } from './loki.js';
import { neverAbort, startCaptureServer, testContext } from '../../testing/loopback.js';

const batch = (count: number, extra = {}) =>
  Array.from({ length: count }, (_, index) => ({
    id: `id-${index}`,
    attempts: 0,
    alert: sampleAlert({ sequence: index, ...extra }),
  }));

test('Alertmanager: a postableAlerts array on /api/v2/alerts with valid label names', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const options = {
    url: `${server.url}/`,
    labelFields: ['container.name', 'proc.pid'],
    expireAfterMs: 60_000,
  };
  await createAlertmanagerDestination(options, testContext()).send(batch(2), neverAbort);
  const request = server.accepted[0]!;
  assert.equal(request.path, '/api/v2/alerts');
  const alerts = JSON.parse(request.body);
  assert.equal(alerts.length, 2);
  for (const alert of alerts) {
    for (const [name, value] of Object.entries(alert.labels)) {
      assert.match(name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      assert.equal(typeof value, 'string');
    }
    for (const value of Object.values(alert.annotations)) assert.equal(typeof value, 'string');
    assert.ok(Date.parse(alert.endsAt) - Date.parse(alert.startsAt) === 60_000);
  }
  assert.equal(alerts[1].labels.alertname, 'Terminal shell in container');
  assert.equal(alerts[1].labels.container_name, 'web-1');
  assert.equal(alerts[1].labels.proc_pid, '1');
});

test('Splunk HEC: concatenated event objects with Splunk token auth and exact 64-bit values', async (t) => {
  const server = await startCaptureServer(() => ({
    status: 200,
    contentType: 'application/json',
    body: '{"text":"Success","code":0}',
  }));
  t.after(() => server.close());
  const items = batch(2);
  items[1]!.alert.outputFields.set('proc.vpid', 9_007_199_254_740_993n);
  await createSplunkDestination({
    url: `${server.url}/services/collector/event`,
    token: 'hec',
    index: 'sec',
  }).send(items, neverAbort);
  const request = server.accepted[0]!;
  assert.equal(request.headers.authorization, 'Splunk hec');
  const events = request.body.split('\n').map((line) => JSON.parse(line));
  assert.equal(events.length, 2);
  for (const event of events) {
    assert.equal(typeof event.time, 'number');
    assert.equal(event.host, 'test-host');
    assert.equal(event.index, 'sec');
    assert.equal(event.event.rule, 'Terminal shell in container');
  }
  assert.equal(events[0].time, 1_714_564_800);
  assert.match(request.body, /"proc\.vpid":9007199254740993/);
});

test('Elasticsearch: NDJSON bulk create actions with alert ids; 409 counts as stored, 429 is retried', async (t) => {
  let bulk = '';
  const server = await startCaptureServer((request) => {
    bulk = request.body;
    const items = [
      { create: { _id: 'id-0', status: 201 } },
      { create: { _id: 'id-1', status: 409 } },
      { create: { _id: 'id-2', status: 429 } },
    ];
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ took: 1, errors: true, items }),
    };
  });
  t.after(() => server.close());
  const destination = createElasticsearchDestination({
    url: server.url,
    index: 'alerts',
    username: 'u',
    password: 'p',
  });
  await assert.rejects(
    destination.send(batch(3), neverAbort),
    (error: { retryable: boolean; acceptedIds: string[] }) => {
      assert.equal(error.retryable, true);
      assert.deepEqual(error.acceptedIds, ['id-0', 'id-1']);
      return true;
    },
  );
  const request = server.all[0]!;
  assert.equal(request.path, '/_bulk');
  assert.equal(request.headers['content-type'], 'application/x-ndjson');
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  assert.ok(bulk.endsWith('\n'), 'bulk bodies end with a newline');
  const lines = bulk
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(lines.length, 6);
  assert.deepEqual(lines[0], { create: { _index: 'alerts', _id: 'id-0' } });
  assert.equal(lines[1]['@timestamp'], '2024-05-01T12:00:00.000000000Z');
  assert.equal(lines[1].rule, 'Terminal shell in container');
});

test('Loki: push API JSON, one stream per label set, nanosecond string timestamps', async (t) => {
  const server = await startCaptureServer(() => ({ status: 204 }));
  t.after(() => server.close());
  const items = [...batch(2), ...batch(1, { priority: 'Critical' })];
  await createLokiDestination(
    { url: server.url, labels: { job: 'harrier' }, tenant: 'team-a' },
    testContext(),
  ).send(items, neverAbort);
  const request = server.accepted[0]!;
  assert.equal(request.path, '/loki/api/v1/push');
  assert.equal(request.headers['x-scope-orgid'], 'team-a');
  const { streams } = JSON.parse(request.body);
  assert.equal(streams.length, 2);
  for (const stream of streams) {
    for (const [name, value] of Object.entries(stream.stream)) {
      assert.match(name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      assert.equal(typeof value, 'string');
    }
    for (const [time, line] of stream.values) {
      assert.match(time, /^\d{19}$/);
      assert.equal(JSON.parse(line).source, 'syscall');
    }
  }
  assert.equal(streams[0].values.length, 2);
  assert.deepEqual(streams[1].stream, {
    job: 'harrier',
    source: 'syscall',
    priority: 'Critical',
    rule: 'Terminal shell in container',
    hostname: 'test-host',
  });
});
