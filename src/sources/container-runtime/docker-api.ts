/**
 * A client for the Docker-compatible API on a unix socket: docker's `/var/run/docker.sock` and
 * podman's `/run/podman/podman.sock`. Podman is recognised by the `Libpod-Api-Version` header
 * of `/_ping` and then read through its libpod endpoints, which give the image name, digest and
 * id directly, as Falco's podman engine does.
 */
import type { Logger } from 'pino';
import type { ContainerInfo } from './container-info.js';
import type { HealthProbe } from './health-probes.js';
import {
  DEFAULT_LABEL_MAX_LENGTH,
  dockerContainerInfo,
  dockerImageReference,
  joinedNetworkContainer,
  podmanContainerInfo,
  probeSandboxContainer,
  sandboxHealthProbes,
} from './inspect-json.js';
import { UnixHttpClient } from './unix-http.js';

/** The API a runtime client speaks: the Docker-compatible HTTP API, or CRI over gRPC. */
export type ContainerRuntimeKind = 'docker-api' | 'cri';

/** Something that can tell what a container is, given its (short or full) id. */
export interface ContainerRuntimeClient {
  readonly kind: ContainerRuntimeKind;
  /** Where the client connects, for logs. */
  readonly endpoint: string;
  /**
   * The container's metadata, or undefined when this runtime has no such container.
   * @throws Error when the runtime cannot be asked (socket missing, timeout, bad answer).
   */
  inspect(id: string): Promise<ContainerInfo | undefined>;
  /** Releases connections; the client is not used afterwards. */
  close(): void;
}

export interface DockerApiClientOptions {
  socketPath: string;
  /** Per-request time limit in ms; default 2000. */
  timeoutMs?: number;
  /** Label values longer than this are dropped; default 100, as Falco's `label_max_len`. */
  labelMaxLength?: number;
  /** Where the first failure of each kind is logged; default nowhere. */
  logger?: Logger;
}

/** Why a request to the socket failed, in a user's words, from the error's cause. */
function failureReason(error: Error, socketPath: string): { kind: string; reason: string } {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        kind: code,
        reason: `connection refused: nothing listens on the socket${howToStart(socketPath)}`,
      };
    case 'ENOENT':
      return { kind: code, reason: 'the socket is gone' };
    case 'EACCES':
      return { kind: code, reason: 'permission denied' };
    default:
      return { kind: code ?? error.message.replace(/ \(GET .*$/, ''), reason: error.message };
  }
}

/**
 * How to bring a podman socket to life: without systemd's socket activation (Debian without
 * systemd, containers) nothing starts podman's API service, and the socket file stays behind.
 */
function howToStart(socketPath: string): string {
  return socketPath.includes('podman')
    ? `; podman's API service starts with: podman system service --time=0 unix://${socketPath}`
    : '';
}

/** Which API dialect the socket speaks. */
type Flavor = { kind: 'docker' } | { kind: 'podman'; libpodVersion: string };

/** Container ids and names the API accepts in a path; anything else is refused unsent. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Reads container metadata from a docker or podman API socket. */
export class DockerApiClient implements ContainerRuntimeClient {
  readonly kind = 'docker-api';
  readonly endpoint: string;
  private readonly http: UnixHttpClient;
  private readonly labelMaxLength: number;
  private flavor: Promise<Flavor> | undefined;
  private readonly socketPath: string;
  private readonly logger: Logger | undefined;
  /** Kinds of failure already logged: each is logged once, however often it recurs. */
  private readonly logged = new Set<string>();

  constructor(options: DockerApiClientOptions) {
    this.socketPath = options.socketPath;
    this.logger = options.logger;
    this.endpoint = `unix://${options.socketPath}`;
    this.http = new UnixHttpClient({
      socketPath: options.socketPath,
      timeoutMs: options.timeoutMs,
    });
    this.labelMaxLength = options.labelMaxLength ?? DEFAULT_LABEL_MAX_LENGTH;
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    try {
      return await this.inspectSafeId(id);
    } catch (error) {
      this.warnOnce(error as Error);
      throw error;
    }
  }

  close(): void {
    this.http.close();
  }

  /** Logs the first failure of its kind (a socket left behind refuses every request). */
  private warnOnce(error: Error): void {
    const { kind, reason } = failureReason(error, this.socketPath);
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    this.logger?.warn(
      { socket: this.socketPath, err: error },
      `container runtime socket ${this.socketPath} cannot be asked (${reason}); its containers read <NA> until it answers, and it is asked again later`,
    );
  }

  private async inspectSafeId(id: string): Promise<ContainerInfo | undefined> {
    const flavor = await this.detectFlavor();
    if (flavor.kind === 'podman') {
      const found = await this.getOrMissing(
        `/v${flavor.libpodVersion}/libpod/containers/${id}/json`,
      );
      return found === undefined ? undefined : podmanContainerInfo(found, this.labelMaxLength);
    }
    return this.inspectDocker(id);
  }

  private async inspectDocker(id: string): Promise<ContainerInfo | undefined> {
    const found = await this.getOrMissing(`/containers/${id}/json`);
    if (found === undefined) return undefined;
    const imageId = dockerImageReference(found);
    // A missing image leaves repository, tag and digest empty, as in the plugin.
    const image = SAFE_ID.test(imageId.replace(/^sha256:/, ''))
      ? await this.getOrMissing(`/images/${imageId}/json`).catch(() => undefined)
      : undefined;
    const joined = joinedNetworkContainer(found);
    let joinedIp = '';
    if (joined !== undefined && SAFE_ID.test(joined)) {
      const other = await this.getOrMissing(`/containers/${joined}/json`).catch(() => undefined);
      joinedIp = other === undefined ? '' : dockerContainerInfo(other, undefined).ip;
    }
    const sandboxProbes = await this.sandboxProbesOf(found);
    return dockerContainerInfo(found, image, joinedIp, this.labelMaxLength, sandboxProbes);
  }

  /** The health probes of the pod sandbox a container takes them from; none when unreadable. */
  private async sandboxProbesOf(inspect: unknown): Promise<HealthProbe[]> {
    const sandbox = probeSandboxContainer(inspect);
    if (sandbox === undefined || !SAFE_ID.test(sandbox)) return [];
    const found = await this.getOrMissing(`/containers/${sandbox}/json`).catch(() => undefined);
    return found === undefined ? [] : sandboxHealthProbes(found);
  }

  /** The JSON body of a 200 answer, undefined for 404; throws for anything else. */
  private async getOrMissing(path: string): Promise<unknown> {
    const response = await this.http.get(path);
    if (response.status === 404) return undefined;
    if (response.status !== 200 || response.body === undefined)
      throw new Error(`unexpected HTTP ${response.status} for GET ${path} on ${this.endpoint}`);
    return response.body;
  }

  private detectFlavor(): Promise<Flavor> {
    this.flavor ??= this.http.get('/_ping').then(
      (response): Flavor => {
        const version = response.headers['libpod-api-version'];
        return typeof version === 'string' && /^\d+(\.\d+)*$/.test(version)
          ? { kind: 'podman', libpodVersion: version }
          : { kind: 'docker' };
      },
      (error: unknown) => {
        // Ask again next time: the service may only have been starting.
        this.flavor = undefined;
        throw error;
      },
    );
    return this.flavor;
  }
}
