import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyContainerInfo,
  HOST_CONTAINER_INFO,
  type ContainerInfo,
} from '../../sources/container-runtime/index.js';
import { CONTAINER_RUNTIME_FIELDS, containerFieldValue } from './container-fields.js';

/** Every field of the plugin's list (extract.cpp), in its order. */
const PLUGIN_FIELDS = [
  'container.id',
  'container.full_id',
  'container.name',
  'container.image',
  'container.image.id',
  'container.type',
  'container.privileged',
  'container.mounts',
  'container.mount',
  'container.mount.source',
  'container.mount.dest',
  'container.mount.mode',
  'container.mount.rdwr',
  'container.mount.propagation',
  'container.image.repository',
  'container.image.tag',
  'container.image.digest',
  'container.healthcheck',
  'container.liveness_probe',
  'container.readiness_probe',
  'container.start_ts',
  'container.duration',
  'container.ip',
  'container.cni.json',
  'container.host_pid',
  'container.host_network',
  'container.host_ipc',
  'container.label',
  'container.labels',
  'proc.is_container_healthcheck',
  'proc.is_container_liveness_probe',
  'proc.is_container_readiness_probe',
  'k8s.pod.name',
  'k8s.ns.name',
  'k8s.pod.id',
  'k8s.pod.uid',
  'k8s.pod.sandbox_id',
  'k8s.pod.full_sandbox_id',
  'k8s.pod.label',
  'k8s.pod.labels',
  'k8s.pod.ip',
  'k8s.pod.cni.json',
  'k8s.rc.name',
  'k8s.rc.id',
  'k8s.rc.label',
  'k8s.rc.labels',
  'k8s.svc.name',
  'k8s.svc.id',
  'k8s.svc.label',
  'k8s.svc.labels',
  'k8s.ns.id',
  'k8s.ns.label',
  'k8s.ns.labels',
  'k8s.rs.name',
  'k8s.rs.id',
  'k8s.rs.label',
  'k8s.rs.labels',
  'k8s.deployment.name',
  'k8s.deployment.id',
  'k8s.deployment.label',
  'k8s.deployment.labels',
];

const podmanInfo: ContainerInfo = emptyContainerInfo({
  id: 'ddb16d03acc3',
  fullId: 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258',
  type: 'podman',
  name: 'harrier-test-1',
  image: 'localhost/harrier-busybox:latest',
  imageId: 'b0e0dde3fdbad2da6ca248189ba932a807a08f0e193c7c12b5fa113d629d0d41',
  imageRepository: 'localhost/harrier-busybox',
  imageTag: 'latest',
  imageDigest: 'sha256:800d4ba0659e2def8ef463570d4df8d5e24761528dacb2b78bf07ebb0d7b0901',
  ip: '10.88.0.18',
  privileged: true,
  mounts: [
    {
      source: '/tmp',
      destination: '/hosttmp',
      mode: '',
      readWrite: false,
      propagation: 'rprivate',
    },
    { source: '/var/lib/data', destination: '/data', mode: 'z', readWrite: true, propagation: '' },
  ],
  labels: new Map([
    ['zeta', '1'],
    ['app', 'demo'],
    ['flag', ''],
    ['io.kubernetes.pod.name', 'web-0'],
    ['io.kubernetes.pod.namespace', 'shop'],
    ['io.kubernetes.pod.uid', '0c0f8d3a-1f2c-11e9-b015-1ebee232acfa'],
    ['annotation.io.kubernetes.container.hash', 'abc'],
  ]),
});

test('identity, image and security fields read the metadata as it is', () => {
  const expected: Record<string, unknown> = {
    'container.id': 'ddb16d03acc3',
    'container.full_id': podmanInfo.fullId,
    'container.name': 'harrier-test-1',
    'container.image': 'localhost/harrier-busybox:latest',
    'container.image.id': podmanInfo.imageId,
    'container.image.repository': 'localhost/harrier-busybox',
    'container.image.tag': 'latest',
    'container.image.digest': podmanInfo.imageDigest,
    'container.type': 'podman',
    'container.privileged': true,
    'container.ip': '10.88.0.18',
    'container.host_pid': false,
    'container.host_network': false,
    'container.host_ipc': false,
    'container.cni.json': '',
  };
  for (const [field, value] of Object.entries(expected))
    assert.equal(containerFieldValue(field, podmanInfo), value, field);
});

test('container.mounts joins source:dest:mode:rdwr:propagation with commas', () => {
  assert.equal(
    containerFieldValue('container.mounts', podmanInfo),
    '/tmp:/hosttmp::false:rprivate,/var/lib/data:/data:z:true:',
  );
});

test('container.mount[...] picks by index or by a pattern searched in the source', () => {
  assert.equal(
    containerFieldValue('container.mount', podmanInfo, '1'),
    '/var/lib/data:/data:z:true:',
  );
  assert.equal(containerFieldValue('container.mount.dest', podmanInfo, '/var/lib/*'), '/data');
  assert.equal(containerFieldValue('container.mount.dest', podmanInfo, 'lib/d'), '/data');
  assert.equal(containerFieldValue('container.mount.dest', podmanInfo, '^/tmp'), '/hosttmp');
  assert.equal(containerFieldValue('container.mount.rdwr', podmanInfo, '/tmp'), 'false');
  assert.equal(containerFieldValue('container.mount.mode', podmanInfo, '/var'), 'z');
  assert.equal(containerFieldValue('container.mount.propagation', podmanInfo, '0'), 'rprivate');
  assert.equal(containerFieldValue('container.mount', podmanInfo, '2'), undefined);
  assert.equal(containerFieldValue('container.mount', podmanInfo, '^tmp'), undefined);
  assert.equal(containerFieldValue('container.mount', podmanInfo, '(unclosed'), undefined);
});

