/**
 * Values of the `container.*` and `k8s.*` fields from a container's metadata, with the
 * semantics of Falco's container plugin (extract.cpp): host processes read the host pseudo
 * container (`container.name` is `host`), a container whose metadata is not known yet has
 * only `container.id`, and the deprecated fields never have a value. The plugin gives the
 * health check and probe fields no value; they read as libsinsp read them before it.
 */
import RE2 from 're2';
import type { ContainerInfo, ContainerMount } from '../../sources/container-runtime/index.js';
import {
  healthProbeText,
  type HealthProbeType,
} from '../../sources/container-runtime/health-probes.js';

/**
 * A container field's value: text, a flag or a time in ns. A subset of the engine's
 * `FieldValue`, so the field layer can return it as is.
 */
export type ContainerFieldValue = string | boolean | bigint;

type Reader = (
  info: ContainerInfo,
  argument: string | undefined,
) => ContainerFieldValue | undefined;

const SHORT_ID_LENGTH = 12;

const READERS: Readonly<Record<string, Reader>> = {
  'container.id': (info) => info.id,
  'container.full_id': (info) => info.fullId,
  'container.name': (info) => info.name,
  'container.image': (info) => info.image,
  'container.image.id': (info) => info.imageId,
  'container.type': (info) => (info.type === 'unknown' ? '' : info.type),
  'container.privileged': (info) => info.privileged,
  'container.mounts': (info) => info.mounts.map(mountText).join(','),
  'container.mount': (info, argument) => mountField(info, argument, 'source', mountText),
  'container.mount.source': (info, argument) =>
    mountField(info, argument, 'destination', (mount) => mount.source),
  'container.mount.dest': (info, argument) =>
    mountField(info, argument, 'source', (mount) => mount.destination),
  'container.mount.mode': (info, argument) =>
    mountField(info, argument, 'source', (mount) => mount.mode),
  'container.mount.rdwr': (info, argument) =>
    mountField(info, argument, 'source', (mount) => String(mount.readWrite)),
  'container.mount.propagation': (info, argument) =>
    mountField(info, argument, 'source', (mount) => mount.propagation),
  'container.image.repository': (info) => info.imageRepository,
  'container.image.tag': (info) => info.imageTag,
  'container.image.digest': (info) => info.imageDigest,
  'container.healthcheck': (info) => probeText(info, 'healthcheck'),
  'container.liveness_probe': (info) => probeText(info, 'liveness-probe'),
  'container.readiness_probe': (info) => probeText(info, 'readiness-probe'),
  'container.ip': (info) => info.ip,
  'container.cni.json': (info) => info.podSandboxCniResult,
  'container.host_pid': (info) => info.hostPid,
  'container.host_network': (info) => info.hostNetwork,
  'container.host_ipc': (info) => info.hostIpc,
  'container.label': (info, argument) =>
    argument === undefined ? undefined : info.labels.get(argument),
  'container.labels': (info) => joinLabels(info.labels),
  'k8s.pod.name': (info) => info.labels.get('io.kubernetes.pod.name'),
  'k8s.ns.name': (info) => info.labels.get('io.kubernetes.pod.namespace'),
  'k8s.pod.id': (info) => info.labels.get('io.kubernetes.pod.uid'),
  'k8s.pod.uid': (info) => info.labels.get('io.kubernetes.pod.uid'),
  'k8s.pod.sandbox_id': (info) => info.podSandboxId.slice(0, SHORT_ID_LENGTH),
  'k8s.pod.full_sandbox_id': (info) => info.podSandboxId,
  'k8s.pod.label': (info, argument) => podLabel(info, argument),
  'k8s.pod.labels': (info) => joinLabels(podSource(info).podSandboxLabels),
  'k8s.pod.ip': (info) => podNetwork(info)?.ip,
  'k8s.pod.cni.json': (info) => podNetwork(info)?.podSandboxCniResult,
};

/**
 * The fields `containerFieldValue` reads from the metadata. The container table's other
 * fields are the thread's (`container.start_ts`, `container.duration`) or deprecated and
 * never have a value.
 */
export const CONTAINER_RUNTIME_FIELDS: readonly string[] = Object.keys(READERS);

