/**
 * A fake CRI runtime for tests: a real gRPC server on a unix socket in a fresh temporary
 * directory, serving the RuntimeService subset with canned answers (see `cri-fixtures.ts`)
 * and recording every call.
 * @internal
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  CONTAINER_ID,
  containerdContainerResponse,
  containerdSandboxResponse,
  SANDBOX_ID,
} from './cri-fixtures.js';
import {
  criRuntimeServiceDefinition,
  type CriContainerStatusResponse,
  type CriPodSandboxStatusResponse,
} from './cri-service.js';

/** What a fake runtime knows and how it behaves. */
export interface FakeCriRuntime {
  runtimeName?: string;
  containers?: Record<string, CriContainerStatusResponse>;
  sandboxes?: Record<string, CriPodSandboxStatusResponse>;
  /** Container id → sandbox id, for ListContainers. */
  listed?: Record<string, string>;
  /** Delay before each ContainerStatus answer, in ms. */
  containerDelayMs?: number;
  /** Serve no RuntimeService at all, like containerd with its CRI plugin off. */
  noService?: boolean;
}

export interface RunningFakeCri {
  socketPath: string;
  /** `Method argument` for every call received. */
  calls: string[];
  /** Stops at once, failing calls in progress, as a runtime that dies. */
  stop(): void;
}

/** Every `Method` request is recorded, then answered by `answer` or failed with NOT_FOUND. */
function unary(
  calls: string[],
  method: string,
  argumentOf: (request: Record<string, unknown>) => string,
  answer: (argument: string) => unknown,
  delayMs = 0,
) {
  return (
    call: ServerUnaryCall<Record<string, unknown>, unknown>,
    reply: sendUnaryData<unknown>,
  ) => {
    const argument = argumentOf(call.request);
    calls.push(`${method} ${argument}`.trim());
    const found = answer(argument);
    const respond = () =>
      found === undefined
        ? reply({ code: status.NOT_FOUND, details: `${argument}: not found` })
        : reply(null, found);
    if (delayMs > 0) setTimeout(respond, delayMs);
    else respond();
  };
}

/** Entries whose key starts with `prefix`, when exactly one does (containerd's id prefixes). */
function byPrefix<T>(entries: Record<string, T> | undefined, prefix: string): T | undefined {
  const matches = Object.keys(entries ?? {}).filter((key) => key.startsWith(prefix));
  return matches.length === 1 ? entries?.[matches[0]] : undefined;
}

function implementation(fake: FakeCriRuntime, calls: string[]): UntypedServiceImplementation {
  return {
    Version: unary(
      calls,
      'Version',
      (request) => `${String(request.version)}`,
      () => ({
        version: '0.1.0',
        runtime_name: fake.runtimeName ?? 'containerd',
        runtime_version: 'v1.7.13',
        runtime_api_version: 'v1',
      }),
    ),
    ContainerStatus: unary(
      calls,
      'ContainerStatus',
      (request) => `${String(request.container_id)} verbose=${String(request.verbose)}`,
      (argument) => byPrefix(fake.containers, argument.split(' ')[0]),
      fake.containerDelayMs,
    ),
    PodSandboxStatus: unary(
      calls,
      'PodSandboxStatus',
      (request) => `${String(request.pod_sandbox_id)} verbose=${String(request.verbose)}`,
      (argument) => byPrefix(fake.sandboxes, argument.split(' ')[0]),
    ),
    ListContainers: unary(
      calls,
      'ListContainers',
      (request) => String((request.filter as { id: string } | null)?.id),
      (id) => ({
        containers: Object.entries(fake.listed ?? {})
          .filter(([container]) => container === id)
          .map(([container, sandbox]) => ({ id: container, pod_sandbox_id: sandbox })),
      }),
    ),
  };
}

/**
 * Starts a gRPC server for `fake` on `socketPath` (by default a fresh one in a new directory,
 * which `removeSocketDirectory` deletes).
 */
export async function startFakeCri(
  fake: FakeCriRuntime,
  socketPath?: string,
): Promise<RunningFakeCri> {
  const path = socketPath ?? join(mkdtempSync(join(tmpdir(), 'harrier-cri-')), 'cri.sock');
  const calls: string[] = [];
  const server = new Server();
  if (fake.noService !== true)
    server.addService(criRuntimeServiceDefinition(), implementation(fake, calls));
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${path}`, ServerCredentials.createInsecure(), (error) =>
      error === null ? resolve() : reject(error),
    ),
  );
  return { socketPath: path, calls, stop: () => server.forceShutdown() };
}

export function removeSocketDirectory(socketPath: string): void {
  rmSync(dirname(socketPath), { recursive: true, force: true });
}

/** The containerd pod of the fixtures: one container and its sandbox. */
export const containerdPod: FakeCriRuntime = {
  containers: { [CONTAINER_ID]: containerdContainerResponse },
  sandboxes: { [SANDBOX_ID]: containerdSandboxResponse },
  listed: { [CONTAINER_ID]: SANDBOX_ID },
};
