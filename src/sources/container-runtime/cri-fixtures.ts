/**
 * Canned CRI answers shaped like containerd's and CRI-O's, for the CRI tests: one pod
 * (`web-7d4b9` in namespace `shop`) with a sandbox and an nginx container, as containerd 1.7
 * reports them with verbose set, and a privileged container as CRI-O reports it.
 * @internal
 */
import type {
  CriContainerStatus,
  CriContainerStatusResponse,
  CriPodSandboxStatusResponse,
} from './cri-service.js';

export const SANDBOX_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const CONTAINER_ID = '3f9e8d7c6b5a49382716f5e4d3c2b1a03f9e8d7c6b5a49382716f5e4d3c2b1a0';
export const CRIO_CONTAINER_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
export const POD_UID = '6c1d2e3f-4a5b-4c6d-8e7f-901234567890';
export const IMAGE_DIGEST = 'sha256:' + '5e'.repeat(32);
export const IMAGE_ID = '9a'.repeat(32);
const LONG_LABEL = 'x'.repeat(101);

/** containerd's verbose container JSON: sandbox id, CRI config, OCI runtime spec. */
export const containerdContainerInfo = {
  sandboxID: SANDBOX_ID,
  pid: 4242,
  removing: false,
  snapshotKey: CONTAINER_ID,
  snapshotter: 'overlayfs',
  runtimeType: 'io.containerd.runc.v2',
  config: {
    metadata: { name: 'nginx' },
    image: { image: `sha256:${IMAGE_ID}` },
    envs: [{ key: 'PATH', value: '/usr/bin' }],
    linux: { security_context: { privileged: false, run_as_user: { value: 101 } } },
  },
  runtimeSpec: {
    ociVersion: '1.1.0',
    process: { user: { uid: 101, gid: 101 }, args: ['nginx', '-g', 'daemon off;'] },
    annotations: {
      'io.kubernetes.cri.container-type': 'container',
      'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.25.3',
      'io.kubernetes.cri.sandbox-id': SANDBOX_ID,
    },
  },
};

export const containerdContainerStatus: CriContainerStatus = {
  id: CONTAINER_ID,
  metadata: { name: 'nginx', attempt: 0 },
  created_at: '1717171717123456789',
  started_at: '1717171718000000042',
  image: { image: 'docker.io/library/nginx:1.25.3' },
  image_ref: `docker.io/library/nginx@${IMAGE_DIGEST}`,
  labels: {
    'io.kubernetes.container.name': 'nginx',
    'io.kubernetes.pod.name': 'web-7d4b9',
    'io.kubernetes.pod.namespace': 'shop',
    'io.kubernetes.pod.uid': POD_UID,
    'too.long': LONG_LABEL,
  },
  mounts: [
    {
      container_path: '/var/run/secrets/kubernetes.io/serviceaccount',
      host_path: `/var/lib/kubelet/pods/${POD_UID}/volumes/token`,
      readonly: true,
      propagation: 'PROPAGATION_PRIVATE',
    },
    {
      container_path: '/data',
      host_path: '/srv/data',
      readonly: false,
      propagation: 'PROPAGATION_HOST_TO_CONTAINER',
    },
  ],
  image_id: '',
};

export const containerdContainerResponse: CriContainerStatusResponse = {
  status: containerdContainerStatus,
  info: { info: JSON.stringify(containerdContainerInfo) },
};

/** containerd's verbose sandbox JSON: its CNI result lists loopback, eth0 and the host veth. */
export const containerdSandboxInfo = {
  pid: 4100,
  processStatus: 'running',
  netNamespaceClosed: false,
  image: 'registry.k8s.io/pause:3.9',
  cniResult: {
    Interfaces: {
      lo: { IPConfigs: [{ IP: '127.0.0.1', Gateway: '' }], Mac: '00:00:00:00:00:00', Sandbox: '' },
      eth0: {
        Sandbox: '/var/run/netns/cni-1234',
        Mac: '0a:58:0a:f4:01:07',
        IPConfigs: [{ IP: '10.244.1.7', Gateway: '10.244.1.1' }],
      },
      veth1f2e3d4c: { IPConfigs: null, Mac: 'aa:bb:cc:dd:ee:ff', Sandbox: '' },
    },
    DNS: [{}, {}],
    Routes: [{ dst: '0.0.0.0/0' }],
  },
  config: { metadata: { name: 'web-7d4b9', uid: POD_UID, namespace: 'shop' } },
};

/** A pod as `kubectl apply` records it: an exec liveness probe and an HTTP readiness probe. */
const PROBED_POD_SPEC = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  spec: {
    containers: [
      {
        name: 'web',
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] } },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
      },
    ],
  },
});

export const containerdSandboxResponse: CriPodSandboxStatusResponse = {
  status: {
    id: SANDBOX_ID,
    metadata: { name: 'web-7d4b9', uid: POD_UID, namespace: 'shop', attempt: 0 },
    created_at: '1717171716999999999',
    network: { ip: '10.244.1.7' },
    linux: { namespaces: { options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    labels: {
      app: 'web',
      'pod-template-hash': '7d4b9',
      'io.kubernetes.pod.name': 'web-7d4b9',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': POD_UID,
    },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': PROBED_POD_SPEC },
  },
  info: { info: JSON.stringify(containerdSandboxInfo) },
};

/** CRI-O's verbose container JSON: the privileged flag at the top, no CRI config. */
export const crioContainerInfo = {
  sandboxID: SANDBOX_ID,
  pid: 5151,
  privileged: true,
  runtimeSpec: {
    process: { user: { uid: 0, gid: 0 } },
    annotations: {
      'io.kubernetes.cri-o.ImageName': 'quay.io/acme/agent:2.1',
      'io.kubernetes.cri-o.CNIResult': '{"ips":[{"address":"10.88.0.9/16"}]}\n',
    },
  },
};

export const crioContainerResponse: CriContainerStatusResponse = {
  status: {
    id: CRIO_CONTAINER_ID,
    metadata: { name: 'agent', attempt: 2 },
    created_at: '1700000000000000000',
    started_at: '0',
    // CRI-O reports the image by id here; the name comes from the annotation.
    image: { image: `sha256:${IMAGE_ID}` },
    image_ref: IMAGE_DIGEST,
    labels: { 'io.kubernetes.pod.name': 'web-7d4b9' },
    mounts: [],
    image_id: `sha256:${IMAGE_ID}`,
  },
  info: { info: JSON.stringify(crioContainerInfo) },
};
