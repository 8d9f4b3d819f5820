import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAlertJson } from '../format.js';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createWebhookDestination } from './webhook.js';
import { neverAbort, startCaptureServer } from '../../testing/loopback.js';

test('POSTs the exact Falco JSON alert with configured headers and the alert id', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const destination = createWebhookDestination({
    url: `${server.url}/falco`,
    headers: { authorization: 'Bearer s3cret' },
  });
  const alert = sampleAlert({ sequence: 4 });
  await destination.send([{ id: 'id-4', attempts: 0, alert }], neverAbort);
  const [request] = server.accepted;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, '/falco');
  assert.equal(request!.body, formatAlertJson(alert));
  assert.equal(request!.headers.authorization, 'Bearer s3cret');
  assert.equal(request!.headers['harrier-alert-id'], 'id-4');
});

test('a 503 is retryable, a 404 is not', async (t) => {
  const server = await startCaptureServer((request) => ({
    status: request.path === '/busy' ? 503 : 404,
  }));
  t.after(() => server.close());
  const send = (path: string) =>
    createWebhookDestination({ url: `${server.url}${path}` }).send(
      [{ id: 'x', attempts: 0, alert: sampleAlert() }],
      neverAbort,
    );
  await assert.rejects(send('/busy'), { name: 'DeliveryError', retryable: true });
  await assert.rejects(send('/gone'), { name: 'DeliveryError', retryable: false });
});

test('sends a batch concurrently and names the alerts that were accepted when one fails', async (t) => {
  const server = await startCaptureServer((request) =>
    JSON.parse(request.body).output_fields['proc.pid'] === 2 ? { status: 503 } : { status: 200 },
  );
  t.after(() => server.close());
  const destination = createWebhookDestination({ url: server.url, concurrency: 4 });
  assert.equal(destination.batchSize, 4);
  const batch = [0, 1, 2, 3, 4, 5].map((sequence) => ({
    id: `id-${sequence}`,
    attempts: 0,
    alert: sampleAlert({ sequence }),
  }));
  await assert.rejects(
    destination.send(batch, neverAbort),
    (error: { retryable: boolean; acceptedIds: string[] }) => {
      assert.equal(error.retryable, true);
      assert.deepEqual([...error.acceptedIds].sort(), ['id-0', 'id-1', 'id-3', 'id-4', 'id-5']);
      return true;
    },
  );
  assert.equal(server.all.length, 6);
});
