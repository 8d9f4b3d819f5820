/**
 * Paths that must not be opened: a FIFO (named pipe), socket or device named where a file is
 * read. Opening a FIFO that no process writes waits for a writer inside the open call, and
 * Node cannot end a process while such an open is pending (SIGINT and SIGTERM do nothing,
 * only SIGKILL stops it), so every file a command reads is checked with stat first.
 *
 * An anonymous pipe (`<(zcat log.gz)`, or `/dev/stdin` when stdin is a pipe) is safe to open:
 * it never waits for a writer, as its writer made it. Commands that stream their input
 * (`replay`, `events`) read them; the others take regular files only.
 */
import { readlinkSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** What else a path may be besides a regular file. */
export interface AllowedFileKinds {
  /** A directory (its files are read). */
  directory?: boolean;
  /** An anonymous pipe, as bash's process substitution gives. */
  anonymousPipe?: boolean;
}

/** Symbolic links followed to find a pipe: `/dev/stdin` -> `/proc/self/fd/0` -> `pipe:[N]`. */
const MAX_LINKS = 8;

/** What a path that is not a regular file or a directory is, in the user's words. */
function describeKind(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The reason for a path of `info` that `allowed` refuses, without the path. */
function refusal(info: Stats, allowed: AllowedFileKinds, isAnonymousPipe: boolean): string {
  if (info.isDirectory()) return 'is a directory';
  const kind = describeKind(info);
  const expected = allowed.directory ? 'a regular file or a directory' : 'a regular file';
  if (!info.isFIFO()) return `is ${kind}, expected ${expected}`;
  // A named pipe would block the open until a writer comes; an anonymous one is already written.
  const hint =
    isAnonymousPipe || !allowed.anonymousPipe
      ? 'write its content to a file and give that file'
      : 'give it as <(cat FILE) or write it to a file';
  return `is ${isAnonymousPipe ? 'a pipe' : kind}, expected ${expected}; ${hint}`;
}

/** Whether `target`, a symbolic link's content, names an anonymous pipe (`pipe:[N]`). */
function isPipeName(target: string): boolean {
  return /^pipe:\[\d+\]$/.test(target);
}

/** Where the link `link` points, relative targets resolved; undefined for no link. */
function nextTarget(link: string, content: string | undefined): string | undefined {
  if (content === undefined || isPipeName(content)) return content;
  return path.resolve(path.dirname(link), content);
}

/**
 * Why `file` is not to be opened, e.g. `is a FIFO (named pipe), expected a regular file; ...`;
 * undefined when it may be, or when stat fails (opening it then says why, in the caller's
 * words). Synchronous, as stat and readlink never wait on what a path is.
 *
 * @example
 * const problem = unreadableFileKind(file);
 * if (problem !== undefined) return `config file ${file} ${problem}`;
 */
export function unreadableFileKind(
  file: string,
  allowed: AllowedFileKinds = {},
): string | undefined {
  const info = statOrUndefined(file);
  if (info === undefined || info.isFile()) return undefined;
  if (info.isDirectory() && allowed.directory) return undefined;
  let target: string | undefined = file;
  for (let link = 0; info.isFIFO() && link < MAX_LINKS && target !== undefined; link++) {
    if (isPipeName(target)) break;
    target = nextTarget(target, readLinkOrUndefined(target));
  }
  const isAnonymousPipe = target !== undefined && isPipeName(target);
  if (isAnonymousPipe && allowed.anonymousPipe) return undefined;
  return refusal(info, allowed, isAnonymousPipe);
}

/** The status of `file` (links followed), or undefined when it cannot be had, for any reason. */
export function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function readLinkOrUndefined(link: string): string | undefined {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
}

/** A path `unreadableFileKind` refuses; the message is the reason, without the path. */
export class UnreadableFileKindError extends Error {
  readonly code = 'HARRIER_UNREADABLE_FILE_KIND';
}

/**
 * The text of `file`, once `unreadableFileKind` found it one to open; throws an
 * `UnreadableFileKindError` otherwise, and Node's errors when reading fails.
 */
export async function readCheckedText(file: string, allowed?: AllowedFileKinds): Promise<string> {
  const problem = unreadableFileKind(file, allowed);
  if (problem !== undefined) throw new UnreadableFileKindError(problem);
  return readFile(file, 'utf8');
}