/**
 * The value of container or Kubernetes field `field` (with its bracket `argument`, if any) for
 * a process in the container `info`: pass `HOST_CONTAINER_INFO` for host processes and
 * undefined when the metadata is not known (yet). Undefined means no value (`<NA>`).
 *
 * Not covered here, because they do not come from the runtime: `container.id` without
 * metadata (the cgroup id, `containerIdFromCgroups`), `container.start_ts` and
 * `container.duration` (the thread's PID-namespace init start time), `proc.is_container_*`
 * (the thread's category). The deprecated `k8s.rc/svc/ns/rs/deployment.*` fields are always
 * undefined, as in the plugin. Does not mutate `info`.
 *
 * @example
 * containerFieldValue('container.image.tag', info); // 'latest'
 * containerFieldValue('container.mount.dest', info, '/tmp*'); // destination of the first mount whose source matches
 */
export function containerFieldValue(
  field: string,
  info: ContainerInfo | undefined,
  argument?: string,
): ContainerFieldValue | undefined {
  if (info === undefined) return undefined;
  const reader = READERS[field];
  return reader === undefined ? undefined : reader(info, argument);
}

/**
 * The probe's argv joined by spaces, `NONE` for a container without one; no value on the host,
 * as libsinsp.
 */
function probeText(info: ContainerInfo, type: HealthProbeType): string | undefined {
  return info.type === 'host' ? undefined : healthProbeText(info.healthProbes, type);
}

/** `source:dest:mode:rdwr:propagation`. */
function mountText(mount: ContainerMount): string {
  const { source, destination, mode, readWrite, propagation } = mount;
  return `${source}:${destination}:${mode}:${readWrite}:${propagation}`;
}

/**
 * One mount, by index (`[0]`) or by a regular expression searched in its source (or, for
 * `container.mount.source`, its destination); the first that matches wins.
 */
function mountField(
  info: ContainerInfo,
  argument: string | undefined,
  keyPart: 'source' | 'destination',
  read: (mount: ContainerMount) => string,
): string | undefined {
  if (argument === undefined) return undefined;
  if (/^\d+$/.test(argument)) {
    const mount = info.mounts[Number(argument)];
    return mount === undefined ? undefined : read(mount);
  }
  const pattern = patternOf(argument);
  if (pattern === undefined) return undefined;
  const mount = info.mounts.find((candidate) => pattern.test(candidate[keyPart]));
  return mount === undefined ? undefined : read(mount);
}

const patterns = new Map<string, RE2 | null>();

/**
 * The plugin compiles the key as a multi-line regular expression (so `/usr/local/*` works as
 * a prefix); RE2 keeps a rule's pattern from running in more than linear time.
 */
function patternOf(text: string): RE2 | undefined {
  let pattern = patterns.get(text);
  if (pattern === undefined) {
    try {
      pattern = new RE2(text, 'm');
    } catch {
      pattern = null;
    }
    if (patterns.size > 256) patterns.clear();
    patterns.set(text, pattern);
  }
  return pattern ?? undefined;
}

/**
 * `key:value` pairs sorted by key and joined by `, `, leaving out `annotation.*` and
 * `io.kubernetes.*`; a label with an empty value is its key alone.
 */
function joinLabels(labels: ReadonlyMap<string, string>): string {
  const keys = [...labels.keys()]
    .filter((key) => !key.startsWith('annotation.') && !key.startsWith('io.kubernetes.'))
    .sort(compareBytes);
  return keys
    .map((key) => {
      const value = labels.get(key) ?? '';
      return value === '' ? key : `${key}:${value}`;
    })
    .join(', ');
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left), Buffer.from(right));
}

/**
 * Where the pod's labels are read: the sandbox container when this container has no CNI
 * result of its own and the sandbox is known, else this container.
 */
function podSource(info: ContainerInfo): ContainerInfo {
  return info.podSandboxCniResult === '' && info.sandbox !== undefined ? info.sandbox : info;
}

function podLabel(info: ContainerInfo, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const sandbox = info.podSandboxCniResult === '' ? info.sandbox : undefined;
  return sandbox?.podSandboxLabels.get(key) ?? info.podSandboxLabels.get(key);
}

/** The pod's network facts: this container's with a CNI result, else the sandbox's if known. */
function podNetwork(info: ContainerInfo): ContainerInfo | undefined {
  return info.podSandboxCniResult === '' ? info.sandbox : info;
}
