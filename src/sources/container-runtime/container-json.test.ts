import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContainerInfo, type ContainerInfo } from './container-info.js';
import { ContainerJsonError, containerJson, parseContainerJson } from './container-json.js';

const FULL_ID = '2cda4a93cadb6f4e3b6f0b1f5f8e3e2c1a9d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';

function podmanContainer(): ContainerInfo {
  return emptyContainerInfo({
    id: FULL_ID.slice(0, 12),
    fullId: FULL_ID,
    type: 'podman',
    name: 'harrier-test-1',
    image: 'localhost/harrier-busybox:latest',
    imageId: 'f1e2d3c4b5a6',
    imageRepository: 'localhost/harrier-busybox',
    imageTag: 'latest',
    imageDigest: 'sha256:0123',
    ip: '10.88.0.7',
    privileged: true,
    hostNetwork: true,
    mounts: [
      { source: '/tmp/data', destination: '/data', mode: 'z', readWrite: false, propagation: 'rprivate' },
    ],
    labels: new Map([['app', 'web'], ['io.kubernetes.pod.name', 'web-0']]),
    user: '1000',
    healthProbes: [
      { type: 'liveness-probe', exe: 'cat', args: ['/tmp/healthy'] },
      { type: 'readiness-probe', exe: '/bin/ready', args: [] },
    ],
    createdTime: 1_700_000_000,
    isPodSandbox: false,
    podSandboxId: 'aa'.repeat(32),
    podSandboxLabels: new Map([['tier', 'front']]),
    podSandboxCniResult: '{"cniVersion":"1.0.0"}',
  }); // prettier-ignore
}

test('a container written as libsinsp JSON reads back the same, but for startedAt', () => {
  const info = podmanContainer();
  const { info: back, isSuccessful } = parseContainerJson(containerJson(info));
  assert.equal(isSuccessful, true);
  assert.deepEqual(back, info);
});

test('the JSON uses libsinsp keys: numeric engine type, lookup_state 1, 0.0.0.0 for no ip', () => {
  const text = containerJson(emptyContainerInfo({ id: 'abc', fullId: 'abc', type: 'cri-o' }));
  const container = (JSON.parse(text) as { container: Record<string, unknown> }).container;
  assert.equal(container.type, 8);
  assert.equal(container.lookup_state, 1);
  assert.equal(container.ip, '0.0.0.0');
  assert.deepEqual(container.Mounts, []);
  assert.equal(parseContainerJson(text).info.ip, '');
});

test('a sysdig-style record with unknown keys and no lookup_state is a found container', () => {
  const text = JSON.stringify({
    container: {
      id: 'b6f0b1f5f8e3',
      type: 3,
      name: 'mesos-task',
      image: 'nginx',
      memory_limit: 0,
      port_mappings: [{ HostIp: 0, HostPort: 80, ContainerPort: 8080 }],
      Mounts: null,
    },
  });
  const { info, isSuccessful } = parseContainerJson(text);
  assert.equal(isSuccessful, true);
  assert.equal(info.type, 'unknown');
  assert.equal(info.fullId, 'b6f0b1f5f8e3');
  assert.equal(info.name, 'mesos-task');
  assert.deepEqual(info.mounts, []);
});

test('a record of a failed lookup reads as not successful', () => {
  const text = JSON.stringify({ container: { id: 'b6f0b1f5f8e3', lookup_state: 2 } });
  assert.equal(parseContainerJson(text).isSuccessful, false);
});

test('rejects bad records with a ContainerJsonError naming the key', () => {
  const cases: [string, RegExp][] = [
    ['{"container": {"id": "a"', /^not JSON: /],
    ['[1]', /^expected an object under "container", found nothing$/],
    ['{"container": "x"}', /^expected an object under "container", found a string$/],
    ['{"container": {"name": "n"}}', /^expected a container id in "id" or "full_id"$/],
    ['{"container": {"id": "a", "name": 7}}', /^container\.name: expected a string, found a number$/],
    ['{"container": {"id": "a", "type": 1.5}}', /^container\.type: expected an integer, found 1\.5$/],
    ['{"container": {"id": "a", "labels": {"x": 1}}}', /^container\.labels\.x: expected a string, found a number$/],
    ['{"container": {"id": "a", "Mounts": [{"RW": "yes"}]}}', /^container\.Mounts\[0\]\.RW: expected a boolean, found a string$/],
    ['{"container": {"id": "a", "Mounts": {}}}', /^container\.Mounts: expected an array of mounts, found an object$/],
  ]; // prettier-ignore
  for (const [text, message] of cases) {
    assert.throws(
      () => parseContainerJson(text),
      (error: Error) => error instanceof ContainerJsonError && message.test(error.message),
      text,
    );
  }
});

test('health probes go under libsinsp keys as exe and args, and read back in its order', () => {
  const info = emptyContainerInfo({
    id: 'abc',
    fullId: 'abc',
    healthProbes: [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'id'] }],
  });
  const container = (JSON.parse(containerJson(info)) as { container: Record<string, unknown> })
    .container;
  assert.deepEqual(container.Healthcheck, { exe: '/bin/sh', args: ['-c', 'id'] });
  assert.equal(container.LivenessProbe, undefined);
  const sysdigStyle = JSON.stringify({
    container: {
      id: 'abc',
      ReadinessProbe: { exe: 'ready', args: [] },
      LivenessProbe: { exe: 'alive', args: ['-q'] },
    },
  });
  assert.deepEqual(parseContainerJson(sysdigStyle).info.healthProbes, [
    { type: 'liveness-probe', exe: 'alive', args: ['-q'] },
    { type: 'readiness-probe', exe: 'ready', args: [] },
  ]);
});

test('a probe of the wrong shape is an error naming its key', () => {
  const read = (probe: unknown) => () =>
    parseContainerJson(JSON.stringify({ container: { id: 'abc', Healthcheck: probe } }));
  assert.throws(read('sh -c id'), {
    name: 'ContainerJsonError',
    message: 'container.Healthcheck: expected a probe object, found a string',
  });
  assert.throws(read({ exe: 'sh', args: ['-c', 7] }), {
    message: 'container.Healthcheck.args[1]: expected a string, found a number',
  });
  assert.throws(read({ exe: 5 }), {
    message: 'container.Healthcheck.exe: expected a string, found a number',
  });
});
