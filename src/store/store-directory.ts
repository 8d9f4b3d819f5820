/**
 * Checks the place of a database file before SQLite opens it, so that a wrong path gets an
 * error naming what is wrong with it (SQLite says only "unable to open database file"), and
 * so that no directory is made where the user did not ask for one.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What is wrong with a database path; `message` says it in the user's terms and carries no
 * `cause`, since it already names the system's reason.
 */
export class StorePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorePathError';
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** `cannot VERB PLACE: permission denied` (or the system's words for other failures). */
function accessError(verb: string, place: string, error: unknown): StorePathError {
  const code = errorCode(error);
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'read-only file system'
        : (error as Error).message;
  return new StorePathError(`cannot ${verb} ${place}: ${reason}`);
}

/** The first of `directory` and its ancestors that exists but is not a directory. */
function nonDirectoryAncestor(directory: string): string | undefined {
  for (let place = directory; ; place = path.dirname(place)) {
    try {
      if (!statSync(place).isDirectory()) return place;
    } catch {
      // Missing or unreachable: its parent may be the culprit.
    }
    if (path.dirname(place) === place) return undefined;
  }
}

/** Throws unless `directory` is an existing directory this process can create files in. */
function checkDirectory(directory: string): void {
  try {
    if (!statSync(directory).isDirectory())
      throw new StorePathError(`${directory} is not a directory`);
  } catch (error) {
    if (error instanceof StorePathError) throw error;
    const code = errorCode(error);
    if (code === 'ENOTDIR') {
      const culprit = nonDirectoryAncestor(directory) ?? directory;
      throw new StorePathError(`${culprit} is not a directory`);
    }
    if (code === 'ENOENT') throw new StorePathError(`directory ${directory} does not exist`);
    throw accessError('reach', directory, error);
  }
  try {
    accessSync(directory, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw accessError('write', directory, error);
  }
}

/**
 * Makes sure the database `file` can be opened for writing: its directory exists (made, with
 * its parents, only when `createDirectory`, which callers set for Harrier's own default
 * place, never for a path from a flag or a configuration), is a directory and is writable,
 * and the file, when it exists, is a writable regular file. Throws `StorePathError`.
 */
export function prepareStorePath(file: string, createDirectory: boolean): void {
  const directory = path.dirname(path.resolve(file));
  if (createDirectory) {
    try {
      // Only Harrier's user may look into its own state directory: alerts hold command lines.
      mkdirSync(directory, { recursive: true, mode: 0o700 });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw accessError('create', directory, error);
    }
  }
  checkDirectory(directory);
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return;
  }
  if (!isFile) throw new StorePathError(`${file} is not a regular file`);
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw accessError('write', file, error);
  }
}
