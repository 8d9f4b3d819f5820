/**
 * Values of the user, group and container-id fields: ids from the event's thread, names from
 * the capture's user list (libsinsp answers `root` for id 0 and `<NA>` for unknown ids).
 * @internal
 */
import type { ThreadInfo } from '../../../decode/state/types.js';
import type { FieldValue } from '../types.js';
import { containerIdOf } from './container-id.js';
import type { SyscallFieldValues } from './types.js';

const UNSET_ID = 0xffffffff;

function fromThread(
  read: (thread: ThreadInfo) => FieldValue | undefined,
): SyscallFieldValues[string] {
  return { extract: (event) => (event.thread === undefined ? undefined : read(event.thread)) };
}

export const USER_VALUES: SyscallFieldValues = {
  'user.uid': fromThread((t) => t.uid),
  'user.name': fromThread((t) => t.state.user(t.uid)?.name ?? (t.uid === 0 ? 'root' : '<NA>')),
  'user.homedir': fromThread((t) => t.state.user(t.uid)?.homedir ?? (t.uid === 0 ? '/root' : '<NA>')),
  'user.shell': fromThread((t) => t.state.user(t.uid)?.shell ?? '<NA>'),
  'user.loginuid': fromThread((t) => (t.loginUid < UNSET_ID ? t.loginUid : -1)),
  'user.loginname': fromThread(
    (t) => t.state.user(t.loginUid)?.name ?? (t.loginUid === 0 ? 'root' : '<NA>'),
  ),
  'group.gid': fromThread((t) => t.gid),
  'group.name': fromThread((t) => t.state.group(t.gid)?.name ?? (t.gid === 0 ? 'root' : '<NA>')),
  'container.id': fromThread(containerIdOf),
}; // prettier-ignore
