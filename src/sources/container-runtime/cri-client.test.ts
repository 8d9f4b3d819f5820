import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { ContainerMetadata } from './container-metadata.js';
import { CriClient } from './cri-client.js';
import {
  CONTAINER_ID,
  containerdContainerStatus,
  IMAGE_DIGEST,
  IMAGE_ID,
  POD_UID,
  SANDBOX_ID,
} from './cri-fixtures.js';
import { containerdPod, removeSocketDirectory, startFakeCri } from './cri-fake-runtime.js';
import { CriCallError, type CriContainerStatusResponse } from './cri-service.js';
import { findRuntimeClients } from './runtime-sockets.js';

/** A logger whose lines are kept as parsed objects. */
function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

test('a containerd container is described over a real gRPC socket, its pod from the sandbox', async () => {
  const fake = await startFakeCri(containerdPod);
  const client = new CriClient({ socketPath: fake.socketPath });
  try {
    const info = await client.inspect('3f9e8d7c6b5a');
    assert.ok(info !== undefined);
    assert.deepEqual(
      {
        id: info.id,
        fullId: info.fullId,
        type: info.type,
        name: info.name,
        image: info.image,
        imageRepository: info.imageRepository,
        imageTag: info.imageTag,
        imageDigest: info.imageDigest,
        imageId: info.imageId,
        privileged: info.privileged,
        user: info.user,
        ip: info.ip,
        hostNetwork: info.hostNetwork,
        createdTime: info.createdTime,
        startedAt: info.startedAt,
        podSandboxId: info.podSandboxId,
        podSandboxCniResult: info.podSandboxCniResult,
        isPodSandbox: info.isPodSandbox,
      },
      {
        id: '3f9e8d7c6b5a',
        fullId: CONTAINER_ID,
        type: 'containerd',
        name: 'nginx',
        image: 'docker.io/library/nginx:1.25.3',
        imageRepository: 'docker.io/library/nginx',
        imageTag: '1.25.3',
        imageDigest: IMAGE_DIGEST,
        imageId: IMAGE_ID,
        privileged: false,
        user: '101',
        ip: '10.244.1.7',
        hostNetwork: false,
        createdTime: 1717171717,
        startedAt: 1717171718000000042n,
        podSandboxId: SANDBOX_ID,
        podSandboxCniResult: '{"eth0":{"IPConfigs":[{"Gateway":"10.244.1.1","IP":"10.244.1.7"}]}}',
        isPodSandbox: false,
      },
    );
    assert.deepEqual(info.mounts, [
      {
        source: `/var/lib/kubelet/pods/${POD_UID}/volumes/token`,
        destination: '/var/run/secrets/kubernetes.io/serviceaccount',
        mode: '',
        readWrite: false,
        propagation: 'private',
      },
      {
        source: '/srv/data',
        destination: '/data',
        mode: '',
        readWrite: true,
        propagation: 'rslave',
      },
    ]);
    assert.deepEqual(Object.fromEntries(info.labels), {
      'io.kubernetes.container.name': 'nginx',
      'io.kubernetes.pod.name': 'web-7d4b9',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': POD_UID,
      'io.kubernetes.sandbox.id': SANDBOX_ID,
    });
    assert.deepEqual(Object.fromEntries(info.podSandboxLabels), {
      app: 'web',
      'pod-template-hash': '7d4b9',
      'io.kubernetes.pod.name': 'web-7d4b9',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': POD_UID,
    });
    assert.equal(info.sandbox?.name, 'web-7d4b9');
    assert.equal(info.sandbox?.isPodSandbox, true);

    // Version is asked once per socket; both lookups are verbose.
    await client.inspect('3f9e8d7c6b5a');
    assert.deepEqual(fake.calls, [
      'Version v1',
      'ContainerStatus 3f9e8d7c6b5a verbose=true',
      `PodSandboxStatus ${SANDBOX_ID} verbose=true`,
      'ContainerStatus 3f9e8d7c6b5a verbose=true',
      `PodSandboxStatus ${SANDBOX_ID} verbose=true`,
    ]);
    assert.deepEqual(client.counters, {
      calls: 5,
      failures: 0,
      timeouts: 0,
      malformedInfo: 0,
      sandboxFailures: 0,
    });
  } finally {
    client.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('a sandbox id is described as the pod sandbox; an unknown id is undefined, not a failure', async () => {
  const fake = await startFakeCri({ ...containerdPod, runtimeName: 'cri-o' });
  const client = new CriClient({ socketPath: fake.socketPath });
  try {
    const sandbox = await client.inspect('a1b2c3d4e5f6');
    assert.equal(sandbox?.isPodSandbox, true);
    assert.equal(sandbox?.type, 'cri-o');
    assert.equal(sandbox?.name, 'web-7d4b9');
    assert.equal(sandbox?.labels.get('io.kubernetes.pod.namespace'), 'shop');
    assert.equal(sandbox?.ip, '10.244.1.7');
    // kubectl's last-applied-configuration annotation: an exec liveness probe, an HTTP readiness one.
    const liveness = { type: 'liveness-probe', exe: 'cat', args: ['/tmp/healthy'] };
    assert.deepEqual(sandbox?.healthProbes, [liveness]);
    assert.deepEqual((await client.inspect('3f9e8d7c6b5a'))?.healthProbes, [liveness]);
    assert.equal(await client.inspect('ffffffffffff'), undefined);
    assert.equal(await client.inspect('../etc/passwd'), undefined);
    assert.deepEqual(fake.calls.slice(-2), [
      'ContainerStatus ffffffffffff verbose=true',
      'PodSandboxStatus ffffffffffff verbose=true',
    ]);
    assert.equal(client.counters.failures, 0);
  } finally {
    client.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('malformed verbose info is counted and logged once with line and column; the sandbox comes from ListContainers', async () => {
  const broken: CriContainerStatusResponse = {
    status: containerdContainerStatus,
    info: { info: '{"sandboxID": "a1b2", "pid": 12,' },
  };
  const fake = await startFakeCri({ ...containerdPod, containers: { [CONTAINER_ID]: broken } });
  const { logger, lines } = memoryLogger();
  const client = new CriClient({ socketPath: fake.socketPath, logger });
  try {
    const info = await client.inspect(CONTAINER_ID);
    await client.inspect(CONTAINER_ID);
    // The status still gives name and image; the JSON-only fields are empty.
    assert.equal(info?.name, 'nginx');
    assert.equal(info?.image, 'docker.io/library/nginx:1.25.3');
    assert.equal(info?.imageId, '');
    assert.equal(info?.user, '');
    assert.equal(info?.podSandboxId, SANDBOX_ID);
    assert.equal(info?.ip, '10.244.1.7');
    assert.ok(fake.calls.includes(`ListContainers ${CONTAINER_ID}`));
    assert.equal(client.counters.malformedInfo, 2);
    const warnings = lines.filter((line) => line.level === 40);
    assert.equal(warnings.length, 1);
    assert.equal(
      warnings[0].msg,
      'CRI ContainerStatus verbose info is not a JSON object: invalid JSON: unexpected end of input at line 1 column 33; metadata read without it',
    );
    assert.equal(warnings[0].id, CONTAINER_ID);
  } finally {
    client.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('a call past its deadline fails with DEADLINE_EXCEEDED and is counted; an event waits only its bound', async () => {
  const fake = await startFakeCri({ ...containerdPod, containerDelayMs: 400 });
  const client = new CriClient({ socketPath: fake.socketPath, timeoutMs: 50 });
  const metadata = new ContainerMetadata({ clients: [client] });
  try {
    await assert.rejects(client.inspect('3f9e8d7c6b5a'), (error: unknown) => {
      assert.ok(error instanceof CriCallError);
      assert.equal(error.code, status.DEADLINE_EXCEEDED);
      assert.match(
        error.message,
        /^CRI ContainerStatus on unix:\/\/.*cri\.sock failed: DEADLINE_EXCEEDED: /,
      );
      return true;
    });
    assert.equal(client.counters.timeouts, 1);
    assert.equal(client.counters.failures, 1);

    // The wait for the event ends before the call's deadline; the fetch then fails and is cached as an error.
    assert.equal(await metadata.lookup('3f9e8d7c6b5a', { waitMs: 1, prefer: 'cri' }), undefined);
    assert.equal(metadata.counters.timeouts, 1);
    assert.equal(await metadata.lookup('3f9e8d7c6b5a', { waitMs: 5000 }), undefined);
    assert.equal(metadata.counters.errors, 1);
    assert.equal(client.counters.timeouts, 2);
  } finally {
    metadata.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('a runtime that dies fails lookups with UNAVAILABLE, and is read again once it is back', async () => {
  const first = await startFakeCri(containerdPod);
  const { logger, lines } = memoryLogger();
  const client = new CriClient({ socketPath: first.socketPath, logger });
  try {
    assert.equal((await client.inspect('3f9e8d7c6b5a'))?.name, 'nginx');
    first.stop();
    await assert.rejects(client.inspect('3f9e8d7c6b5a'), (error: unknown) => {
      assert.ok(error instanceof CriCallError);
      assert.equal(error.code, status.UNAVAILABLE);
      return true;
    });
    await assert.rejects(client.inspect('3f9e8d7c6b5a'));
    assert.equal(client.counters.failures, 2);
    // Logged once, however many calls fail the same way.
    const warnings = lines.filter((line) => line.level === 40);
    assert.equal(warnings.length, 1);
    assert.equal(
      warnings[0].msg,
      'CRI call failed; the container is looked up again later and reads <NA> meanwhile',
    );

    rmSync(first.socketPath, { force: true });
    const second = await startFakeCri(containerdPod, first.socketPath);
    try {
      let name: string | undefined;
      // The channel reconnects with a back-off of at most 5 s.
      for (let attempt = 0; attempt < 40 && name === undefined; attempt++) {
        name = await client.inspect('3f9e8d7c6b5a').then(
          (info) => info?.name,
          () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250)),
        );
      }
      assert.equal(name, 'nginx');
    } finally {
      second.stop();
    }
  } finally {
    client.close();
    removeSocketDirectory(first.socketPath);
  }
});

test('a socket without the CRI service is asked Version once and then left alone', async () => {
  const fake = await startFakeCri({ noService: true });
  const { logger, lines } = memoryLogger();
  const client = new CriClient({ socketPath: fake.socketPath, logger });
  try {
    assert.equal(await client.inspect('3f9e8d7c6b5a'), undefined);
    assert.equal(await client.inspect('3f9e8d7c6b5a'), undefined);
    assert.equal(client.counters.calls, 1);
    const warnings = lines.filter((line) => line.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0].msg), /^socket serves no CRI runtime\.v1 service/);
    assert.equal(client.counters.failures, 0);
  } finally {
    client.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('CRI sockets given replace the defaults; paths that are not sockets are left out', async () => {
  const fake = await startFakeCri(containerdPod);
  try {
    const { clients, criSockets } = findRuntimeClients({
      dockerApiSockets: [],
      criSockets: [fake.socketPath, join(fake.socketPath, '..', 'missing.sock'), fake.socketPath],
    });
    assert.deepEqual(criSockets, [fake.socketPath]);
    assert.deepEqual(
      clients.map((client) => [client.kind, client.endpoint]),
      [['cri', `unix://${fake.socketPath}`]],
    );
    assert.equal((await clients[0].inspect('3f9e8d7c6b5a'))?.name, 'nginx');
    for (const client of clients) client.close();
  } finally {
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});
