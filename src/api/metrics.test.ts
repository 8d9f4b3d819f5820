import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { AlertRouter } from '../alerts/index.js';
import { startCaptureServer } from '../testing/loopback.js';
import { sampleAlert } from '../testing/sample-alert.js';
import {
  addRouterMetrics,
  createHarrierMetrics,
  createMetricsServer,
  SourceMetrics,
} from './metrics.js';

/** One sample line of the text format: name, optional labels, value. */
const sampleLine =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/;

test('serves events, drops, evaluation time, alerts and output figures in the text format', async (t) => {
  const destination = await startCaptureServer(() => ({ status: 503 }));
  t.after(() => destination.close());
  const router = new AlertRouter({
    outputs: [
      {
        name: 'hook',
        type: 'webhook',
        options: { url: destination.url },
        retry: { initialDelayMs: 10_000, maxDelayMs: 10_000 },
      },
    ],
  });
  t.after(() => router.close());
  const metrics = createHarrierMetrics();
  addRouterMetrics(metrics.registry, router);
  const syscall = new SourceMetrics(metrics, 'syscall');
  for (const seconds of [0.000003, 0.0000005, 0.2]) syscall.event('execve', seconds);
  syscall.drop('ring "buffer"\nfull');
  let kernelTotal = 5;
  metrics.registry.onScrape(() =>
    metrics.drops.raiseTo({ source: 'syscall', reason: 'kernel' }, kernelTotal),
  );
  for (const sequence of [1, 2]) {
    const alert = sampleAlert({ sequence, priority: 'Critical' });
    metrics.alerts.inc({ rule: alert.rule, priority: alert.priority });
    router.deliver(alert);
  }

  const server = createMetricsServer(metrics.registry);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();

  for (const line of text.trimEnd().split('\n')) {
    if (!line.startsWith('#')) assert.match(line, sampleLine);
  }
  const lines = new Set(text.split('\n'));
  for (const expected of [
    '# TYPE harrier_events_total counter',
    'harrier_events_total{source="syscall",type="execve"} 3',
    'harrier_events_dropped_total{source="syscall",reason="ring \\"buffer\\"\\nfull"} 1',
    'harrier_events_dropped_total{source="syscall",reason="kernel"} 5',
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="0.000001"} 1',
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="0.000005"} 2',
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="0.01"} 2',
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="+Inf"} 3',
    'harrier_rule_evaluation_seconds_count{source="syscall"} 3',
    'harrier_alerts_total{rule="Terminal shell in container",priority="Critical"} 2',
    'harrier_output_queue_depth{output="hook"} 2',
    'harrier_output_deliveries_total{output="hook",result="delivered"} 0',
  ]) {
    assert.ok(lines.has(expected), `missing: ${expected}\n${text}`);
  }
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);

  kernelTotal = 9;
  const again = new Set(
    (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n'),
  );
  assert.ok(again.has('harrier_events_dropped_total{source="syscall",reason="kernel"} 9'));
});

test('source metrics count types past the limit under other, and counters never go down', () => {
  const metrics = createHarrierMetrics();
  const source = new SourceMetrics(metrics, 'aws_cloudtrail', 2);
  for (const type of ['GetObject', 'PutObject', 'GetObject', 'DeleteBucket', 'StopLogging'])
    source.event(type, 0);
  metrics.drops.raiseTo({ source: 'syscall', reason: 'kernel' }, 4);
  metrics.drops.raiseTo({ source: 'syscall', reason: 'kernel' }, 3);
  const lines = metrics.registry.render().split('\n');
  const events = lines.filter((line) => line.startsWith('harrier_events_total{'));
  assert.deepEqual(events.sort(), [
    'harrier_events_total{source="aws_cloudtrail",type="GetObject"} 2',
    'harrier_events_total{source="aws_cloudtrail",type="PutObject"} 1',
    'harrier_events_total{source="aws_cloudtrail",type="other"} 2',
  ]);
  assert.ok(lines.includes('harrier_events_dropped_total{source="syscall",reason="kernel"} 4'));
  assert.throws(() => metrics.alerts.inc({}, -1), RangeError);
});
