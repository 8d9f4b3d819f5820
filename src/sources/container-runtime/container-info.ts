/**
 * What Harrier knows about one container, in the shape of the record Falco's container plugin
 * keeps (`container_info`): identity, image, security settings, mounts, labels and the pod it
 * belongs to. Filled from a container runtime's API; read by the `container.*` and `k8s.*`
 * fields.
 */

import type { HealthProbe } from './health-probes.js';

/**
 * The engine a container belongs to, spelled as the plugin's `container.type` values. `host`
 * is the pseudo container of processes outside any container.
 */
export type ContainerEngineType =
  | 'docker'
  | 'podman'
  | 'cri'
  | 'containerd'
  | 'cri-o'
  | 'lxc'
  | 'libvirt-lxc'
  | 'bpm'
  | 'host'
  | 'unknown';

/** One mount of a container, as the runtime reports it. */
export interface ContainerMount {
  source: string;
  destination: string;
  /** Mount mode text from the runtime (`z`, `ro`, often empty). */
  mode: string;
  readWrite: boolean;
  /** `rprivate`, `shared` and so on; empty when the runtime gives none. */
  propagation: string;
}

/** One container's metadata. Text that the runtime did not give is the empty string. */
export interface ContainerInfo {
  /** Short id: the first 12 characters of `fullId` (or the whole id when shorter). */
  id: string;
  fullId: string;
  type: ContainerEngineType;
  /** Container name without the leading `/` docker puts on it. */
  name: string;
  /** Image as the container was created from it, such as `localhost/harrier-busybox:latest`. */
  image: string;
  /** Image id without the `sha256:` prefix. */
  imageId: string;
  imageRepository: string;
  imageTag: string;
  /** Registry digest, `sha256:...`. */
  imageDigest: string;
  /** Primary IPv4 address; empty when the container has none of its own. */
  ip: string;
  privileged: boolean;
  hostPid: boolean;
  hostNetwork: boolean;
  hostIpc: boolean;
  mounts: readonly ContainerMount[];
  /** Labels whose values are at most the client's label length limit (100 by default). */
  labels: ReadonlyMap<string, string>;
  /** The user the container's processes start as (`Config.User`); empty for the image default. */
  user: string;
  /**
   * The health check or the Kubernetes liveness and readiness exec probes (`health-probes.ts`);
   * empty when the container has none.
   */
  healthProbes: readonly HealthProbe[];
  /** Creation time, seconds since the epoch; 0 when unknown. */
  createdTime: number;
  /** Start time of the container's main process, ns since the epoch; 0n when unknown. */
  startedAt: bigint;
  /** True for a Kubernetes pod sandbox (pause) container. */
  isPodSandbox: boolean;
  /** Full id of the pod sandbox (CRI only); empty otherwise. */
  podSandboxId: string;
  podSandboxLabels: ReadonlyMap<string, string>;
  /** The pod's CNI result as JSON text (CRI only); empty otherwise. */
  podSandboxCniResult: string;
  /**
   * The pod sandbox container, when known: `k8s.pod.ip`, `k8s.pod.labels` and the CNI result
   * come from it when this container carries no CNI result of its own.
   */
  sandbox?: ContainerInfo;
}

const noLabels: ReadonlyMap<string, string> = new Map();

/**
 * A record with every field empty, false or zero, except those in `known`. Does not mutate
 * `known`.
 */
export function emptyContainerInfo(known: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: '',
    fullId: '',
    type: 'unknown',
    name: '',
    image: '',
    imageId: '',
    imageRepository: '',
    imageTag: '',
    imageDigest: '',
    ip: '',
    privileged: false,
    hostPid: false,
    hostNetwork: false,
    hostIpc: false,
    mounts: [],
    labels: noLabels,
    user: '',
    healthProbes: [],
    createdTime: 0,
    startedAt: 0n,
    isPodSandbox: false,
    podSandboxId: '',
    podSandboxLabels: noLabels,
    podSandboxCniResult: '',
    ...known,
  };
}

/** The id, full id and name Falco gives processes outside containers. */
export const HOST_CONTAINER_ID = 'host';

/** The pseudo container of host processes: id, full id and name `host`, type `host`. */
export const HOST_CONTAINER_INFO: ContainerInfo = Object.freeze(
  emptyContainerInfo({
    id: HOST_CONTAINER_ID,
    fullId: HOST_CONTAINER_ID,
    name: HOST_CONTAINER_ID,
    type: 'host',
  }),
);

/** The first 12 characters of a container id, as `container.id` shows it. */
export function shortContainerId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}
