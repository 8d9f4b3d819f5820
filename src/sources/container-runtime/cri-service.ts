/**
 * The Kubernetes CRI `RuntimeService` (runtime.v1) over gRPC on a unix socket, limited to the
 * calls and fields in `proto/cri-runtime-v1.proto`. Every call has a deadline. Answers are
 * plain objects with the API's snake_case names, 64-bit integers as decimal text and enums by
 * name; a message field the runtime left out is null.
 * @internal
 */
import { fileURLToPath } from 'node:url';
import {
  credentials,
  makeGenericClientConstructor,
  status as grpcStatus,
  type CallOptions,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The proto file beside the repository's `src/` and `dist/`. */
const PROTO_PATH = fileURLToPath(new URL('../../../proto/cri-runtime-v1.proto', import.meta.url));

export interface CriVersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

export interface CriMount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  /** `PROPAGATION_PRIVATE`, `PROPAGATION_HOST_TO_CONTAINER` or `PROPAGATION_BIDIRECTIONAL`. */
  propagation: string;
}

export interface CriContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  /** ns since the epoch, as decimal text. */
  created_at: string;
  started_at: string;
  image: { image: string } | null;
  image_ref: string;
  labels: Record<string, string>;
  mounts: CriMount[];
  image_id: string;
}

export interface CriContainerStatusResponse {
  status: CriContainerStatus | null;
  /** Runtime-specific details; `info` holds a JSON object when verbose was asked. */
  info: Record<string, string>;
}

/** `POD`, `CONTAINER` or `NODE` (shared with the host). */
type CriNamespaceMode = string;

export interface CriPodSandboxStatus {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number } | null;
  created_at: string;
  network: { ip: string } | null;
  linux: {
    namespaces: {
      options: { network: CriNamespaceMode; pid: CriNamespaceMode; ipc: CriNamespaceMode } | null;
    } | null;
  } | null;
  labels: Record<string, string>;
  /** The pod's annotations, such as kubectl's last-applied-configuration. */
  annotations: Record<string, string>;
}

export interface CriPodSandboxStatusResponse {
  status: CriPodSandboxStatus | null;
  info: Record<string, string>;
}

export interface CriListContainersResponse {
  containers: Array<{ id: string; pod_sandbox_id: string }>;
}

/** A call that the runtime (or the channel) answered with a gRPC error. */
export class CriCallError extends Error {
  /** The gRPC status code, such as `status.NOT_FOUND`. */
  readonly code: number;

  constructor(method: string, endpoint: string, cause: ServiceError) {
    const name = grpcStatus[cause.code] ?? String(cause.code);
    super(`CRI ${method} on ${endpoint} failed: ${name}: ${cause.details}`, { cause });
    this.code = cause.code;
  }
}

let serviceDefinition: ServiceDefinition | undefined;

/** The RuntimeService definition, loaded once; test servers use it too. */
export function criRuntimeServiceDefinition(): ServiceDefinition {
  if (serviceDefinition === undefined) {
    const loaded = loadSync(PROTO_PATH, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
    });
    serviceDefinition = loaded['runtime.v1.RuntimeService'] as ServiceDefinition;
  }
  return serviceDefinition;
}

/**
 * Channel settings: no HTTP proxy (the socket is local), the CRI API's usual message size
 * bound, and short reconnect back-off so a restarted runtime is read again within seconds.
 */
const CHANNEL_OPTIONS = {
  'grpc.enable_http_proxy': 0,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 5000,
};

type UnaryCall = (
  request: object,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => void;

/** One gRPC channel to one CRI socket. */
export class CriRuntimeService {
  readonly endpoint: string;
  private readonly client: Client;

  /** `socketPath` must be absolute; `timeoutMs` bounds each call. */
  constructor(
    socketPath: string,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = `unix://${socketPath}`;
    const Constructor = makeGenericClientConstructor(
      criRuntimeServiceDefinition(),
      'RuntimeService',
    );
    this.client = new Constructor(this.endpoint, credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  version(): Promise<CriVersionResponse> {
    return this.call('Version', { version: 'v1' });
  }

  containerStatus(containerId: string): Promise<CriContainerStatusResponse> {
    return this.call('ContainerStatus', { container_id: containerId, verbose: true });
  }

  podSandboxStatus(podSandboxId: string): Promise<CriPodSandboxStatusResponse> {
    return this.call('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose: true });
  }

  listContainers(containerId: string): Promise<CriListContainersResponse> {
    return this.call('ListContainers', { filter: { id: containerId } });
  }

  close(): void {
    this.client.close();
  }

  /** @throws CriCallError when the call fails or its deadline passes. */
  private call<T>(method: string, request: object): Promise<T> {
    const unary = (this.client as unknown as Record<string, UnaryCall>)[method];
    return new Promise((resolve, reject) => {
      const options = { deadline: Date.now() + this.timeoutMs };
      unary.call(this.client, request, options, (error, response) => {
        if (error !== null) reject(new CriCallError(method, this.endpoint, error));
        else resolve(response as T);
      });
    });
  }
}
