import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { AuditWebhook, type WebhookOptions } from './webhook-server.js';
import type { RawRecord, RecordError } from './json-text.js';

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

/** Sends `method` to `url` with `headers`; resolves with the status and the headers. */
function send(url: string, method: string, headers: Record<string, string>, body = '') {
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const sent = request(url, { method, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

test('the media type is matched whole and in any case, parameters allowed; 405 says Allow: POST (F20)', async () => {
  const { webhook, records } = await webhookWith();
  const statuses: number[] = [];
  for (const type of [
    'Application/JSON',
    'application/json; charset=utf-8',
    ' APPLICATION/json ;charset=UTF-8',
    'application/jsonx',
    'application/json-seq',
    'text/plain; application/json',
  ])
    statuses.push((await post(webhook.url, eventList(1), { 'content-type': type })).status);
  const get = await send(webhook.url, 'GET', {});
  await webhook.stop();
  assert.deepEqual(statuses, [200, 200, 200, 415, 415, 415]);
  assert.equal(records.length, 3);
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
});

test('a body that is no audit event is one rejected record, as a bad item is (F21)', async () => {
  const rejected: RecordError[] = [];
  const { webhook } = await webhookWith({ reject: (error) => rejected.push(error) });
  const notEvent = await post(webhook.url, '{"kind":0}');
  const notJson = await post(webhook.url, '{"kind":"Event",\n"verb":');
  await webhook.stop();
  assert.deepEqual([notEvent.status, notJson.status], [400, 400]);
  assert.deepEqual(rejected, [
    { origin: { request: '1' }, reason: 'data not recognized as a k8s audit event' },
    {
      origin: { request: '2', line: 2, column: 8 },
      reason: 'invalid JSON: unexpected end of input',
    },
  ]);
  const { eventsReceived, eventsRejected, eventsProcessed } = webhook.counters;
  assert.deepEqual([eventsReceived, eventsRejected, eventsProcessed], [2, 2, 0]);
});

/** A raw connection to the webhook's port, open once connected. */
function connect(webhook: AuditWebhook): Promise<Socket> {
  const { port } = new URL(webhook.url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: Number(port) }, () =>
      resolve(socket),
    );
    socket.on('error', reject);
  });
}

/** Resolves once `socket` is closed by the other side. */
const closedByServer = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
  });

const stalledHead =
  'POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind"';

test(
  'connections past maxConnections are closed at once and counted; a valid POST gets in after (F6)',
  { timeout: 10_000 },
  async () => {
    const { webhook, warnings } = await webhookWith({ maxConnections: 2 });
    const held = [await connect(webhook), await connect(webhook)];
    for (const socket of held) socket.write(stalledHead);
    const third = await connect(webhook);
    await closedByServer(third);
    const fourth = await connect(webhook);
    await closedByServer(fourth);
    assert.equal(webhook.counters.connectionsRefused, 2);
    for (const socket of held) socket.destroy();
    await until(() => webhook.counters.aborted === 2);
    const after = await post(webhook.url, eventList(1));
    await webhook.stop();
    assert.equal(after.status, 200);
    // Logged once a minute, the counter has them all.
    assert.deepEqual(
      warnings.map((line) => [line.msg, line.maxConnections]),
      [['audit webhook connection refused: the most connections allowed are open', 2]],
    );
  },
);

test(
  'a stalled body is answered 408 after the request time limit and counted (F6)',
  { timeout: 10_000 },
  async () => {
    const { webhook, records } = await webhookWith({ requestTimeoutMs: 200 });
    const socket = await connect(webhook);
    socket.write(stalledHead);
    const answer = await closedByServer(socket);
    await webhook.stop();
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /\r\nrequest not received whole within 0\.2 s\n\r\n/);
    assert.equal(webhook.counters.responses.get(408), 1);
    assert.equal(records.length, 0);
  },
);

test(
  'a client that goes away mid-body is counted as aborted, not as a 500 answer (F7)',
  { timeout: 10_000 },
  async () => {
    const { webhook, warnings } = await webhookWith();
    const socket = await connect(webhook);
    socket.write(stalledHead);
    await until(() => webhook.counters.requests === 1);
    socket.destroy();
    await until(() => webhook.counters.aborted === 1);
    await webhook.stop();
    assert.deepEqual([...webhook.counters.responses], []);
    assert.deepEqual(warnings, []);
  },
);

/** Resolves once `condition` holds, checking every 10 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('GET /healthz answers ok without the token and outside the request counters', async () => {
  const { webhook } = await webhookWith({ token: 's3cret' });
  const get = (url: string, method = 'GET') =>
    new Promise<Reply>((resolve, reject) => {
      const sent = request(url, { method }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      });
      sent.on('error', reject);
      sent.end();
    });
  const health = new URL('/healthz', webhook.url).href;
  const replies = [await get(health), await get(health, 'HEAD'), await get(health, 'POST')];
  const beside = await get(new URL('/healthzz', webhook.url).href);
  await webhook.stop();
  assert.deepEqual(
    replies.map((reply) => [reply.status, reply.body]),
    [
      [200, 'ok\n'],
      [200, ''],
      [404, replies[2]!.body],
    ],
  );
  assert.equal(beside.status, 404);
  assert.equal(webhook.counters.requests, 2, 'the POST and the other path count, not the probes');
});

test('Expect: 100-continue is answered 100 only for a head that passes, token and size included', async () => {
  const { webhook, records } = await webhookWith({ token: 's3cret', maxBodyBytes: 1000 });
  const { port } = new URL(webhook.url);
  /** The first status line the server sends after the head, before any body is sent. */
  const firstAnswer = (headers: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = createConnection(Number(port), '127.0.0.1');
      socket.on('error', reject);
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString().split('\r\n')[0]!);
        socket.destroy();
      });
      socket.write(
        `POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Expect: 100-continue\r\n${headers}\r\n`,
      );
    });
  const answers = [
    await firstAnswer('Authorization: Bearer s3cret\r\nContent-Length: 100\r\n'),
    await firstAnswer('Authorization: Bearer wrong\r\nContent-Length: 100\r\n'),
    await firstAnswer('Authorization: Bearer s3cret\r\nContent-Length: 13000000\r\n'),
  ];
  await webhook.stop();
  assert.deepEqual(answers, [
    'HTTP/1.1 100 Continue',
    'HTTP/1.1 401 Unauthorized',
    'HTTP/1.1 413 Payload Too Large',
  ]);
  assert.equal(records.length, 0);
});
