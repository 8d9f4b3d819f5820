/**
 * Container metadata for live monitoring: before the rules see an event from a container,
 * the runtime's description of that container (name, image, labels, privileges) is attached
 * to its thread, waiting a bounded time for the runtime the first time a container is seen,
 * so early events do not go out with `<NA>`. An exec in a container is then checked against
 * the container's health probes (`identifyCategoryAtExec`).
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { SyscallEvent } from '../decode/event.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { cgroupContainerOf, type CgroupContainer } from '../decode/containers/index.js';
import { identifyCategoryAtExec } from '../decode/state/thread-category.js';
import { ContainerIdMemo, containerIdOf } from '../engine/index.js';
import {
  ContainerMetadata,
  findRuntimeClients,
  HOST_CONTAINER_ID,
  type ContainerRuntimeKind,
} from '../sources/container-runtime/index.js';
import type { ContainerMetadataHook } from './live-pipeline.js';

/** How long an event waits for a container's first description, in ms. */
const FIRST_LOOKUP_WAIT_MS = 200;

/**
 * A hook reading the runtime sockets present at start: the Docker-compatible APIs (podman,
 * docker) and CRI (containerd, CRI-O; `criSockets` replaces the default paths, as Falco's
 * `--cri`); a `--cri` path that is not a socket is named in a warning. Returns undefined,
 * after logging why, when there is none.
 */
export function runtimeContainerHook(
  logger: Logger,
  options: { criSockets?: readonly string[] } = {},
): (ContainerMetadataHook & { close(): void }) | undefined {
  const { clients, criSockets } = findRuntimeClients({ criSockets: options.criSockets, logger });
  for (const socket of options.criSockets ?? []) {
    if (!criSockets.includes(resolve(socket)))
      logger.warn(
        { socket },
        '--cri path is not a socket (missing or another kind of file); pod containers are not described from it',
      );
  }
  if (criSockets.length > 0) {
    logger.info(
      { sockets: criSockets },
      'CRI sockets found; pod containers are described from them',
    );
  }
  if (clients.length === 0) {
    logger.info('no container runtime API socket found; container.id only, from cgroups');
    return undefined;
  }
  const metadata = new ContainerMetadata({ clients });
  const ids = new ContainerIdMemo();
  /** The first sight of container `id`: waits a bounded time for its description. */
  const describeFirst = (thread: ThreadInfo, id: string, event: SyscallEvent) => {
    const prefer = preferredRuntime(cgroupContainerOf(thread.cgroups));
    return metadata.lookup(id, { waitMs: FIRST_LOOKUP_WAIT_MS, prefer }).then((info) => {
      thread.container = info;
      identifyCategoryAtExec(event);
    });
  };
  return {
    prepare(event: SyscallEvent): Promise<void> | undefined {
      const thread = event.thread;
      if (thread === undefined) return undefined;
      if (thread.container === undefined) {
        const id = ids.idOf(thread);
        if (id === HOST_CONTAINER_ID) return undefined;
        const known = metadata.peek(id);
        if (known === undefined) return describeFirst(thread, id, event);
        thread.container = known;
      }
      identifyCategoryAtExec(event);
      return undefined;
    },
    async describeRunning(threads: Iterable<ThreadInfo>): Promise<void> {
      const byId = new Map<string, ThreadInfo[]>();
      for (const thread of threads) {
        const id = containerIdOf(thread);
        if (id !== HOST_CONTAINER_ID) byId.set(id, [...(byId.get(id) ?? []), thread]);
      }
      // Every container at once: start-up waits one lookup, however many containers run.
      const lookups = [...byId].map(async ([id, members]) => {
        const prefer = preferredRuntime(cgroupContainerOf(members[0]!.cgroups));
        const info = await metadata.lookup(id, { waitMs: FIRST_LOOKUP_WAIT_MS, prefer });
        for (const thread of members) thread.container ??= info;
      });
      await Promise.all(lookups);
    },
    close: () => metadata.close(),
  };
}

/** CRI first for containerd and CRI-O cgroup layouts and for any Kubernetes pod cgroup. */
function preferredRuntime(container: CgroupContainer): ContainerRuntimeKind | undefined {
  const { engine, cgroup } = container;
  const isCri = engine === 'cri' || engine === 'containerd' || cgroup?.includes('/kubepods');
  return isCri ? 'cri' : undefined;
}
