/**
 * Container metadata for live monitoring: before the rules see an event from a container,
 * the runtime's description of that container (name, image, labels, privileges) is attached
 * to its thread, waiting a bounded time for the runtime the first time a container is seen,
 * so early events do not go out with `<NA>`.
 */
import type { Logger } from 'pino';
import type { SyscallEvent } from '../decode/event.js';
import { containerIdOf } from '../engine/fields/syscall-values/index.js';
import { ContainerMetadata, findRuntimeClients, HOST_CONTAINER_ID } from '../sources/container-runtime/index.js';
import type { ContainerMetadataHook } from './live-pipeline.js';

/** How long an event waits for a container's first description, in ms. */
const FIRST_LOOKUP_WAIT_MS = 200;

/**
 * A hook reading the Docker-compatible API sockets present at start (podman, docker).
 * Returns undefined, after logging why, when there is none.
 */
export function runtimeContainerHook(logger: Logger): (ContainerMetadataHook & { close(): void }) | undefined {
  const { clients, unreadCriSockets } = findRuntimeClients();
  if (unreadCriSockets.length > 0) {
    logger.warn({ sockets: unreadCriSockets }, 'CRI sockets found but not read; their containers get no name or image');
  }
  if (clients.length === 0) {
    logger.info('no container runtime API socket found; container.id only, from cgroups');
    return undefined;
  }
  const metadata = new ContainerMetadata({ clients });
  return {
    prepare(event: SyscallEvent): Promise<void> | undefined {
      const thread = event.thread;
      if (thread === undefined || thread.container !== undefined) return undefined;
      const id = containerIdOf(thread);
      if (id === HOST_CONTAINER_ID) return undefined;
      const known = metadata.peek(id);
      if (known !== undefined) {
        thread.container = known;
        return undefined;
      }
      return metadata.lookup(id, { waitMs: FIRST_LOOKUP_WAIT_MS }).then((info) => {
        thread.container = info;
      });
    },
    close: () => metadata.close(),
  };
}
