/**
 * Container identity for syscall events: the container id from a process's cgroups (docker,
 * podman, containerd/CRI, CRI-O, LXC, libvirt-LXC, BPM; cgroup v1, v2 and hybrid), and the
 * `container.*` / `k8s.*` field values from the metadata that `sources/container-runtime`
 * fetches. The metadata types are re-exported from there.
 */
export {
  CGROUP_ENGINES,
  DEFAULT_CGROUP_ENGINES,
  matchCgroupEngine,
  type CgroupEngine,
  type CgroupMatch,
} from './cgroup-match.js';
export {
  ContainerIdResolver,
  cgroupContainerOf,
  containerIdFromCgroups,
  parseCgroupLines,
  setContainerEngines,
  type CgroupContainer,
  type ContainerIdOptions,
} from './container-id.js';
export {
  CONTAINER_RUNTIME_FIELDS,
  containerFieldValue,
  type ContainerFieldValue,
} from './container-fields.js';
export {
  HOST_CONTAINER_ID,
  HOST_CONTAINER_INFO,
  type ContainerInfo,
  type ContainerMount,
} from '../../sources/container-runtime/index.js';
