/**
 * Path joining as libsinsp does it (`sinsp_utils::concatenate_paths`): a relative path is
 * appended to a directory and normalised (`.`, `..`, repeated and trailing separators); an
 * absolute one is only normalised. `..` may climb into the directory part but never above
 * the first character of the result.
 */

/** libscap's longest path; longer joins give libsinsp's fixed placeholder. */
const MAX_PATH = 1024;

/** `out` with its last segment removed, keeping the separator before it (libsinsp's rewind). */
function rewind(out: string): string {
  if (out.length <= 1) return out;
  let end = out.length - 1;
  while (end >= 1 && out[end - 1] !== '/') end--;
  return out.slice(0, end);
}

/** Copies `path` after `base`, normalising as it goes. */
function appendNormalised(base: string, path: string): string {
  const emptyBase = base.length === 0;
  let out = base;
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    const atSegmentStart = out.length === 0 || out.endsWith('/');
    if (c === '.' && atSegmentStart) {
      const next = path[i + 1];
      const after = path[i + 2];
      if (next === '.' && (after === '/' || after === undefined)) {
        out = rewind(out);
        i += after === undefined ? 2 : 3;
      } else if (next === '/') i += 2;
      else if (next === undefined) i += 1;
      else out += path[i++];
    } else if (c === '/') {
      if (!((out.length > 0 && out.endsWith('/')) || (out.length === 0 && !emptyBase))) out += '/';
      i++;
    } else {
      out += path[i++];
    }
  }
  return out.length > 1 && out.endsWith('/') ? out.slice(0, -1) : out;
}

/**
 * `directory` joined with `path` and normalised. `directory` is used only when `path` is
 * relative, and is expected to end with '/'.
 */
export function concatenatePaths(directory: string, path: string): string {
  if (directory.length + path.length + 1 > MAX_PATH) return '/DIR_TOO_LONG/FILENAME_TOO_LONG';
  const isRelative = path.length !== 0 && path[0] !== '/';
  // Most paths are already normal, and appending them char by char is costly on every open.
  if (isNormal(path)) return isRelative ? directory + path : path;
  return isRelative ? appendNormalised(directory, path) : appendNormalised('', path);
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** Whether normalising leaves `path` as it is: no empty, `.` or `..` segment, no final '/'. */
function isNormal(path: string): boolean {
  if (path === '/') return true;
  let segmentStart = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== SLASH) continue;
    const length = i - segmentStart;
    // An empty segment is a repeated or final '/', unless it is the root before the first.
    if (length === 0 && i !== 0) return false;
    const dots = length <= 2 && path.charCodeAt(segmentStart) === DOT;
    if (dots && (length === 1 || path.charCodeAt(segmentStart + 1) === DOT)) return false;
    segmentStart = i + 1;
  }
  return true;
}
