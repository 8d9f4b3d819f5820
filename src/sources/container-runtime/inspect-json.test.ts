import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dockerContainerInfo,
  joinedNetworkContainer,
  podmanContainerInfo,
  probeSandboxContainer,
  sandboxHealthProbes,
} from './inspect-json.js';

const ID = 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258';
const IMAGE_ID = 'b0e0dde3fdbad2da6ca248189ba932a807a08f0e193c7c12b5fa113d629d0d41';

/** Trimmed from podman 4.3.1's GET /v4.3.1/libpod/containers/{id}/json on this machine. */
const PODMAN_INSPECT = {
  Id: ID,
  Created: '2026-12-04T13:36:56.692793172Z',
  State: { StartedAt: '2026-12-04T13:36:56.82014817Z' },
  Image: IMAGE_ID,
  ImageDigest: 'sha256:800d4ba0659e2def8ef463570d4df8d5e24761528dacb2b78bf07ebb0d7b0901',
  ImageName: 'localhost/harrier-busybox:latest',
  Name: 'harrier-probe-x',
  Mounts: [
    {
      Type: 'bind',
      Source: '/tmp',
      Destination: '/hosttmp',
      Mode: '',
      Options: ['rbind'],
      RW: false,
      Propagation: 'rprivate',
    },
  ],
  NetworkSettings: { IPAddress: '10.88.0.18' },
  Config: { User: '', Labels: { app: 'demo', long: 'x'.repeat(101) } },
  HostConfig: {
    Privileged: false,
    PidMode: 'private',
    NetworkMode: 'bridge',
    IpcMode: 'shareable',
  },
};

test('podman inspect: identity, image parts, ip, mounts, labels and times', () => {
  const info = podmanContainerInfo(PODMAN_INSPECT);
  assert.equal(info.id, 'ddb16d03acc3');
  assert.equal(info.fullId, ID);
  assert.equal(info.type, 'podman');
  assert.equal(info.name, 'harrier-probe-x');
  assert.equal(info.image, 'localhost/harrier-busybox:latest');
  assert.equal(info.imageRepository, 'localhost/harrier-busybox');
  assert.equal(info.imageTag, 'latest');
  assert.equal(info.imageId, IMAGE_ID);
  assert.equal(info.imageDigest, PODMAN_INSPECT.ImageDigest);
  assert.equal(info.ip, '10.88.0.18');
  assert.equal(info.privileged, false);
  assert.equal(info.hostNetwork, false);
  assert.deepEqual(info.mounts, [
    {
      source: '/tmp',
      destination: '/hosttmp',
      mode: '',
      readWrite: false,
      propagation: 'rprivate',
    },
  ]);
  assert.deepEqual([...info.labels], [['app', 'demo']]);
  assert.equal(info.createdTime, Date.UTC(2026, 11, 4, 13, 36, 56) / 1000);
  assert.equal(info.startedAt, BigInt(Date.UTC(2026, 11, 4, 13, 36, 56)) * 1_000_000n + 820148170n);
});

test('podman inspect of a privileged container in the host namespaces', () => {
  const info = podmanContainerInfo({
    ...PODMAN_INSPECT,
    HostConfig: { Privileged: true, PidMode: 'host', NetworkMode: 'host', IpcMode: 'host' },
  });
  assert.deepEqual(
    [info.privileged, info.hostPid, info.hostNetwork, info.hostIpc],
    [true, true, true, true],
  );
});

/** Shapes of docker 24's GET /containers/{id}/json and /images/{id}/json. */
const DOCKER_INSPECT = {
  Id: ID,
  Name: '/web',
  Image: `sha256:${IMAGE_ID}`,
  Created: '2024-05-01T10:00:00.5Z',
  State: { StartedAt: '0001-01-01T00:00:00Z' },
  Config: { Image: 'nginx:1.25', User: '101', Labels: { 'io.kubernetes.pod.name': 'web-0' } },
  HostConfig: {
    Privileged: true,
    NetworkMode: 'container:abc123',
    PidMode: '',
    IpcMode: 'private',
  },
  NetworkSettings: { IPAddress: '' },
  Mounts: [
    {
      Source: '/srv',
      Destination: '/usr/share/nginx',
      Mode: 'ro',
      RW: false,
      Propagation: 'rprivate',
    },
  ],
};
const DOCKER_IMAGE = {
  Id: `sha256:${IMAGE_ID}`,
  RepoTags: ['nginx:1.25', 'nginx:latest'],
  RepoDigests: ['nginx@sha256:aaaa', 'mirror.local/nginx@sha256:bbbb'],
};

test('docker inspect: repository and digest from RepoDigests, tag from RepoTags', () => {
  const info = dockerContainerInfo(DOCKER_INSPECT, DOCKER_IMAGE, '172.17.0.5');
  assert.equal(info.type, 'docker');
  assert.equal(info.name, 'web');
  assert.equal(info.image, 'nginx:1.25');
  assert.equal(info.imageRepository, 'nginx');
  assert.equal(info.imageTag, '1.25');
  assert.equal(info.imageDigest, 'sha256:aaaa');
  assert.equal(info.imageId, IMAGE_ID);
  assert.equal(info.user, '101');
  assert.equal(info.privileged, true);
  assert.equal(info.ip, '172.17.0.5');
  assert.equal(info.startedAt, 0n);
  assert.equal(info.labels.get('io.kubernetes.pod.name'), 'web-0');
  assert.equal(joinedNetworkContainer(DOCKER_INSPECT), 'abc123');
});

test('docker inspect without its image: repository, tag and digest stay empty', () => {
  const info = dockerContainerInfo(DOCKER_INSPECT, undefined);
  assert.deepEqual(
    [info.imageRepository, info.imageTag, info.imageDigest, info.ip],
    ['', '', '', ''],
  );
});

test('garbage JSON gives an empty record, never a throw', () => {
  const info = podmanContainerInfo('not an object');
  assert.deepEqual([info.id, info.name, info.mounts.length, info.labels.size], ['', '', 0, 0]);
});

test('podman inspect of a --health-cmd container: the health check as /bin/sh -c', () => {
  // podman 4.3.1 inspect of `podman run --health-cmd 'id' ...` on this machine.
  const config = {
    ...PODMAN_INSPECT.Config,
    Healthcheck: { Test: ['CMD-SHELL', 'id'], Retries: 3 },
  };
  const info = podmanContainerInfo({ ...PODMAN_INSPECT, Config: config });
  assert.deepEqual(info.healthProbes, [
    { type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'id'] },
  ]);
  assert.deepEqual(podmanContainerInfo(PODMAN_INSPECT).healthProbes, []);
});

test('a dockershim pod container takes the probes of its sandbox, which has the pod spec', () => {
  const spec = { spec: { containers: [{ livenessProbe: { exec: { command: ['true'] } } }] } };
  const sandbox = {
    Config: {
      Labels: {
        'annotation.kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(spec),
      },
    },
  };
  const probes = sandboxHealthProbes(sandbox);
  assert.deepEqual(probes, [{ type: 'liveness-probe', exe: 'true', args: [] }]);
  const member = {
    ...DOCKER_INSPECT,
    Config: { Labels: { 'io.kubernetes.sandbox.id': 'feed01' } },
  };
  assert.equal(probeSandboxContainer(member), 'feed01');
  assert.equal(probeSandboxContainer(sandbox), undefined);
  assert.deepEqual(dockerContainerInfo(member, undefined, '', 100, probes).healthProbes, probes);
});
