/**
 * A container's metadata as the JSON text libsinsp puts in its container events
 * (PPME_CONTAINER_JSON_E / PPME_CONTAINER_JSON_2_E): one `container` object with libsinsp's
 * key names, a numeric engine type and a lookup state. Harrier writes it into its recordings
 * so that a replay (and sysdig or Falco reading the file) knows the containers the live run
 * knew, and reads it from any capture that carries it.
 *
 * Keys Harrier has no value for (port mappings, environment, resource limits) are left out:
 * libsinsp reads a missing key as its default. Health probes go under libsinsp's
 * `Healthcheck`, `LivenessProbe` and `ReadinessProbe` keys, each `{"exe": ..., "args": [...]}`,
 * so a replay tells probe processes apart as the live run did. `startedAt` has no key and reads
 * back as 0n (no field shows it).
 */
import {
  emptyContainerInfo,
  shortContainerId,
  type ContainerEngineType,
  type ContainerInfo,
  type ContainerMount,
} from './container-info.js';
import type { HealthProbe, HealthProbeType } from './health-probes.js';

/** libsinsp's `sinsp_container_type` numbers of the engines Harrier names. */
const ENGINE_NUMBERS: Readonly<Record<ContainerEngineType, number>> = {
  docker: 0,
  lxc: 1,
  'libvirt-lxc': 2,
  cri: 6,
  containerd: 7,
  'cri-o': 8,
  bpm: 9,
  podman: 11,
  // Never written (host threads have no container event); libsinsp's CT_UNKNOWN.
  host: 0xffff,
  unknown: 0xffff,
};

const ENGINES_BY_NUMBER = new Map<number, ContainerEngineType>(
  Object.entries(ENGINE_NUMBERS)
    .filter(([type]) => type !== 'host')
    .map(([type, code]) => [code, type as ContainerEngineType]),
);

/** libsinsp's lookup state of a container that was found (STARTED is 0, FAILED 2). */
const LOOKUP_SUCCESSFUL = 1;

/** What libsinsp writes as the `ip` of a container without an address of its own. */
const NO_IP = '0.0.0.0';

/** The key of each probe type in libsinsp's container JSON. */
const PROBE_KEYS: Readonly<Record<HealthProbeType, string>> = {
  healthcheck: 'Healthcheck',
  'liveness-probe': 'LivenessProbe',
  'readiness-probe': 'ReadinessProbe',
};

/** A container event whose JSON cannot be read; the message says which key and why. */
export class ContainerJsonError extends Error {
  override readonly name = 'ContainerJsonError';
}

/** One container event's content. */
export interface ContainerJson {
  info: ContainerInfo;
  /** False for the record of a lookup that failed or never finished (libsinsp keeps it unused). */
  isSuccessful: boolean;
}

/** The JSON text of `info` in libsinsp's container event layout. Does not mutate `info`. */
export function containerJson(info: ContainerInfo): string {
  const container = {
    id: info.id,
    full_id: info.fullId,
    type: ENGINE_NUMBERS[info.type],
    name: info.name,
    image: info.image,
    imageid: info.imageId,
    imagerepo: info.imageRepository,
    imagetag: info.imageTag,
    imagedigest: info.imageDigest,
    privileged: info.privileged,
    host_pid: info.hostPid,
    host_network: info.hostNetwork,
    host_ipc: info.hostIpc,
    is_pod_sandbox: info.isPodSandbox,
    lookup_state: LOOKUP_SUCCESSFUL,
    created_time: info.createdTime,
    Mounts: info.mounts.map((mount) => ({
      Source: mount.source,
      Destination: mount.destination,
      Mode: mount.mode,
      RW: mount.readWrite,
      Propagation: mount.propagation,
    })),
    User: info.user,
    ip: info.ip === '' ? NO_IP : info.ip,
    cni_json: info.podSandboxCniResult,
    pod_sandbox_id: info.podSandboxId,
    ...probesJson(info.healthProbes),
    labels: Object.fromEntries(info.labels),
    pod_sandbox_labels: Object.fromEntries(info.podSandboxLabels),
  };
  return JSON.stringify({ container });
}

/** libsinsp keeps one probe per key; the first of a type is the one its matching finds. */
function probesJson(probes: readonly HealthProbe[]): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const { type, exe, args } of probes) json[PROBE_KEYS[type]] ??= { exe, args };
  return json;
}

/**
 * Reads a container event's JSON text. Keys may be missing (they read as empty, false or
 * zero); a key of the wrong type, text that is not JSON, or no `container.id` throws a
 * `ContainerJsonError` naming it. An unknown engine number reads as `unknown`.
 */
