import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { connect, type Msg } from 'nats';
import { AlertRouter } from '../router.js';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createNatsDestination, natsSubject } from './nats.js';
import { neverAbort } from '../../testing/loopback.js';

/** The Debian package `nats-server`; CI installs it. Missing is a failure, not a skip. */
function requireNatsServer(): void {
  const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) {
    assert.fail(
      'nats-server is not installed: run `apt-get install -y --no-install-recommends nats-server`',
    );
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts nats-server on 127.0.0.1:`port` (with its monitoring endpoint on `monitorPort` when
 * given) and waits until it accepts connections.
 */
async function startNats(port: number, monitorPort?: number): Promise<ChildProcess> {
  const monitor = monitorPort === undefined ? [] : ['-m', String(monitorPort)];
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...monitor], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    const ready = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  throw new Error(`nats-server did not listen on port ${port}`);
}

async function stopNats(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

test('publishes Falco JSON on harrier.<priority>.<rule> to a real nats-server', async (t) => {
  requireNatsServer();
  const port = await freePort();
  const server = await startNats(port);
  t.after(() => stopNats(server));
  const subscriber = await connect({ servers: `nats://127.0.0.1:${port}` });
  t.after(() => subscriber.close());
  const received: Msg[] = [];
  const subscription = subscriber.subscribe('harrier.>', {
    callback: (_, message) => received.push(message),
  });
  await subscriber.flush();

  const destination = createNatsDestination({ servers: `nats://127.0.0.1:${port}` });
  const alerts = [
    sampleAlert({ sequence: 1 }),
    sampleAlert({ sequence: 2, priority: 'Critical', rule: 'Write below /etc' }),
  ];
  await destination.send(
    alerts.map((alert, index) => ({ id: `${index}`, attempts: 0, alert })),
    neverAbort,
  );
  await destination.close();
  await subscriber.flush();
  subscription.unsubscribe();

  assert.deepEqual(
    received.map((message) => message.subject),
    ['harrier.notice.terminal_shell_in_container', 'harrier.critical.write_below_etc'],
  );
  const body = JSON.parse(new TextDecoder().decode(received[1]!.data));
  assert.equal(body.rule, 'Write below /etc');
  assert.equal(body.output_fields['proc.pid'], 2);
  assert.equal(natsSubject(alerts[0]!, 'alerts.{source}'), 'alerts.syscall');
});

test('alerts queued while nats-server is down arrive once it starts', async (t) => {
  requireNatsServer();
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const router = new AlertRouter({
    outputs: [
      {
        name: 'nats',
        type: 'nats',
        options: { servers: url },
        timeoutMs: 2000,
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
      },
    ],
  });
  t.after(() => router.close());
  for (let sequence = 0; sequence < 10; sequence++) router.deliver(sampleAlert({ sequence }));
  assert.equal(await router.flush(300), false);
  assert.ok(router.stats().outputs.nats!.failures >= 1);

  const monitorPort = await freePort();
  const server = await startNats(port, monitorPort);
  t.after(() => stopNats(server));
  assert.equal(await router.flush(10_000), true);
  assert.equal(router.stats().outputs.nats!.delivered, 10);
  // Core NATS keeps nothing for subscribers that are not there yet, so a subscriber started
  // now could miss early messages; the server's own count shows it received all ten.
  const varz = (await (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).json()) as {
    in_msgs: number;
  };
  assert.equal(varz.in_msgs, 10);
});
