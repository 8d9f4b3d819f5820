import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContainerInfo } from './container-info.js';
import {
  CONTAINER_ID,
  containerdContainerInfo,
  containerdContainerStatus,
  containerdSandboxInfo,
  containerdSandboxResponse,
  crioContainerInfo,
  crioContainerResponse,
  CRIO_CONTAINER_ID,
  IMAGE_DIGEST,
  IMAGE_ID,
  POD_UID,
  SANDBOX_ID,
} from './cri-fixtures.js';
import {
  criContainerInfo,
  criEngineType,
  criSandboxInfo,
  readVerboseInfo,
  sandboxIdOf,
} from './cri-status.js';
import type { CriContainerStatus, CriPodSandboxStatus } from './cri-service.js';

const sandboxStatus = containerdSandboxResponse.status as CriPodSandboxStatus;
const options = { type: 'containerd' as const, labelMaxLength: 100 };
const EXPECTED_CNI = '{"eth0":{"IPConfigs":[{"Gateway":"10.244.1.1","IP":"10.244.1.7"}]}}';
/** The exec liveness probe of the fixture pod's last-applied-configuration annotation. */
const POD_PROBES = [{ type: 'liveness-probe' as const, exe: 'cat', args: ['/tmp/healthy'] }];

test('a containerd pod sandbox maps to a sandbox container with the pod labels and network', () => {
  const sandbox = criSandboxInfo(sandboxStatus, containerdSandboxInfo, options);
  assert.deepEqual(
    sandbox,
    emptyContainerInfo({
      id: 'a1b2c3d4e5f6',
      fullId: SANDBOX_ID,
      type: 'containerd',
      name: 'web-7d4b9',
      createdTime: 1717171716,
      isPodSandbox: true,
      healthProbes: POD_PROBES,
      podSandboxId: SANDBOX_ID,
      ip: '10.244.1.7',
      podSandboxCniResult: EXPECTED_CNI,
      labels: new Map([
        ['app', 'web'],
        ['pod-template-hash', '7d4b9'],
        ['io.kubernetes.pod.name', 'web-7d4b9'],
        ['io.kubernetes.pod.namespace', 'shop'],
        ['io.kubernetes.pod.uid', POD_UID],
        ['io.kubernetes.sandbox.id', SANDBOX_ID],
      ]),
      podSandboxLabels: new Map([
        ['app', 'web'],
        ['pod-template-hash', '7d4b9'],
        ['io.kubernetes.pod.name', 'web-7d4b9'],
        ['io.kubernetes.pod.namespace', 'shop'],
        ['io.kubernetes.pod.uid', POD_UID],
      ]),
    }),
  );
});

test('a containerd container maps name, image parts, id, mounts, user, labels and its pod', () => {
  const sandbox = criSandboxInfo(sandboxStatus, containerdSandboxInfo, options);
  const sandboxId = sandboxIdOf(containerdContainerInfo);
  const info = criContainerInfo(containerdContainerStatus, containerdContainerInfo, {
    ...options,
    sandboxId,
    sandbox,
  });
  assert.deepEqual(
    info,
    emptyContainerInfo({
      id: '3f9e8d7c6b5a',
      fullId: CONTAINER_ID,
      type: 'containerd',
      name: 'nginx',
      image: 'docker.io/library/nginx:1.25.3',
      imageRepository: 'docker.io/library/nginx',
      imageTag: '1.25.3',
      imageDigest: IMAGE_DIGEST,
      imageId: IMAGE_ID,
      mounts: [
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
      ],
      // The 101-character label is over the limit and left out.
      labels: new Map([
        ['io.kubernetes.container.name', 'nginx'],
        ['io.kubernetes.pod.name', 'web-7d4b9'],
        ['io.kubernetes.pod.namespace', 'shop'],
        ['io.kubernetes.pod.uid', POD_UID],
        ['io.kubernetes.sandbox.id', SANDBOX_ID],
      ]),
      user: '101',
      privileged: false,
      createdTime: 1717171717,
      startedAt: 1717171718000000042n,
      podSandboxId: SANDBOX_ID,
      ip: '10.244.1.7',
      podSandboxLabels: sandbox.podSandboxLabels,
      podSandboxCniResult: EXPECTED_CNI,
      // The pod's probes, which the sandbox read from the pod's annotation.
      healthProbes: POD_PROBES,
      sandbox,
    }),
  );
});

test('a CRI-O container: privileged at the top, image name from the annotation, digest from image_ref', () => {
  const status = crioContainerResponse.status as CriContainerStatus;
  const info = criContainerInfo(status, crioContainerInfo, {
    type: 'cri-o',
    labelMaxLength: 100,
    sandboxId: sandboxIdOf(crioContainerInfo),
  });
  assert.equal(info.id, 'c0ffee00c0ff');
  assert.equal(info.fullId, CRIO_CONTAINER_ID);
  assert.equal(info.type, 'cri-o');
  assert.equal(info.name, 'agent');
  assert.equal(info.privileged, true);
  assert.equal(info.user, '0');
  assert.equal(info.image, 'quay.io/acme/agent:2.1');
  assert.equal(info.imageRepository, 'quay.io/acme/agent');
  assert.equal(info.imageTag, '2.1');
  assert.equal(info.imageDigest, IMAGE_DIGEST);
  // No CRI config in CRI-O's JSON: the id comes from the status's image_id.
  assert.equal(info.imageId, IMAGE_ID);
  assert.equal(info.startedAt, 0n);
  assert.equal(info.createdTime, 1700000000);
  // Without the sandbox, the pod's fields stay empty.
  assert.equal(info.ip, '');
  assert.equal(info.sandbox, undefined);
  assert.equal(info.labels.get('io.kubernetes.sandbox.id'), SANDBOX_ID);
});

