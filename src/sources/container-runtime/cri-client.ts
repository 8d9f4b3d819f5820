/**
 * A CRI client: container metadata from containerd, CRI-O or any other runtime serving the
 * Kubernetes Container Runtime Interface (runtime.v1) on a unix socket, for containers that
 * no Docker-compatible API knows. One container costs a ContainerStatus and a PodSandboxStatus
 * call, both verbose, as in Falco's CRI engine.
 */
import type { Logger } from 'pino';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { ContainerEngineType, ContainerInfo } from './container-info.js';
import {
  criContainerInfo,
  criEngineType,
  criSandboxInfo,
  readVerboseInfo,
  sandboxIdOf,
} from './cri-status.js';
import { CriCallError, CriRuntimeService, type CriContainerStatus } from './cri-service.js';
import type { ContainerRuntimeClient } from './docker-api.js';
import { DEFAULT_LABEL_MAX_LENGTH } from './inspect-json.js';

export interface CriClientOptions {
  /** Absolute path of the runtime's socket, such as `/run/containerd/containerd.sock`. */
  socketPath: string;
  /** Time limit of each call, in ms; default 1000, as Falco's CRI timeout. */
  timeoutMs?: number;
  /** Label values longer than this are dropped; default 100. */
  labelMaxLength?: number;
  /** Where the first failure of each kind is logged; default nowhere. */
  logger?: Logger;
}

/** What the client has met since it was made. */
export interface CriClientCounters {
  /** Calls sent to the runtime. */
  calls: number;
  /** Calls that failed, deadlines included; "not found" answers are not failures. */
  failures: number;
  /** Calls whose deadline passed. */
  timeouts: number;
  /** Verbose info that was not a JSON object; the lookup went on without it. */
  malformedInfo: number;
  /** Containers found whose pod sandbox could not be read; they lack the pod's fields. */
  sandboxFailures: number;
}

/** The runtime behind the socket, once `Version` answered. */
interface CriRuntime {
  type: ContainerEngineType;
}

/** Container ids the runtimes accept (full or a unique prefix); anything else is not asked. */
const CRI_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Reads container and pod sandbox metadata from one CRI socket. */
export class CriClient implements ContainerRuntimeClient {
  readonly kind = 'cri';
  readonly endpoint: string;
  readonly counters: CriClientCounters = {
    calls: 0,
    failures: 0,
    timeouts: 0,
    malformedInfo: 0,
    sandboxFailures: 0,
  };
  private readonly service: CriRuntimeService;
  private readonly labelMaxLength: number;
  private readonly logger: Logger | undefined;
  private readonly logged = new Set<string>();
  /** Resolves undefined when the socket serves no runtime.v1 CRI. */
  private runtime: Promise<CriRuntime | undefined> | undefined;

  constructor(options: CriClientOptions) {
    this.service = new CriRuntimeService(options.socketPath, options.timeoutMs ?? 1000);
    this.endpoint = this.service.endpoint;
    this.labelMaxLength = options.labelMaxLength ?? DEFAULT_LABEL_MAX_LENGTH;
    this.logger = options.logger;
  }

  /**
   * The container (or pod sandbox) `id`, full or a unique prefix such as the 12-character
   * `container.id`. Undefined when the runtime knows neither, or serves no CRI v1.
   * @throws CriCallError when the runtime cannot be reached or a call times out.
   */
  async inspect(id: string): Promise<ContainerInfo | undefined> {
    if (!CRI_ID.test(id)) return undefined;
    const runtime = await this.runtimeOnce();
    if (runtime === undefined) return undefined;
    const found = await this.unlessNotFound(this.service.containerStatus(id));
    if (found === undefined) return this.inspectSandbox(id, runtime);
    if (found.status === null)
      throw new Error(`CRI ContainerStatus on ${this.endpoint} answered ${id} without a status`);
    return this.describeContainer(found.status, found.info, runtime);
  }

  close(): void {
    this.service.close();
  }

  private async describeContainer(
    status: CriContainerStatus,
    info: Record<string, string>,
    runtime: CriRuntime,
  ): Promise<ContainerInfo> {
    const root = this.verboseRoot(info, 'ContainerStatus', status.id);
    const sandboxId = sandboxIdOf(root) || (await this.sandboxIdFromList(status.id));
    let sandbox: ContainerInfo | undefined;
    if (sandboxId !== '') {
      sandbox = await this.inspectSandbox(sandboxId, runtime).catch(() => undefined);
      if (sandbox === undefined) this.sandboxMissed(status.id, sandboxId);
    }
    return criContainerInfo(status, root, {
      type: runtime.type,
      labelMaxLength: this.labelMaxLength,
      sandboxId,
      sandbox,
    });
  }