test('container.mount.source[...] searches the destination instead', () => {
  assert.equal(containerFieldValue('container.mount.source', podmanInfo, '/hosttmp'), '/tmp');
  assert.equal(containerFieldValue('container.mount.source', podmanInfo, '/var'), undefined);
});

test('labels: one by key, all sorted without io.kubernetes.* and annotation.*', () => {
  assert.equal(containerFieldValue('container.label', podmanInfo, 'app'), 'demo');
  assert.equal(containerFieldValue('container.label', podmanInfo, 'flag'), '');
  assert.equal(containerFieldValue('container.label', podmanInfo, 'missing'), undefined);
  assert.equal(containerFieldValue('container.labels', podmanInfo), 'app:demo, flag, zeta:1');
});

test('k8s pod name, namespace and uid come from the CRI labels', () => {
  assert.equal(containerFieldValue('k8s.pod.name', podmanInfo), 'web-0');
  assert.equal(containerFieldValue('k8s.ns.name', podmanInfo), 'shop');
  assert.equal(
    containerFieldValue('k8s.pod.uid', podmanInfo),
    '0c0f8d3a-1f2c-11e9-b015-1ebee232acfa',
  );
  assert.equal(
    containerFieldValue('k8s.pod.id', podmanInfo),
    '0c0f8d3a-1f2c-11e9-b015-1ebee232acfa',
  );
  assert.equal(containerFieldValue('k8s.pod.name', HOST_CONTAINER_INFO), undefined);
});

test('k8s pod ip and labels come from the sandbox when the container has no CNI result', () => {
  const sandboxId = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
  const sandbox = emptyContainerInfo({
    ip: '10.1.2.3',
    podSandboxCniResult: '{"interfaces":{}}',
    podSandboxLabels: new Map([
      ['app', 'web'],
      ['io.kubernetes.pod.name', 'web-0'],
    ]),
  });
  const member = emptyContainerInfo({ podSandboxId: sandboxId, ip: '', sandbox });
  assert.equal(containerFieldValue('k8s.pod.ip', member), '10.1.2.3');
  assert.equal(containerFieldValue('k8s.pod.cni.json', member), '{"interfaces":{}}');
  assert.equal(containerFieldValue('k8s.pod.label', member, 'app'), 'web');
  assert.equal(containerFieldValue('k8s.pod.labels', member), 'app:web');
  assert.equal(containerFieldValue('k8s.pod.sandbox_id', member), 'a1b2c3d4e5f6');
  assert.equal(containerFieldValue('k8s.pod.full_sandbox_id', member), sandboxId);
  const alone = emptyContainerInfo({ ip: '10.9.9.9' });
  assert.equal(containerFieldValue('k8s.pod.ip', alone), undefined);
  assert.equal(containerFieldValue('k8s.pod.labels', alone), '');
});

test('the host pseudo container: name host, empty image, not privileged', () => {
  assert.equal(containerFieldValue('container.id', HOST_CONTAINER_INFO), 'host');
  assert.equal(containerFieldValue('container.full_id', HOST_CONTAINER_INFO), 'host');
  assert.equal(containerFieldValue('container.name', HOST_CONTAINER_INFO), 'host');
  assert.equal(containerFieldValue('container.type', HOST_CONTAINER_INFO), 'host');
  assert.equal(containerFieldValue('container.image.repository', HOST_CONTAINER_INFO), '');
  assert.equal(containerFieldValue('container.privileged', HOST_CONTAINER_INFO), false);
  assert.equal(containerFieldValue('container.mounts', HOST_CONTAINER_INFO), '');
});

test('probe fields: the command line, NONE without one, no value on the host or unknown', () => {
  const info = emptyContainerInfo({
    type: 'podman',
    healthProbes: [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'id'] }],
  });
  assert.equal(containerFieldValue('container.healthcheck', info), '/bin/sh -c id');
  assert.equal(containerFieldValue('container.liveness_probe', info), 'NONE');
  assert.equal(containerFieldValue('container.readiness_probe', info), 'NONE');
  assert.equal(containerFieldValue('container.healthcheck', HOST_CONTAINER_INFO), undefined);
  assert.equal(containerFieldValue('container.healthcheck', undefined), undefined);
});

test('unknown metadata gives no value; a type the engine did not name reads empty', () => {
  assert.equal(containerFieldValue('container.name', undefined), undefined);
  assert.equal(containerFieldValue('container.id', undefined), undefined);
  assert.equal(containerFieldValue('container.type', emptyContainerInfo()), '');
});

test('every field of the plugin is covered: a value, or a documented no-value', () => {
  const noValue = new Set([
    'container.start_ts',
    'container.duration',
    'proc.is_container_healthcheck',
    'proc.is_container_liveness_probe',
    'proc.is_container_readiness_probe',
  ]);
  const criInfo = {
    ...podmanInfo,
    podSandboxCniResult: '{}',
    podSandboxLabels: new Map([['app', 'web']]),
  };
  for (const name of PLUGIN_FIELDS) {
    const deprecatedK8s = /^k8s\.(rc|svc|rs|deployment)\.|^k8s\.ns\.(id|label|labels)$/.test(name);
    const argument = name.startsWith('container.mount') ? '0' : 'app';
    const value = containerFieldValue(name, criInfo, argument);
    if (noValue.has(name) || deprecatedK8s) {
      assert.equal(value, undefined, name);
      assert.equal(CONTAINER_RUNTIME_FIELDS.includes(name), false, name);
    } else assert.notEqual(value, undefined, `${name} has no reader`);
  }
});
