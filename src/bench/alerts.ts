/**
 * Alert delivery benchmark, one run: alerts per second into the SQLite store, alerts per
 * second through the router's on-disk queue to a loopback webhook, and the latency delivery
 * adds (from `deliver` to the request arriving), both under load and one alert at a time.
 * The reference is formatting the same alerts as Falco JSON, measured in this run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlertRouter, formatAlertJson } from '../alerts/index.js';
import { startCaptureServer, type CaptureServer } from '../testing/loopback.js';
import { sampleAlert } from '../testing/sample-alert.js';
import { AlertStore } from '../store/index.js';

const directory = mkdtempSync(path.join(tmpdir(), 'harrier-bench-alerts-'));
const alerts = Array.from({ length: 50_000 }, (_, sequence) => sampleAlert({ sequence }));

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? Number.NaN;
}

function benchFormat(): number {
  const start = process.hrtime.bigint();
  for (const alert of alerts) formatAlertJson(alert);
  return alerts.length / seconds(start);
}

function benchStore(): number {
  const store = new AlertStore({ path: path.join(directory, 'store.db') });
  const start = process.hrtime.bigint();
  alerts.forEach((alert, index) => store.record(`a${index}`, alert));
  store.write();
  const rate = alerts.length / seconds(start);
  store.close();
  return rate;
}

/** Delivers `count` alerts as fast as possible; returns the rate and per-alert latencies (ms). */
async function benchWebhook(server: CaptureServer, count: number, spacingMs: number, name: string) {
  const sent = new Map<number, bigint>();
  const latencies: number[] = [];
  server.responder = (request) => {
    const pid = JSON.parse(request.body).output_fields['proc.pid'] as number;
    const at = sent.get(pid);
    if (at !== undefined) latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
    return { status: 200 };
  };
  const router = new AlertRouter({
    stateDir: path.join(directory, name),
    outputs: [{ name: 'hook', type: 'webhook', options: { url: server.url } }],
  });
  const start = process.hrtime.bigint();
  let deliverNs = 0n;
  for (let sequence = 0; sequence < count; sequence++) {
    const before = process.hrtime.bigint();
    sent.set(sequence, before);
    router.deliver(alerts[sequence]!);
    deliverNs += process.hrtime.bigint() - before;
    if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
  }
  await router.flush();
  const rate = count / seconds(start);
  await router.close();
  return { rate, latencies, deliverMicros: Number(deliverNs) / count / 1000 };
}

const server = await startCaptureServer();
try {
  const formatRate = benchFormat();
  const storeRate = benchStore();
  const loaded = await benchWebhook(server, 5_000, 0, 'loaded');
  const single = await benchWebhook(server, 200, 2, 'single');
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} alerts/s`;
  console.log(`Falco JSON formatting (reference):     ${rate(formatRate)}`);
  console.log(
    `store (SQLite, batched transactions):  ${rate(storeRate)}  (${(formatRate / storeRate).toFixed(1)}x slower than formatting)`,
  );
  console.log(
    `webhook through the on-disk queue:     ${rate(loaded.rate)}  (5,000 alerts, one POST each, loopback)`,
  );
  console.log(
    `deliver() call (queue write on disk):  ${loaded.deliverMicros.toFixed(1)} µs per alert`,
  );
  console.log(
    `added latency under load:              p50 ${percentile(loaded.latencies, 0.5).toFixed(2)} ms, ` +
      `p99 ${percentile(loaded.latencies, 0.99).toFixed(2)} ms (deliver() to arrival, queue drained in order)`,
  );
  console.log(
    `added latency one at a time:           p50 ${percentile(single.latencies, 0.5).toFixed(2)} ms, ` +
      `p99 ${percentile(single.latencies, 0.99).toFixed(2)} ms (200 alerts, 2 ms apart)`,
  );
} finally {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
}
