/**
 * The descriptor name libsinsp reads from an event's own parameters when no fd is attached
 * (a failed open, an accept whose fd table was full): `extract_fdname_from_event`.
 * @internal
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { formatParam } from '../../../decode/param-format.js';
import { numberParam, isEmptyParam, stringParam } from '../../../decode/state/event-params.js';
import { directoryForDirfd } from '../../../decode/state/exec-parsers.js';
import { concatenatePaths } from '../../../decode/state/paths.js';
import { cwdOf } from '../../../decode/state/thread.js';

/** A path parameter's resolved text: made absolute against the thread's cwd when relative. */
function absolutePath(event: SyscallEvent, path: string): string {
  if (path === '' || path.startsWith('/') || path === '<NA>' || event.thread === undefined)
    return path;
  return concatenatePaths(cwdOf(event.thread), path);
}

/** The fd name an exit event carries; '' for events that carry none; undefined for enters. */
export function nameFromEvent(event: SyscallEvent, raw: boolean): string | undefined {
  if (event.info.direction === 'enter') return undefined;
  switch (event.info.name) {
    case 'open':
    case 'creat':
      return raw ? stringParam(event, 1) : absolutePath(event, stringParam(event, 1));
    case 'accept':
    case 'accept4':
    case 'connect':
      return formatParam(event, 1)?.value ?? '';
    case 'openat':
    case 'openat2': {
      if (isEmptyParam(event, 2)) return undefined;
      const name = stringParam(event, 2);
      if (raw) return name;
      if (isEmptyParam(event, 1)) return undefined;
      const directory = directoryForDirfd(event.thread, name, numberParam(event, 1));
      return concatenatePaths(directory, name);
    }
    case 'open_by_handle_at':
      return stringParam(event, 3);
    default:
      return '';
  }
} // prettier-ignore
