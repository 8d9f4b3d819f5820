/**
 * Turning CRI answers (ContainerStatus and PodSandboxStatus, both verbose) into a
 * `ContainerInfo`, with the semantics of Falco's CRI engine: the status messages give name,
 * labels, image and mounts; the runtime's verbose JSON (`info["info"]`, whose layout differs
 * between containerd and CRI-O) gives the sandbox id, image id, user and privileged flag; the
 * pod sandbox gives the IP, host namespaces, CNI result and pod labels.
 * @internal
 */
import { isIPv4 } from 'node:net';
import { parseJsonText } from '../k8s-audit/index.js';
import {
  emptyContainerInfo,
  shortContainerId,
  type ContainerEngineType,
  type ContainerInfo,
  type ContainerMount,
} from './container-info.js';
import type { CriContainerStatus, CriMount, CriPodSandboxStatus } from './cri-service.js';
import { LAST_APPLIED_ANNOTATION, podSpecProbes } from './health-probes.js';
import { splitImageRepositoryTag } from './image-reference.js';

type JsonObject = Record<string, unknown>;

/** The verbose JSON of an answer, or where and why it is not a JSON object. */
export type VerboseInfo =
  { ok: true; root: JsonObject } | { ok: false; reason: string; line: number; column: number };

export interface CriMappingOptions {
  type: ContainerEngineType;
  /** Label values longer than this are left out. */
  labelMaxLength: number;
}

/** Falco's bound on the CNI result text it keeps. */
const MAX_CNI_RESULT_LENGTH = 4096;
const SANDBOX_ID_LABEL = 'io.kubernetes.sandbox.id';
/** Annotations naming the image, tried in order when the status gives only an image id. */
const IMAGE_NAME_ANNOTATIONS = [
  'io.kubernetes.cri.image-name',
  'io.kubernetes.cri-o.Image',
  'io.kubernetes.cri-o.ImageName',
];
const PROPAGATIONS: Readonly<Record<string, string>> = {
  PROPAGATION_PRIVATE: 'private',
  PROPAGATION_HOST_TO_CONTAINER: 'rslave',
  PROPAGATION_BIDIRECTIONAL: 'rshared',
};

/** `container.type` from the runtime name `Version` gives. */
export function criEngineType(runtimeName: string): ContainerEngineType {
  if (runtimeName === 'containerd') return 'containerd';
  if (runtimeName === 'cri-o') return 'cri-o';
  return 'cri';
}

/**
 * The JSON object in `info["info"]`: an empty object when the runtime sent none (CRI-O may
 * not), an error with line and column when the text is not JSON or not an object.
 */
export function readVerboseInfo(info: Record<string, string>): VerboseInfo {
  const text = info.info;
  if (text === undefined) return { ok: true, root: {} };
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value))
    return {
      ok: false,
      reason: `expected a JSON object, found ${kindOf(parsed.value)}`,
      line: 1,
      column: 1,
    };
  return { ok: true, root: parsed.value };
}

/** The container's pod sandbox id from its verbose JSON (`sandboxID`); empty when absent. */
export function sandboxIdOf(root: JsonObject): string {
  return textOf(root.sandboxID);
}

/**
 * A pod sandbox as a container of its own (its pause process): the pod's metadata become
 * the `io.kubernetes.pod.*` labels, as the sandbox's labels carry none of them. Its health
 * probes are the exec probes of the pod spec kubectl left in the pod's annotations, which the
 * pod's containers take (libsinsp read them so from docker, and not at all from CRI).
 */
export function criSandboxInfo(
  status: CriPodSandboxStatus,
  root: JsonObject,
  options: CriMappingOptions,
): ContainerInfo {
  const fullId = status.id;
  const podLabels = limitedLabels(status.labels, options.labelMaxLength);
  const labels = new Map(podLabels);
  labels.set(SANDBOX_ID_LABEL, fullId);
  labels.set('io.kubernetes.pod.uid', status.metadata?.uid ?? '');
  labels.set('io.kubernetes.pod.name', status.metadata?.name ?? '');
  labels.set('io.kubernetes.pod.namespace', status.metadata?.namespace ?? '');
  return emptyContainerInfo({
    ...podNetworkFields(status, root),
    id: shortContainerId(fullId),
    fullId,
    type: options.type,
    name: status.metadata?.name ?? '',
    createdTime: secondsOf(status.created_at),
    isPodSandbox: true,
    healthProbes: podSpecProbes(status.annotations[LAST_APPLIED_ANNOTATION]),
    podSandboxId: fullId,
    labels,
    podSandboxLabels: podLabels,
  });
}

