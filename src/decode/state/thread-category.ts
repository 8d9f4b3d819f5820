/**
 * Why a thread runs, as libsinsp's `sinsp_threadinfo::m_category` said before Falco's
 * container plugin dropped it: a container's own process tree (`container`), or the process of
 * a container health check or Kubernetes liveness or readiness probe, which the runtime
 * executes into the container from outside (`runc exec`) and which rules may leave alone.
 *
 * libsinsp's rule, run on a thread in a container at clone and at exec: the container's init
 * (vpid 1) is `container`; a thread whose parent has a category takes it (so a probe's
 * children are the probe too); otherwise a thread whose argv is exactly one of the
 * container's probes (`matchHealthProbe`) is that probe, unless a container init is among its
 * ancestors (an exec from inside the container is the container's own). A thread that matches
 * nothing keeps the category it had.
 */
import { containerIdFromCgroups, HOST_CONTAINER_ID } from '../containers/index.js';
import type { ContainerInfo } from '../../sources/container-runtime/index.js';
import { matchHealthProbe } from '../../sources/container-runtime/health-probes.js';
import type { SyscallEvent } from '../event.js';
import { returnValue } from './event-params.js';
import { visitAncestors } from './thread.js';
import type { ThreadInfo } from './types.js';

/**
 * Sets `thread.category` by libsinsp's rule, with the probes of `container` when it is the
 * thread's container (at clone, the new thread's is not attached yet: the cloner's is given);
 * none while the container is not described. Host threads are left as they are.
 */
export function identifyCategory(
  thread: ThreadInfo,
  container: ContainerInfo | undefined = thread.container,
): void {
  const inherited =
    thread.vpid === 1 ? 'none' : (thread.state.findThread(thread.ptid)?.category ?? 'none');
  const probes = container?.healthProbes ?? [];
  // Runs on every clone and exec: most threads (a host one, or one of a container without
  // probes) have nothing to take, and skip the cgroup parse.
  if (thread.vpid !== 1 && inherited === 'none' && probes.length === 0) return;
  const id = containerIdFromCgroups(thread.cgroups);
  if (id === HOST_CONTAINER_ID) return;
  if (thread.vpid === 1) thread.category = 'container';
  else if (inherited !== 'none') thread.category = inherited;
  else if (container?.id === id) {
    const probe = matchHealthProbe(probes, thread.exe, thread.args);
    if (probe !== undefined && !isUnderContainerInit(thread)) thread.category = probe;
  }
}

/**
 * `identifyCategory` for the thread of a successful execve or execveat exit, once its
 * container is attached (the state engine changed its argv and cgroups at the exit, before
 * the container could be looked up). Other events are left alone.
 */
export function identifyCategoryAtExec(event: SyscallEvent): void {
  const thread = event.thread;
  if (thread === undefined || !isExecExit(event)) return;
  identifyCategory(thread);
}

function isExecExit(event: SyscallEvent): boolean {
  const { name, direction } = event.info;
  if ((name !== 'execve' && name !== 'execveat') || direction !== 'exit') return false;
  return returnValue(event) >= 0;
}

function isUnderContainerInit(thread: ThreadInfo): boolean {
  let found = false;
  visitAncestors(thread, (ancestor) => {
    found = ancestor.vpid === 1 && containerIdFromCgroups(ancestor.cgroups) !== HOST_CONTAINER_ID;
    return !found;
  });
  return found;
}
