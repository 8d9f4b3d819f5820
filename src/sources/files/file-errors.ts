/**
 * File-system failures in Harrier's words: what is wrong with the path, without Node's error
 * code, system call and repeated path ("ENOENT: no such file or directory, open '...'").
 */
import { UnreadableFileKindError } from './special-files.js';

const phrases: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a parent is not a directory)',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/**
 * What a file-system error says about the file, e.g. `no such file`, `is a directory`;
 * undefined for anything that is not a file-system error with a known code. A FIFO, socket
 * or device refused before it was opened is said as `unreadableFileKind` says it.
 */
export function describeFileError(error: unknown): string | undefined {
  if (error instanceof UnreadableFileKindError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? phrases[code] : undefined;
}