/**
 * An application container. `sandboxId` is its pod sandbox (from `sandboxIdOf` or another
 * source); `sandbox`, when the sandbox could be read, gives the pod's IP, host namespaces,
 * CNI result and labels, and is kept as `sandbox`.
 */
export function criContainerInfo(
  status: CriContainerStatus,
  root: JsonObject,
  options: CriMappingOptions & { sandboxId: string; sandbox?: ContainerInfo },
): ContainerInfo {
  const { sandboxId, sandbox } = options;
  const labels = new Map(limitedLabels(status.labels, options.labelMaxLength));
  if (sandboxId !== '') labels.set(SANDBOX_ID_LABEL, sandboxId);
  return emptyContainerInfo({
    ...criImage(status, root),
    id: shortContainerId(status.id),
    fullId: status.id,
    type: options.type,
    name: status.metadata?.name ?? '',
    imageId: configImageId(root) || status.image_id.replace(/^sha256:/, ''),
    mounts: status.mounts.map(mountOf),
    labels,
    user: userOf(root),
    privileged: privilegedOf(root),
    createdTime: secondsOf(status.created_at),
    startedAt: nanosecondsOf(status.started_at),
    podSandboxId: sandboxId,
    ...(sandbox === undefined
      ? {}
      : {
          ip: sandbox.ip,
          hostNetwork: sandbox.hostNetwork,
          hostPid: sandbox.hostPid,
          hostIpc: sandbox.hostIpc,
          podSandboxLabels: sandbox.podSandboxLabels,
          podSandboxCniResult: sandbox.podSandboxCniResult,
          healthProbes: sandbox.healthProbes,
          sandbox,
        }),
  });
}

/**
 * Image, repository, tag and digest. `image_ref` is either `sha256:<digest>` or
 * `<repository>@sha256:<digest>`; in the second form the name comes from it and the tag from
 * the image spec. A name that is missing or only an id is replaced by the image name
 * annotation of the runtime spec, when there is one.
 */
function criImage(status: CriContainerStatus, root: JsonObject): Partial<ContainerInfo> {
  const reference = status.image_ref;
  const specImage = status.image?.image ?? '';
  let name = specImage;
  let tagFromSpec = false;
  const digestAt = reference.indexOf('sha256:');
  const hasDigest = digestAt === 0 || (digestAt > 0 && reference[digestAt - 1] === '@');
  if (digestAt > 0 && hasDigest) {
    name = reference.slice(0, digestAt - 1);
    tagFromSpec = true;
  }
  if (name === '' || name.startsWith('sha256')) {
    const annotated = annotatedImageName(root);
    if (annotated !== undefined) {
      name = annotated;
      tagFromSpec = false;
    }
  }

  const { repository, tag } = splitImageRepositoryTag(name);
  const imageTag = tagFromSpec ? splitImageRepositoryTag(specImage).tag : tag;
  return {
    image: tagFromSpec ? `${name}:${imageTag}` : name,
    imageRepository: repository,
    imageTag,
    imageDigest: hasDigest ? reference.slice(digestAt) : digestOf(name),
  };
}

