import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createSyslogDestination } from './syslog.js';
import { neverAbort, testContext } from '../../testing/loopback.js';

/**
 * RFC 5424 section 6: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
 * SP STRUCTURED-DATA [SP MSG], with the field lengths of the ABNF.
 */
const rfc5424 =
  /^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) ((?:\[[^ =\]"]+(?: [^ =\]"]+="(?:[^"\\\]]|\\.)*")*\])+|-)(?: (.*))?$/s;

function checkMessage(message: string, pid: number): void {
  const match = rfc5424.exec(message);
  assert.ok(match, `not RFC 5424: ${message}`);
  assert.equal(Number(match[1]), 16 * 8 + 5, 'local0 facility, Notice severity');
  // The sample alert's time is 12:00:00 plus `pid` microseconds; RFC 5424 allows six digits.
  assert.equal(match[2], `2024-05-01T12:00:00.${String(pid).padStart(6, '0')}Z`);
  assert.equal(match[3], 'test-host');
  assert.equal(match[4], 'harrier');
  assert.equal(match[6], 'syscall');
  assert.equal(match[7], '[origin software="harrier"]');
  assert.equal(match[8], `Terminal shell in container pid=${pid}`);
}

const options = { facility: 'local0' as const };
const alerts = [1, 2].map((sequence) => ({
  id: `${sequence}`,
  attempts: 0,
  alert: sampleAlert({ sequence }),
}));
const context = testContext('{{rule}} pid={{proc.pid}}');

test('UDP: one RFC 5424 message per datagram', async () => {
  const socket = dgram.createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (message) => received.push(message.toString()));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  const destination = createSyslogDestination({ ...options, transport: 'udp', port }, context);
  await destination.send(alerts, neverAbort);
  while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  await destination.close();
  socket.close();
  received.forEach((message, index) => checkMessage(message, index + 1));
});

/** Collects everything written to a stream server. */
async function streamServer(listen: (server: net.Server) => Promise<void>) {
  let data = '';
  const server = net.createServer((socket) =>
    socket.on('data', (chunk) => (data += chunk.toString())),
  );
  await listen(server);
  return { server, received: () => data };
}

test('TCP: octet-counted framing (RFC 6587), reconnecting after the receiver restarts', async () => {
  const { server, received } = await streamServer(
    (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve())),
  );
  const port = (server.address() as AddressInfo).port;
  const destination = createSyslogDestination({ ...options, transport: 'tcp', port }, context);
  await destination.send(alerts, neverAbort);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await destination.close();
  server.close();

  let rest = received();
  const messages: string[] = [];
  while (rest.length > 0) {
    const space = rest.indexOf(' ');
    const length = Number(rest.slice(0, space));
    const body = Buffer.from(rest.slice(space + 1));
    messages.push(body.subarray(0, length).toString());
    rest = body.subarray(length).toString();
  }
  assert.equal(messages.length, 2);
  messages.forEach((message, index) => checkMessage(message, index + 1));
});

test('TCP: a refused connection is a retryable failure', async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const destination = createSyslogDestination({ ...options, transport: 'tcp', port }, context);
  await assert.rejects(destination.send(alerts, neverAbort), {
    name: 'DeliveryError',
    retryable: true,
  });
});

test(
  'TCP: close drops a connection the receiver never closes, after a bounded wait (F3)',
  { timeout: 10_000 },
  async () => {
    // A receiver that reads to the end but keeps its side open, as the trial's listener did.
    const accepted: net.Socket[] = [];
    let ended = false;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      accepted.push(socket);
      socket.on('data', () => {});
      socket.on('end', () => (ended = true));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const destination = createSyslogDestination(
      { ...options, transport: 'tcp', port, closeWaitMs: 100 },
      context,
    );
    await destination.send(alerts, neverAbort);

    await destination.close();

    assert.equal(ended, true, 'Harrier ended its side first');
    // Harrier's socket is gone, not half-open: the receiver's writes are refused (a reset).
    const [receiver] = accepted;
    const refused = new Promise((resolve) => receiver.on('close', resolve));
    const ping = setInterval(() => receiver.write('ping'), 20);
    await refused;
    clearInterval(ping);
    await new Promise((resolve) => server.close(resolve));
  },
);

test('unix stream socket: one message per line', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-syslog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = path.join(dir, 'log.sock');
  const { server, received } = await streamServer(
    (s) => new Promise((resolve) => s.listen(socketPath, () => resolve())),
  );
  const destination = createSyslogDestination(
    { ...options, transport: 'unix', path: socketPath },
    context,
  );
  await destination.send(alerts, neverAbort);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await destination.close();
  server.close();
  const lines = received().split('\n');
  assert.equal(lines.pop(), '');
  lines.forEach((message, index) => checkMessage(message, index + 1));
});
