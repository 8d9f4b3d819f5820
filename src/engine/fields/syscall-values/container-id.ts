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
