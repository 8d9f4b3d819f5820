/**
 * Container metadata from the container runtimes' APIs (docker and podman over their
 * Docker-compatible unix sockets; containerd, CRI-O and other CRI runtimes over gRPC), fetched
 * asynchronously into a bounded cache.
 */
export {
  emptyContainerInfo,
  HOST_CONTAINER_ID,
  HOST_CONTAINER_INFO,
  type ContainerEngineType,
  type ContainerInfo,
  type ContainerMount,
} from './container-info.js';
export { ContainerJsonError, containerJson, parseContainerJson } from './container-json.js';
export type { ContainerRuntimeKind } from './docker-api.js';
export { ContainerMetadata } from './container-metadata.js';
export { findRuntimeClients } from './runtime-sockets.js';
