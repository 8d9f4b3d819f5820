/**
 * `container.id` from a thread's cgroups, as Falco's container plugin derives it without a
 * container engine: the first 12 hex digits of a 64-digit container id in a cgroup path, or
 * `host` for processes outside containers.
 * @internal
 */
import type { ThreadInfo } from '../../../decode/state/types.js';

/** Docker, CRI-O, containerd and podman cgroup path endings that carry a container id. */
const CONTAINER_CGROUP =
  /(?:^|\/)(?:docker-|crio-|cri-containerd-|libpod-|libpod-conmon-)?([0-9a-f]{64})(?:\.scope)?$/;

/** The short container id of `thread`, or 'host'. */
export function containerIdOf(thread: ThreadInfo): string {
  for (const [, path] of thread.cgroups) {
    const match = CONTAINER_CGROUP.exec(path);
    if (match !== null) return match[1].slice(0, 12);
  }
  return 'host';
}

/** The full 64-digit container id, or 'host'. */
export function fullContainerIdOf(thread: ThreadInfo): string {
  for (const [, path] of thread.cgroups) {
    const match = CONTAINER_CGROUP.exec(path);
    if (match !== null) return match[1];
  }
  return 'host';
}
