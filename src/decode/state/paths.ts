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
  if (path.length !== 0 && path[0] !== '/') return appendNormalised(directory, path);
  return appendNormalised('', path);
}