  private async inspectSandbox(
    id: string,
    runtime: CriRuntime,
  ): Promise<ContainerInfo | undefined> {
    const found = await this.unlessNotFound(this.service.podSandboxStatus(id));
    if (found === undefined || found.status === null) return undefined;
    const root = this.verboseRoot(found.info, 'PodSandboxStatus', found.status.id);
    return criSandboxInfo(found.status, root, {
      type: runtime.type,
      labelMaxLength: this.labelMaxLength,
    });
  }

  /** The sandbox of a container whose verbose info does not name it; empty when unknown. */
  private async sandboxIdFromList(fullId: string): Promise<string> {
    const listed = await this.counted(this.service.listContainers(fullId)).catch(() => undefined);
    return listed?.containers.find((container) => container.id === fullId)?.pod_sandbox_id ?? '';
  }

  /** The verbose JSON; a malformed one is counted, logged once and read as empty. */
  private verboseRoot(info: Record<string, string>, method: string, id: string) {
    const verbose = readVerboseInfo(info);
    if (verbose.ok) return verbose.root;
    this.counters.malformedInfo++;
    this.warnOnce(
      'malformed-info',
      { endpoint: this.endpoint, id, line: verbose.line, column: verbose.column },
      `CRI ${method} verbose info is not a JSON object: ${verbose.reason} at line ${verbose.line} column ${verbose.column}; metadata read without it`,
    );
    return {};
  }

  private sandboxMissed(id: string, sandboxId: string): void {
    this.counters.sandboxFailures++;
    this.warnOnce(
      'sandbox',
      { endpoint: this.endpoint, id, sandboxId },
      'CRI pod sandbox of a container could not be read; its pod IP, labels and host namespaces stay empty',
    );
  }

  /**
   * Asks `Version` once; a socket without the CRI v1 service is remembered as such. LIMIT:
   * there is no fallback to `runtime.v1alpha2` as in Falco, so runtimes older than CRI v1
   * (containerd before 1.6) are not read; their containers keep `<NA>` and a warning says so.
   */
  private runtimeOnce(): Promise<CriRuntime | undefined> {
    const unimplemented = [grpcStatus.UNIMPLEMENTED];
    this.runtime ??= this.counted(this.service.version(), unimplemented).then(
      (version) => {
        this.logger?.info(
          {
            endpoint: this.endpoint,
            runtime: version.runtime_name,
            version: version.runtime_version,
          },
          'CRI runtime answered; its containers are described from it',
        );
        return { type: criEngineType(version.runtime_name) };
      },
      (error: unknown) => {
        if (error instanceof CriCallError && error.code === grpcStatus.UNIMPLEMENTED) {
          this.warnOnce(
            'not-cri',
            { endpoint: this.endpoint, err: error },
            'socket serves no CRI runtime.v1 service (CRI plugin off, or a runtime older than CRI v1); it is not asked again',
          );
          return undefined;
        }
        // Ask again next time: the runtime may only have been starting.
        this.runtime = undefined;
        throw error;
      },
    );
    return this.runtime;
  }

  /** The call's answer, or undefined when the runtime says NOT_FOUND. */
  private async unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await this.counted(call);
    } catch (error) {
      if (error instanceof CriCallError && error.code === grpcStatus.NOT_FOUND) return undefined;
      throw error;
    }
  }

  /**
   * Counts the call and its failure; the first failure of each kind is logged. Errors with an
   * `expected` code are answers the caller handles, not failures.
   */
  private async counted<T>(
    call: Promise<T>,
    expected: readonly number[] = [grpcStatus.NOT_FOUND],
  ): Promise<T> {
    this.counters.calls++;
    try {
      return await call;
    } catch (error) {
      const code = error instanceof CriCallError ? error.code : undefined;
      if (code !== undefined && expected.includes(code)) throw error;
      this.counters.failures++;
      const timedOut = code === grpcStatus.DEADLINE_EXCEEDED;
      if (timedOut) this.counters.timeouts++;
      this.warnOnce(
        timedOut ? 'timeout' : `failure-${code ?? 'other'}`,
        { endpoint: this.endpoint, err: error },
        'CRI call failed; the container is looked up again later and reads <NA> meanwhile',
      );
      throw error;
    }
  }

  private warnOnce(kind: string, fields: object, message: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    this.logger?.warn(fields, message);
  }
}
