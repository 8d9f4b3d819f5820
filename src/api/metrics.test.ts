import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { AlertRouter, sampleAlert, startCaptureServer } from '../alerts/index.js';
import { createHarrierMetrics, createMetricsServer } from './metrics.js';

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
  const metrics = createHarrierMetrics(router);
  metrics.events.inc({ source: 'syscall', type: 'execve' }, 3);
  metrics.drops.inc({ source: 'syscall', reason: 'ring "buffer"\nfull' });
  metrics.ruleEvaluation.observe(0.000003, { source: 'syscall' });
  router.deliver(sampleAlert({ sequence: 1, priority: 'Critical' }));
  router.deliver(sampleAlert({ sequence: 2, priority: 'Critical' }));

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
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="0.000005"} 1',
    'harrier_rule_evaluation_seconds_bucket{source="syscall",le="0.000001"} 0',
    'harrier_rule_evaluation_seconds_count{source="syscall"} 1',
    'harrier_alerts_total{rule="Terminal shell in container",priority="Critical"} 2',
    'harrier_output_queue_depth{output="hook"} 2',
    'harrier_output_deliveries_total{output="hook",result="delivered"} 0',
  ]) {
    assert.ok(lines.has(expected), `missing: ${expected}\n${text}`);
  }
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
});
