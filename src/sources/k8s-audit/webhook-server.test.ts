import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { AuditWebhook, type WebhookOptions } from './webhook-server.js';
import type { RawRecord } from './json-text.js';

interface Reply {
  status: number;
  body: string;
}

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const allHeaders = { 'content-type': 'application/json', ...headers };
    const sent = request(url, { method: 'POST', headers: allHeaders }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

const event = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'a-1', verb: 'get' };
const eventList = (count: number) =>
  JSON.stringify({ kind: 'EventList', items: Array.from({ length: count }, () => event) });

/** A started webhook whose sink keeps the records, with its warn lines gathered. */
async function webhookWith(options: Partial<WebhookOptions> = {}) {
  const records: RawRecord[] = [];
  const warnings: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => done(void warnings.push(JSON.parse(String(chunk)))),
  });
  const webhook = new AuditWebhook({
    port: 0,
    logger: pino({ level: 'warn' }, sink),
    sink: (taken) => {
      records.push(...taken);
      return { processed: taken.length, rejected: 0 };
    },
    ...options,
  });
  await webhook.start();
  return { webhook, records, warnings };
}

test('the Bearer scheme is case-insensitive, the token is not (RFC 7235)', async () => {
  const { webhook, records } = await webhookWith({ token: 's3cret' });
  const statuses: number[] = [];
  for (const authorization of [
    'bearer s3cret',
    'BEARER s3cret',
    'Bearer  s3cret',
    'Bearer S3CRET',
    'Basic s3cret',
    'Bearer',
    's3cret',
  ])
    statuses.push((await post(webhook.url, eventList(1), { authorization })).status);
  await webhook.stop();
  assert.deepEqual(statuses, [200, 200, 200, 401, 401, 401, 401]);
  assert.equal(records.length, 3);
});

test('a gzip body (Content-Encoding gzip or x-gzip) is decompressed and processed', async () => {
  const { webhook, records } = await webhookWith();
  const gzip = await post(webhook.url, gzipSync(eventList(3)), { 'content-encoding': 'gzip' });
  const xGzip = await post(webhook.url, gzipSync(eventList(2)), { 'content-encoding': 'X-Gzip' });
  const identity = await post(webhook.url, eventList(1), { 'content-encoding': 'identity' });
  await webhook.stop();
  assert.deepEqual([gzip.status, xGzip.status, identity.status], [200, 200, 200]);
  assert.deepEqual(JSON.parse(gzip.body), { received: 3, processed: 3, rejected: 0 });
  assert.equal(records.length, 6);
});

test('a gzip body that decompresses past the limit is refused with 413 and counted', async () => {
  const { webhook, records } = await webhookWith({ maxBodyBytes: 4096 });
  const bomb = gzipSync(eventList(500));
  assert.ok(bomb.length < 4096);
  const reply = await post(webhook.url, bomb, { 'content-encoding': 'gzip' });
  const fits = await post(webhook.url, gzipSync(eventList(5)), { 'content-encoding': 'gzip' });
  await webhook.stop();
  assert.equal(reply.status, 413);
  assert.equal(reply.body, 'request body larger than 4096 bytes once decompressed\n');
  assert.equal(fits.status, 200);
  assert.equal(webhook.counters.decompressedTooLarge, 1);
  assert.equal(records.length, 5);
});

test('broken gzip is a 400 in Harrier words; other encodings and content types a 415', async () => {
  const { webhook, records } = await webhookWith();
  const gzipped = gzipSync(eventList(20));
  const corrupt = Buffer.from(gzipped);
  for (let at = 30; at < 60; at++) corrupt[at] = (at * 131) & 0xff;
  const replies = [
    await post(webhook.url, gzipped.subarray(0, gzipped.length - 9), {
      'content-encoding': 'gzip',
    }),
    await post(webhook.url, corrupt, { 'content-encoding': 'gzip' }),
    await post(webhook.url, eventList(1), { 'content-encoding': 'gzip' }),
    await post(webhook.url, eventList(1), { 'content-encoding': 'br' }),
    await post(webhook.url, eventList(1), { 'content-encoding': 'deflate' }),
    await post(webhook.url, eventList(1), { 'content-encoding': 'gzip, br' }),
    await post(webhook.url, eventList(1), { 'content-type': 'text/plain' }),
  ];
  await webhook.stop();
  assert.deepEqual(
    replies.map(({ status }) => status),
    [400, 400, 400, 415, 415, 415, 415],
  );
  assert.equal(replies[0].body, 'gzip stream truncated\n');
  assert.match(replies[1].body, /^corrupt gzip data at compressed byte \d+\n$/);
  // Plain JSON sent as gzip: zlib reads the two magic bytes together, so finds it at byte 1.
  assert.equal(replies[2].body, 'corrupt gzip data at compressed byte 1\n');
  assert.equal(replies[3].body, "unsupported content encoding 'br': expected gzip or identity\n");
  assert.equal(replies[6].body, 'wrong content type: expected application/json\n');
  assert.equal(records.length, 0);
});

test('a body nested 100,000 levels deep is a 400 naming the position, not a 500', async () => {
  const { webhook } = await webhookWith();
  const deep = `{"kind":"EventList","items":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const reply = await post(webhook.url, deep);
  const after = await post(webhook.url, eventList(1));
  await webhook.stop();
  assert.equal(reply.status, 400);
  assert.equal(
    reply.body,
    'JSON nested too deep (more than 512 levels of arrays and objects) at line 1 column 540\n',
  );
  assert.equal(after.status, 200);
});

test('a flood of refused requests is counted in full but logged at a limited rate', async () => {
  const { webhook, warnings } = await webhookWith({ token: 's3cret' });
  for (let i = 0; i < 30; i++) await post(webhook.url, eventList(1), { authorization: 'Bearer x' });
  await post(webhook.url, '{', { authorization: 'Bearer s3cret' });
  await webhook.stop();
  assert.equal(webhook.counters.responses.get(401), 30);
  assert.equal(webhook.counters.responses.get(400), 1);
  assert.equal(warnings.length, 20);
  assert.deepEqual(
    { status: warnings[0].status, reason: warnings[0].reason, msg: warnings[0].msg },
    {
      status: 401,
      reason: 'missing or wrong bearer token',
      msg: 'audit request refused; nothing processed',
    },
  );
});
