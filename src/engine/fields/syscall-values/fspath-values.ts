/**
 * Values of the path fields (`fs.path.*`): the path a filesystem call acts on, whether it
 * opened an fd (open, openat) or not (mkdir, unlink, chmod, symlink). One field then names
 * the file for every call a rule lists, which `fd.name` and `evt.arg.*` cannot. As in
 * libsinsp, a call that failed has none; open-family calls count as failed only when their fd
 * is -1 (libsinsp compares the fd with -1, not with 0), so other errors keep their path.
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { paramIndex } from '../../../decode/event-table.js';
import { isEmptyParam, numberParam, stringParam } from '../../../decode/state/event-params.js';
import { directoryForDirfd } from '../../../decode/state/exec-parsers.js';
import { concatenatePaths } from '../../../decode/state/paths.js';
import { cwdOf } from '../../../decode/state/thread.js';
import type { SyscallFieldValues } from './types.js';

type Role = 'name' | 'source' | 'target';

/** A path parameter, and the parameter holding the directory fd it is relative to, if any. */
interface PathParam {
  readonly param: string;
  readonly dirfd?: string;
  /** The path is relative to nothing known (a symlink's target): '<UNKNOWN>' is prepended. */
  readonly unknownBase?: true;
}

interface PathCall {
  readonly openFamily?: true;
  readonly name?: PathParam;
  readonly source?: PathParam;
  readonly target?: PathParam;
}

/** Per exit event code, libsinsp's choice of parameters (`create_fspath_checks`). */
const PATH_CALLS: ReadonlyMap<number, PathCall> = new Map<number, PathCall>([
  [3, { openFamily: true, name: { param: 'name' } }], // open
  [307, { openFamily: true, name: { param: 'name', dirfd: 'dirfd' } }], // openat
  [327, { openFamily: true, name: { param: 'name', dirfd: 'dirfd' } }], // openat2
  [277, { name: { param: 'path' } }], // mkdir
  [305, { name: { param: 'path', dirfd: 'dirfd' } }], // mkdirat
  [279, { name: { param: 'path' } }], // rmdir
  [301, { name: { param: 'path' } }], // unlink
  [303, { name: { param: 'name', dirfd: 'dirfd' } }], // unlinkat
  [313, { name: { param: 'filename', dirfd: 'dirfd' } }], // fchmodat
  [315, { name: { param: 'filename' } }], // chmod
  [317, { name: { param: 'fd' } }], // fchmod: the fd's name
  [379, { name: { param: 'path' } }], // chown
  [381, { name: { param: 'path' } }], // lchown
  [383, { name: { param: 'fd' } }], // fchown: the fd's name
  [385, { name: { param: 'pathname', dirfd: 'dirfd' } }], // fchownat
  [191, { name: { param: 'special' } }], // quotactl
  [387, { name: { param: 'name' } }], // umount
  [391, { name: { param: 'name' } }], // umount2
  [175, { source: { param: 'oldpath' }, target: { param: 'newpath' } }], // rename
  [177, { source: { param: 'oldpath', dirfd: 'olddirfd' }, target: { param: 'newpath', dirfd: 'newdirfd' } }], // renameat
  [319, { source: { param: 'oldpath', dirfd: 'olddirfd' }, target: { param: 'newpath', dirfd: 'newdirfd' } }], // renameat2
  // libsinsp calls the new link the source and the file it points to the target.
  [309, { source: { param: 'newpath' }, target: { param: 'oldpath' } }], // link
  [311, { source: { param: 'newpath', dirfd: 'newdir' }, target: { param: 'oldpath', dirfd: 'olddir' } }], // linkat
  [179, { source: { param: 'linkpath' }, target: { param: 'target' } }], // symlink
  [181, { source: { param: 'linkpath', dirfd: 'linkdirfd' }, target: { param: 'target', unknownBase: true } }], // symlinkat
  [257, { source: { param: 'dev' }, target: { param: 'dir' } }], // mount
]); // prettier-ignore

function succeeded(event: SyscallEvent, call: PathCall): boolean {
  if (isEmptyParam(event, 0)) return false;
  const result = numberParam(event, 0);
  return call.openFamily === true ? result !== -1 : result === 0;
}

/** The path as the call was given it; for the fd-taking calls, the fd's name. */
function rawPath(event: SyscallEvent, path: PathParam): string | undefined {
  const index = paramIndex(event.info, path.param);
  if (index < 0 || isEmptyParam(event, index)) return undefined;
  if (path.param === 'fd') return event.fd?.name;
  return stringParam(event, index);
}

/** The path made absolute against its dirfd, the cwd, or, for an openat, the fd it opened. */
function absolutePath(event: SyscallEvent, call: PathCall, path: PathParam, raw: string): string | undefined {
  const thread = event.thread;
  if (thread === undefined) return undefined;
  if (raw.startsWith('/')) return concatenatePaths('', raw);
  if (call.openFamily === true && path.dirfd !== undefined) return event.fd?.name ?? '<UNKNOWN>';
  if (path.unknownBase === true) return concatenatePaths('<UNKNOWN>', raw);
  if (path.dirfd === undefined) return concatenatePaths(cwdOf(thread), raw);
  const dirfd = numberParam(event, paramIndex(event.info, path.dirfd));
  return concatenatePaths(directoryForDirfd(thread, raw, dirfd), raw);
} // prettier-ignore

function pathField(role: Role, raw: boolean): SyscallFieldValues[string] {
  return {
    extract: (event) => {
      const call = PATH_CALLS.get(event.info.code);
      const path = call?.[role];
      if (call === undefined || path === undefined || !succeeded(event, call)) return undefined;
      const given = rawPath(event, path);
      if (given === undefined || raw) return given;
      return absolutePath(event, call, path, given);
    },
  };
}

export const FSPATH_VALUES: SyscallFieldValues = {
  'fs.path.name': pathField('name', false),
  'fs.path.nameraw': pathField('name', true),
  'fs.path.source': pathField('source', false),
  'fs.path.sourceraw': pathField('source', true),
  'fs.path.target': pathField('target', false),
  'fs.path.targetraw': pathField('target', true),
};