test("a CRI-O sandbox's CNI result is its annotation without the final newline", () => {
  const sandbox = criSandboxInfo(
    { ...sandboxStatus, linux: null },
    { runtimeSpec: { annotations: crioContainerInfo.runtimeSpec.annotations } },
    { type: 'cri-o', labelMaxLength: 100 },
  );
  assert.equal(sandbox.podSandboxCniResult, '{"ips":[{"address":"10.88.0.9/16"}]}');
});

test('a pod on the host network has no IP of its own and reads as host network, pid and ipc', () => {
  const hostPod: CriPodSandboxStatus = {
    ...sandboxStatus,
    network: { ip: '192.168.1.20' },
    linux: { namespaces: { options: { network: 'NODE', pid: 'NODE', ipc: 'NODE' } } },
  };
  const sandbox = criSandboxInfo(hostPod, {}, options);
  assert.equal(sandbox.ip, '');
  assert.deepEqual([sandbox.hostNetwork, sandbox.hostPid, sandbox.hostIpc], [true, true, true]);
  assert.equal(sandbox.podSandboxCniResult, '');
  const ipv6Pod = { ...sandboxStatus, network: { ip: 'fd00::7' } };
  assert.equal(criSandboxInfo(ipv6Pod, {}, options).ip, '');
});

test('image forms: a bare digest ref keeps the spec name; an id-only spec and no annotation stay as given', () => {
  const base = { ...containerdContainerStatus, labels: {}, mounts: [] };
  const bareDigest = criContainerInfo(
    { ...base, image: { image: 'registry:5000/team/app:v2' }, image_ref: IMAGE_DIGEST },
    {},
    { ...options, sandboxId: '' },
  );
  assert.equal(bareDigest.image, 'registry:5000/team/app:v2');
  assert.equal(bareDigest.imageRepository, 'registry:5000/team/app');
  assert.equal(bareDigest.imageTag, 'v2');
  assert.equal(bareDigest.imageDigest, IMAGE_DIGEST);
  assert.equal(bareDigest.labels.has('io.kubernetes.sandbox.id'), false);

  const idOnly = criContainerInfo(
    { ...base, image: { image: `sha256:${IMAGE_ID}` }, image_ref: '' },
    {},
    { ...options, sandboxId: '' },
  );
  assert.equal(idOnly.image, `sha256:${IMAGE_ID}`);
  assert.equal(idOnly.imageDigest, '');

  const pinned = criContainerInfo(
    { ...base, image: { image: `ghcr.io/org/tool@${IMAGE_DIGEST}` }, image_ref: '' },
    {},
    { ...options, sandboxId: '' },
  );
  assert.equal(pinned.imageRepository, 'ghcr.io/org/tool');
  assert.equal(pinned.imageTag, '');
  assert.equal(pinned.imageDigest, IMAGE_DIGEST);
});

test('privileged is read where old containerd wrote it, and the first boolean wins', () => {
  const base = { ...containerdContainerStatus, labels: {}, mounts: [] };
  const old = { runtimeSpec: { linux: { security_context: { privileged: true } } } };
  const both = {
    runtimeSpec: { linux: { security_context: { privileged: false } } },
    privileged: true,
  };
  const notBoolean = { config: { linux: { security_context: { privileged: 'true' } } } };
  const read = (root: Record<string, unknown>) =>
    criContainerInfo(base, root, { ...options, sandboxId: '' }).privileged;
  assert.deepEqual([read(old), read(both), read(notBoolean)], [true, false, false]);
});

test('verbose info: absent is empty, malformed gives line and column, non-objects are refused', () => {
  assert.deepEqual(readVerboseInfo({}), { ok: true, root: {} });
  assert.deepEqual(readVerboseInfo({ info: '{"sandboxID":"ab"}' }), {
    ok: true,
    root: { sandboxID: 'ab' },
  });
  assert.deepEqual(readVerboseInfo({ info: '{\n  "sandboxID": "ab",\n  "pid": }' }), {
    ok: false,
    reason: "invalid JSON: unexpected '}'",
    line: 3,
    column: 10,
  });
  assert.deepEqual(readVerboseInfo({ info: '["not", "an object"]' }), {
    ok: false,
    reason: 'expected a JSON object, found an array',
    line: 1,
    column: 1,
  });
  assert.equal(sandboxIdOf({ sandboxID: 42 }), '');
});

test('the engine type follows the runtime name Version gives', () => {
  assert.deepEqual(['containerd', 'cri-o', 'cri-dockerd'].map(criEngineType), [
    'containerd',
    'cri-o',
    'cri',
  ]);
});
