/**
 * `container.id` of a thread, from its cgroups with the container plugin's matchers
 * (`decode/containers`): the short container id, or `host` outside containers.
 * @internal
 */
import { containerIdFromCgroups } from '../../../decode/containers/index.js';
import type { ThreadInfo } from '../../../decode/state/types.js';

/** The short container id of `thread`, or 'host'. */
export function containerIdOf(thread: ThreadInfo): string {
  return containerIdFromCgroups(thread.cgroups);
}

/**
 * `containerIdOf` for a stream of events, which mostly come from host threads that never get a
 * container and so ask for their id on every event: the last cgroup list seen and its id are
 * kept (the state engine replaces a thread's list, never edits it).
 */
export class ContainerIdMemo {
  private lastCgroups: ThreadInfo['cgroups'] | undefined;
  private lastId = '';

  idOf(thread: ThreadInfo): string {
    if (thread.cgroups !== this.lastCgroups) {
      this.lastId = containerIdOf(thread);
      this.lastCgroups = thread.cgroups;
    }
    return this.lastId;
  }
}
