/**
 * The `container.*` and `k8s.*` fields beyond `container.id`: read from the runtime metadata
 * the live pipeline attaches to a thread (`ThreadInfo.container`), with the container plugin's
 * semantics (`decode/containers`); `proc.is_container_*` from the thread's category, set at
 * clone and exec (`decode/state/thread-category.ts`). Host processes read the plugin's host
 * values; a container whose metadata is not known (a runtime that did not answer, a capture
 * without container events) reads `<NA>`. A replay fills `ThreadInfo.container` from the capture's container
 * events (`cli/recorded-containers.ts`).
 * @internal
 */
import {
  CONTAINER_RUNTIME_FIELDS,
  HOST_CONTAINER_ID,
  HOST_CONTAINER_INFO,
  containerFieldValue,
} from '../../../decode/containers/index.js';
import type { ThreadCategory, ThreadInfo } from '../../../decode/state/types.js';
import { containerIdOf } from './container-id.js';
import type { SyscallFieldValues } from './types.js';

function containerOf(thread: ThreadInfo) {
  return containerIdOf(thread) === HOST_CONTAINER_ID ? HOST_CONTAINER_INFO : thread.container;
}

/** True when the event's thread runs a probe of `category`; no value without a thread. */
function categoryField(category: ThreadCategory): SyscallFieldValues[string] {
  return { extract: (event) => event.thread && event.thread.category === category };
}

export const CONTAINER_VALUES: SyscallFieldValues = {
  ...Object.fromEntries(
    CONTAINER_RUNTIME_FIELDS.filter((field) => field !== 'container.id').map((field) => [
      field,
      {
        extract: (event, argument) =>
          event.thread === undefined
            ? undefined
            : containerFieldValue(field, containerOf(event.thread), argument),
      },
    ]),
  ),
  'proc.is_container_healthcheck': categoryField('healthcheck'),
  'proc.is_container_liveness_probe': categoryField('liveness-probe'),
  'proc.is_container_readiness_probe': categoryField('readiness-probe'),
};
