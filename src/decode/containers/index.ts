/**
 * Container identity for syscall events: the container id from a process's cgroups (docker,
 * podman, containerd/CRI, CRI-O, LXC, libvirt-LXC, BPM; cgroup v1, v2 and hybrid), and the
 * `container.*` / `k8s.*` field values from the metadata that `sources/container-runtime`
 * fetches. The host's container id and info are re-exported from there.
 */
export { cgroupContainerOf, containerIdFromCgroups, type CgroupContainer } from './container-id.js';
export { CONTAINER_RUNTIME_FIELDS, containerFieldValue } from './container-fields.js';
export { HOST_CONTAINER_ID, HOST_CONTAINER_INFO } from '../../sources/container-runtime/index.js';
