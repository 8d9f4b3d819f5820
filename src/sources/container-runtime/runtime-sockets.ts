/**
 * Finding the container runtime sockets of this host, with the same default paths as Falco
 * (its container plugin for the Docker-compatible APIs, its CRI engine for CRI), and making a
 * client for each one present.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { CriClient } from './cri-client.js';
import { DockerApiClient, type ContainerRuntimeClient } from './docker-api.js';

/** Docker-compatible API sockets, in the order they are asked: podman first, as the plugin. */
const DEFAULT_DOCKER_API_SOCKETS: readonly string[] = [
  '/run/podman/podman.sock',
  '/var/run/docker.sock',
];

/** CRI (gRPC) sockets Falco looks for: containerd, CRI-O, k3s, Bottlerocket's host containerd. */
const DEFAULT_CRI_SOCKETS: readonly string[] = [
  '/run/containerd/containerd.sock',
  '/run/crio/crio.sock',
  '/run/k3s/containerd/containerd.sock',
  '/run/host-containerd/containerd.sock',
];

export interface RuntimeSocketOptions {
  dockerApiSockets?: readonly string[];
  /** CRI sockets to try instead of `DEFAULT_CRI_SOCKETS` (Falco's `--cri`). */
  criSockets?: readonly string[];
  /** Per-request time limit of the Docker-compatible clients, in ms (default 2000). */
  timeoutMs?: number;
  /** Per-call time limit of the CRI clients, in ms (default 1000). */
  criTimeoutMs?: number;
  labelMaxLength?: number;
  /** Given to every client, which logs its first failure of each kind. */
  logger?: Logger;
}

/** The clients made: Docker-compatible ones first, then CRI ones, each in path order. */
export interface RuntimeClients {
  clients: ContainerRuntimeClient[];
  /** The CRI sockets a client was made for. */
  criSockets: string[];
}

/**
 * A client for each Docker-compatible and CRI socket that exists now. Sockets that appear
 * later are not picked up. Relative CRI paths are taken from the working directory.
 */
export function findRuntimeClients(options: RuntimeSocketOptions = {}): RuntimeClients {
  const dockerSockets = (options.dockerApiSockets ?? DEFAULT_DOCKER_API_SOCKETS).filter(isSocket);
  const criPaths = (options.criSockets ?? DEFAULT_CRI_SOCKETS).map((path) => resolve(path));
  const criSockets = [...new Set(criPaths)].filter(isSocket);
  const clients: ContainerRuntimeClient[] = dockerSockets.map(
    (socketPath) =>
      new DockerApiClient({
        socketPath,
        timeoutMs: options.timeoutMs,
        labelMaxLength: options.labelMaxLength,
        logger: options.logger,
      }),
  );
  for (const socketPath of criSockets) {
    clients.push(
      new CriClient({
        socketPath,
        timeoutMs: options.criTimeoutMs,
        labelMaxLength: options.labelMaxLength,
        logger: options.logger,
      }),
    );
  }
  return { clients, criSockets };
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
