/**
 * Turning the JSON of a container inspection into a `ContainerInfo`, field by field as Falco's
 * container plugin does: podman's libpod inspect (`/libpod/containers/{id}/json`) and docker's
 * (`/containers/{id}/json` plus `/images/{id}/json` for repository, tag and digest).
 * @internal
 */
import {
  emptyContainerInfo,
  shortContainerId,
  type ContainerInfo,
  type ContainerMount,
} from './container-info.js';
import { configHealthProbes, LAST_APPLIED_LABEL, type HealthProbe } from './health-probes.js';
import { splitImageRepositoryTag } from './image-reference.js';

type JsonObject = Record<string, unknown>;

/** Label values longer than this are left out, as the plugin's `label_max_len` default. */
export const DEFAULT_LABEL_MAX_LENGTH = 100;

/** Podman's libpod inspect JSON → ContainerInfo. */
export function podmanContainerInfo(
  inspect: unknown,
  labelMaxLength = DEFAULT_LABEL_MAX_LENGTH,
): ContainerInfo {
  const root = objectOf(inspect);
  const config = objectOf(root.Config);
  const host = objectOf(root.HostConfig);
  const network = objectOf(root.NetworkSettings);
  const fullId = textOf(root.Id);
  const name = textOf(root.Name).replace(/^\//, '');
  const image = textOf(root.ImageName);
  const { repository, tag } = splitImageRepositoryTag(image);
  return emptyContainerInfo({
    ...commonFields(root, config, host, labelMaxLength),
    healthProbes: configHealthProbes(config),
    id: shortContainerId(fullId),
    fullId,
    type: 'podman',
    name,
    image,
    imageId: textOf(root.Image),
    imageRepository: repository,
    imageTag: tag,
    imageDigest: textOf(root.ImageDigest),
    ip: textOf(network.IPAddress),
    isPodSandbox: name.includes('k8s_POD'),
  });
}

/**
 * Docker's inspect JSON (and the image's, when it could be read) → ContainerInfo. `ip` is the
 * container's own address, or the one of the container whose network it joined, if given;
 * `sandboxProbes` are the health probes of its pod sandbox (`probeSandboxContainer`).
 */
export function dockerContainerInfo(
  inspect: unknown,
  imageInspect: unknown,
  joinedNetworkIp = '',
  labelMaxLength = DEFAULT_LABEL_MAX_LENGTH,
  sandboxProbes: readonly HealthProbe[] = [],
): ContainerInfo {
  const root = objectOf(inspect);
  const config = objectOf(root.Config);
  const host = objectOf(root.HostConfig);
  const network = objectOf(root.NetworkSettings);
  const fullId = textOf(root.Id);
  const name = textOf(root.Name).replace(/^\//, '');
  const imageFacts = dockerImageFacts(objectOf(imageInspect));
  return emptyContainerInfo({
    ...commonFields(root, config, host, labelMaxLength),
    healthProbes: configHealthProbes(config, sandboxProbes),
    id: shortContainerId(fullId),
    fullId,
    type: 'docker',
    name,
    image: textOf(config.Image),
    ...imageFacts,
    ip: textOf(network.IPAddress) || joinedNetworkIp,
    isPodSandbox: name.includes('k8s_POD'),
  });
}

/** The container whose network namespace `inspect` joined (`--network container:ID`), if any. */
export function joinedNetworkContainer(inspect: unknown): string | undefined {
  const mode = textOf(objectOf(objectOf(inspect).HostConfig).NetworkMode);
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/**
 * The pod sandbox whose health probes a docker container takes (libsinsp's copy for pods
 * under dockershim): named by its `io.kubernetes.sandbox.id` label when the container
 * carries no pod spec annotation of its own.
 */
export function probeSandboxContainer(inspect: unknown): string | undefined {
  const labels = objectOf(objectOf(objectOf(inspect).Config).Labels);
  if (labels[LAST_APPLIED_LABEL] !== undefined) return undefined;
  const sandbox = textOf(labels['io.kubernetes.sandbox.id']);
  return sandbox === '' ? undefined : sandbox;
}

/** The health probes of a sandbox container's inspection. */
export function sandboxHealthProbes(inspect: unknown): HealthProbe[] {
  return configHealthProbes(objectOf(objectOf(inspect).Config));
}

/** The image id of a docker inspection, to look the image up. */
export function dockerImageReference(inspect: unknown): string {
  return textOf(objectOf(inspect).Image);
}

function commonFields(
  root: JsonObject,
  config: JsonObject,
  host: JsonObject,
  labelMaxLength: number,
): Partial<ContainerInfo> {
  const state = objectOf(root.State);
  return {
    privileged: host.Privileged === true,
    hostPid: host.PidMode === 'host',
    hostNetwork: host.NetworkMode === 'host',
    hostIpc: host.IpcMode === 'host',
    mounts: arrayOf(root.Mounts).map(mountOf),
    labels: labelsOf(config.Labels, labelMaxLength),
    user: textOf(config.User),
    createdTime: secondsOf(textOf(root.Created)),
    startedAt: nanosecondsOf(textOf(state.StartedAt)),
  };
}

/** Repository, tag, digest and id from RepoDigests and RepoTags, as the plugin picks them. */
function dockerImageFacts(image: JsonObject): Partial<ContainerInfo> {
  let repository = '';
  let digest = '';
  const digests: string[] = [];
  for (const repoDigest of arrayOf(image.RepoDigests).map(textOf)) {
    const parts = repoDigest.split('@');
    if (parts.length !== 2) continue;
    if (repository === '') repository = parts[0];
    digests.push(parts[1]);
    if (repoDigest.includes(repository)) {
      digest = parts[1];
      break;
    }
  }
  if (digest === '' && digests.length === 1) digest = digests[0];

  let tag = '';
  for (const repoTag of arrayOf(image.RepoTags).map(textOf)) {
    const split = splitImageRepositoryTag(repoTag);
    if (split.repository === '' || split.tag === '') continue;
    if (repository === '') repository = split.repository;
    if (repoTag.includes(repository)) {
      tag = split.tag;
      break;
    }
  }
  const imageId = textOf(image.Id).replace(/^sha256:/, '');
  return { imageRepository: repository, imageTag: tag, imageDigest: digest, imageId };
}

function mountOf(value: unknown): ContainerMount {
  const mount = objectOf(value);
  return {
    source: textOf(mount.Source),
    destination: textOf(mount.Destination),
    mode: textOf(mount.Mode),
    readWrite: mount.RW === true,
    propagation: textOf(mount.Propagation),
  };
}

function labelsOf(value: unknown, maxLength: number): ReadonlyMap<string, string> {
  const labels = new Map<string, string>();
  for (const [key, label] of Object.entries(objectOf(value))) {
    if (typeof label === 'string' && label.length <= maxLength) labels.set(key, label);
  }
  return labels;
}

function secondsOf(time: string): number {
  const ms = Date.parse(time);
  return Number.isNaN(ms) || ms <= 0 ? 0 : Math.floor(ms / 1000);
}

/** RFC 3339 with up to nanosecond digits → ns since the epoch; 0n for unset or zero times. */
function nanosecondsOf(time: string): bigint {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (match === null) return 0n;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms) || ms <= 0) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

function objectOf(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
