/**
 * Finding the container runtime sockets of this host, with the same default paths as Falco's
 * container plugin, and making a client for each one Harrier can speak to.
 */
import { statSync } from 'node:fs';
import { DockerApiClient, type ContainerRuntimeClient } from './docker-api.js';

/** Docker-compatible API sockets, in the order they are asked: podman first, as the plugin. */
export const DEFAULT_DOCKER_API_SOCKETS: readonly string[] = [
  '/run/podman/podman.sock',
  '/var/run/docker.sock',
];

/** CRI (gRPC) sockets of containerd and CRI-O that the plugin looks for. */
export const DEFAULT_CRI_SOCKETS: readonly string[] = [
  '/run/containerd/containerd.sock',
  '/run/crio/crio.sock',
  '/run/k3s/containerd/containerd.sock',
  '/run/host-containerd/containerd.sock',
];

export interface RuntimeSocketOptions {
  dockerApiSockets?: readonly string[];
  criSockets?: readonly string[];
  /** Per-request time limit for the clients, in ms. */
  timeoutMs?: number;
  labelMaxLength?: number;
}

/** The clients made, and the sockets found that Harrier cannot read. */
export interface RuntimeClients {
  clients: ContainerRuntimeClient[];
  /**
   * CRI sockets present on the host. LIMIT: Harrier has no CRI (gRPC) client; containers that
   * only containerd or CRI-O know get no name, image or k8s.* fields (they read `<NA>`).
   */
  unreadCriSockets: string[];
}

/**
 * A client for each Docker-compatible socket that exists now, and the CRI sockets that exist.
 * Sockets that appear later are not picked up.
 */
export function findRuntimeClients(options: RuntimeSocketOptions = {}): RuntimeClients {
  const dockerSockets = (options.dockerApiSockets ?? DEFAULT_DOCKER_API_SOCKETS).filter(isSocket);
  const clients = dockerSockets.map(
    (socketPath) =>
      new DockerApiClient({
        socketPath,
        timeoutMs: options.timeoutMs,
        labelMaxLength: options.labelMaxLength,
      }),
  );
  const unreadCriSockets = (options.criSockets ?? DEFAULT_CRI_SOCKETS).filter(isSocket);
  return { clients, unreadCriSockets };
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
