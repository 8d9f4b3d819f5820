/**
 * Container metadata from the container runtimes' APIs (docker and podman over their
 * Docker-compatible unix sockets; containerd, CRI-O and other CRI runtimes over gRPC), fetched
 * asynchronously into a bounded cache.
 */
export {
  emptyContainerInfo,
  shortContainerId,
  HOST_CONTAINER_ID,
  HOST_CONTAINER_INFO,
  type ContainerEngineType,
  type ContainerInfo,
  type ContainerMount,
} from './container-info.js';
export { splitImageRepositoryTag, type ImageRepositoryTag } from './image-reference.js';
export {
  DockerApiClient,
  type ContainerRuntimeClient,
  type ContainerRuntimeKind,
  type DockerApiClientOptions,
} from './docker-api.js';
export { CriClient, type CriClientCounters, type CriClientOptions } from './cri-client.js';
export {
  ContainerMetadata,
  type ContainerMetadataCounters,
  type ContainerMetadataOptions,
  type LookupOptions,
} from './container-metadata.js';
export {
  findRuntimeClients,
  DEFAULT_CRI_SOCKETS,
  DEFAULT_DOCKER_API_SOCKETS,
  type RuntimeClients,
  type RuntimeSocketOptions,
} from './runtime-sockets.js';