export function parseContainerJson(text: string): ContainerJson {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ContainerJsonError(`not JSON: ${(error as Error).message}`);
  }
  const container = isObject(root) ? root.container : undefined;
  if (!isObject(container))
    throw new ContainerJsonError(
      `expected an object under "container", found ${kindOf(container)}`,
    );
  const read = new KeyReader(container);
  const fullId = read.string('full_id');
  const id = read.string('id') || shortContainerId(fullId);
  if (id === '') throw new ContainerJsonError('expected a container id in "id" or "full_id"');
  const ip = read.string('ip');
  const info = emptyContainerInfo({
    id,
    fullId: fullId || id,
    type: ENGINES_BY_NUMBER.get(read.number('type', ENGINE_NUMBERS.unknown)) ?? 'unknown',
    name: read.string('name'),
    image: read.string('image'),
    imageId: read.string('imageid'),
    imageRepository: read.string('imagerepo'),
    imageTag: read.string('imagetag'),
    imageDigest: read.string('imagedigest'),
    ip: ip === NO_IP ? '' : ip,
    privileged: read.boolean('privileged'),
    hostPid: read.boolean('host_pid'),
    hostNetwork: read.boolean('host_network'),
    hostIpc: read.boolean('host_ipc'),
    mounts: read.mounts('Mounts'),
    labels: read.labels('labels'),
    user: read.string('User'),
    healthProbes: read.healthProbes(),
    createdTime: read.number('created_time', 0),
    isPodSandbox: read.boolean('is_pod_sandbox'),
    podSandboxId: read.string('pod_sandbox_id'),
    podSandboxLabels: read.labels('pod_sandbox_labels'),
    podSandboxCniResult: read.string('cni_json'),
  });
  // libsinsp takes a record without a lookup state as a found container.
  const state = read.number('lookup_state', LOOKUP_SUCCESSFUL);
  return { info, isSuccessful: state === LOOKUP_SUCCESSFUL };
}

/** Typed reads of the keys of one JSON object; `path` prefixes the keys in error messages. */
class KeyReader {
  constructor(
    private readonly object: Record<string, unknown>,
    private readonly path = 'container',
  ) {}

  string(key: string): string {
    return this.typed(key, 'string', '');
  }

  boolean(key: string): boolean {
    return this.typed(key, 'boolean', false);
  }

  number(key: string, absent: number): number {
    const value = this.typed(key, 'number', absent);
    if (!Number.isSafeInteger(value)) throw this.error(key, 'an integer', String(value));
    return value;
  }

  labels(key: string): ReadonlyMap<string, string> {
    const value = this.object[key];
    if (value === undefined || value === null) return new Map();
    if (!isObject(value)) throw this.error(key, 'an object of labels', kindOf(value));
    const labels = new KeyReader(value, `${this.path}.${key}`);
    return new Map(Object.keys(value).map((name) => [name, labels.typed(name, 'string', '')]));
  }

  mounts(key: string): ContainerMount[] {
    const value = this.object[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(key, 'an array of mounts', kindOf(value));
    return value.map((mount: unknown, index) => {
      const where = `${this.path}.${key}[${index}]`;
      if (!isObject(mount))
        throw new ContainerJsonError(`${where}: expected a mount object, found ${kindOf(mount)}`);
      const read = new KeyReader(mount, where);
      return {
        source: read.string('Source'),
        destination: read.string('Destination'),
        mode: read.string('Mode'),
        readWrite: read.boolean('RW'),
        propagation: read.string('Propagation'),
      };
    });
  }

  /** The probes under libsinsp's keys, in its order (health check, liveness, readiness). */
  healthProbes(): HealthProbe[] {
    const probes: HealthProbe[] = [];
    for (const [type, key] of Object.entries(PROBE_KEYS) as Array<[HealthProbeType, string]>) {
      const value = this.object[key];
      if (value === undefined || value === null) continue;
      if (!isObject(value)) throw this.error(key, 'a probe object', kindOf(value));
      const read = new KeyReader(value, `${this.path}.${key}`);
      probes.push({ type, exe: read.string('exe'), args: read.strings('args') });
    }
    return probes;
  }

  strings(key: string): string[] {
    const value = this.object[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(key, 'an array of strings', kindOf(value));
    const bad = value.findIndex((item) => typeof item !== 'string');
    if (bad !== -1) throw this.error(`${key}[${bad}]`, 'a string', kindOf(value[bad]));
    return value as string[];
  }

  private typed<T>(key: string, type: 'string' | 'boolean' | 'number', absent: T): T {
    const value = this.object[key];
    if (value === undefined || value === null) return absent;
    if (typeof value !== type) throw this.error(key, `a ${type}`, kindOf(value));
    return value as T;
  }

  private error(key: string, expected: string, found: string): ContainerJsonError {
    return new ContainerJsonError(`${this.path}.${key}: expected ${expected}, found ${found}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return value === undefined ? 'nothing' : `a ${typeof value}`;
}