function annotatedImageName(root: JsonObject): string | undefined {
  const annotations = objectAt(root, 'runtimeSpec', 'annotations');
  for (const key of IMAGE_NAME_ANNOTATIONS) {
    const value = annotations?.[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** The digest after `@` in the part of `image` past its registry host. */
function digestOf(image: string): string {
  const at = image.indexOf('@', image.indexOf('/') + 1);
  return at === -1 ? '' : image.slice(at + 1);
}

/**
 * containerd's `config.image.image` (`sha256:<id>`), without the algorithm. LIMIT: where the
 * JSON has no CRI config (CRI-O) the id comes from the status's `image_id`, which runtimes
 * older than CRI API 1.30 leave empty; Falco asks ImageService.ListImages instead, Harrier does
 * not, so `container.image.id` is empty for such containers.
 */
function configImageId(root: JsonObject): string {
  const image = objectAt(root, 'config', 'image')?.image;
  if (typeof image !== 'string') return '';
  const colon = image.indexOf(':');
  return colon === -1 ? image : image.slice(colon + 1);
}

/** The uid the container's process runs as, from the OCI runtime spec; empty when absent. */
function userOf(root: JsonObject): string {
  const uid = objectAt(root, 'runtimeSpec', 'process', 'user')?.uid;
  return Number.isSafeInteger(uid) ? String(uid) : '';
}

/**
 * The privileged flag where each runtime writes it: old containerd under
 * `runtimeSpec.linux.security_context`, containerd under `config.linux.security_context`,
 * CRI-O at the top. The first boolean found wins.
 */
function privilegedOf(root: JsonObject): boolean {
  const candidates = [
    objectAt(root, 'runtimeSpec', 'linux', 'security_context')?.privileged,
    objectAt(root, 'config', 'linux', 'security_context')?.privileged,
    root.privileged,
  ];
  return candidates.find((value) => typeof value === 'boolean') === true;
}

function mountOf(mount: CriMount): ContainerMount {
  return {
    source: mount.host_path,
    destination: mount.container_path,
    mode: '',
    readWrite: !mount.readonly,
    propagation: PROPAGATIONS[mount.propagation] ?? 'unknown',
  };
}

/** IP, host namespaces and CNI result of a pod sandbox. */
function podNetworkFields(status: CriPodSandboxStatus, root: JsonObject): Partial<ContainerInfo> {
  const modes = status.linux?.namespaces?.options;
  const hostNetwork = modes?.network === 'NODE';
  const ip = status.network?.ip ?? '';
  return {
    // A pod on the host's network has no address of its own.
    ip: hostNetwork || !isIPv4(ip) ? '' : ip,
    hostNetwork,
    hostPid: modes?.pid === 'NODE',
    hostIpc: modes?.ipc === 'NODE',
    podSandboxCniResult: cniResultOf(root),
  };
}

/**
 * The pod's CNI result: containerd's `cniResult.Interfaces` without the loopback and host-side
 * `veth` interfaces or their `Mac` and `Sandbox` entries, written with sorted keys as Falco's
 * JSON writer does; else CRI-O's CNI result annotation as is. At most 4096 characters.
 */
function cniResultOf(root: JsonObject): string {
  let text = '';
  const interfaces = objectAt(root, 'cniResult', 'Interfaces');
  if (interfaces !== undefined) {
    const kept: JsonObject = {};
    for (const [name, value] of Object.entries(interfaces)) {
      if (name === 'lo' || name.startsWith('veth')) continue;
      kept[name] = isObject(value) ? withoutKeys(value, ['Mac', 'Sandbox']) : value;
    }
    text = sortedJson(kept);
  } else {
    const annotation = objectAt(root, 'runtimeSpec', 'annotations')?.[
      'io.kubernetes.cri-o.CNIResult'
    ];
    if (typeof annotation === 'string') text = annotation.replace(/\n$/, '');
  }
  return text.slice(0, MAX_CNI_RESULT_LENGTH);
}

function withoutKeys(object: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([left], [right]) => (left < right ? -1 : 1)))
      : inner,
  );
}

function limitedLabels(labels: Record<string, string>, maxLength: number): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [key, value] of Object.entries(labels)) {
    if (value.length <= maxLength) kept.set(key, value);
  }
  return kept;
}

/** ns since the epoch (decimal text) → whole seconds; 0 when unset or not a number. */
function secondsOf(nanoseconds: string): number {
  return Number(nanosecondsOf(nanoseconds) / 1_000_000_000n);
}

function nanosecondsOf(nanoseconds: string): bigint {
  return /^\d{1,19}$/.test(nanoseconds) ? BigInt(nanoseconds) : 0n;
}

/** The object at `path` below `root`, or undefined when a step is missing or not an object. */
function objectAt(root: JsonObject, ...path: string[]): JsonObject | undefined {
  let current: unknown = root;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return isObject(current) ? current : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
