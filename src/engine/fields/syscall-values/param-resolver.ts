/**
 * Resolutions of event parameters that need state, for `evt.args` and `evt.arg.NAME` text:
 * an fd's `<typechar>name`, a pid's command name, user and group names, relative paths made
 * absolute. libsinsp renders parameters when a field is extracted, so these read the state
 * as it is after the event was parsed.
 * @internal
 */
import type { SyscallEvent } from '../../../decode/event.js';
import type { ParamResolver } from '../../../decode/param-format.js';
import { numberParam } from '../../../decode/state/event-params.js';
import { effectiveL4Protocol, fdTypeChar } from '../../../decode/state/fd-info.js';
import { concatenatePaths } from '../../../decode/state/paths.js';
import { cwdOf, lookupFd } from '../../../decode/state/thread.js';

const AT_FDCWD = -100;
const PROTOCOL_CHARS: Readonly<Record<string, string>> = {
  tcp: 't',
  udp: 'u',
  icmp: 'i',
  raw: 'r',
};

/** The directory a path parameter is relative to: its dirfd's name, or the cwd. */
function baseDirectory(event: SyscallEvent, index: number): string {
  const thread = event.thread;
  if (thread === undefined) return '';
  const cwd = cwdOf(thread);
  const info = event.info.params[index];
  if (info?.type !== 'FSRELPATH' || info.dirfdParam === undefined) return cwd;
  if (event.info.params[info.dirfdParam]?.type !== 'FD') return cwd;
  const dirfd = numberParam(event, info.dirfdParam);
  if (dirfd === AT_FDCWD) return cwd;
  const fd = lookupFd(thread, dirfd);
  if (fd === undefined || fd.name === '') return cwd;
  return fd.name.endsWith('/') ? fd.name : `${fd.name}/`;
}

const BASE_RESOLVER: ParamResolver = {
  fdName(event, fd) {
    const info = event.thread === undefined ? undefined : lookupFd(event.thread, fd);
    if (info === undefined) return '';
    const isIp = ['ipv4', 'ipv6', 'ipv4_server', 'ipv6_server'].includes(info.kind);
    const protocol = isIp ? (PROTOCOL_CHARS[effectiveL4Protocol(info)] ?? '') : '';
    return `<${fdTypeChar(info)}${protocol}>${info.name}`;
  },
  fdTypeChar(event, fd) {
    const info = event.thread === undefined ? undefined : lookupFd(event.thread, fd);
    return info === undefined ? '?' : fdTypeChar(info);
  },
  userName(event, uid) {
    return event.thread?.state.user(uid)?.name ?? '';
  },
  groupName(event, gid) {
    return event.thread?.state.group(gid)?.name ?? '';
  },
  absolutePath(event, index, path) {
    if (event.thread === undefined) return path;
    return concatenatePaths(baseDirectory(event, index), path);
  },
};

/** The resolver for `event`: its thread's table answers pid look-ups. */
export function resolverFor(event: SyscallEvent): ParamResolver {
  const state = event.thread?.state;
  if (state === undefined) return BASE_RESOLVER;
  return { ...BASE_RESOLVER, threadName: (tid) => state.findThread(tid)?.comm ?? '' };
}
