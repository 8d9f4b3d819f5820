/**
 * Files that hold alerts (the store, the output queues, file outputs) are made readable by
 * Harrier's user only: alerts carry command lines, environment and process lineage.
 */
import { closeSync, openSync } from 'node:fs';

/** Mode of every file Harrier creates to hold alerts. */
export const privateFileMode = 0o600;

/**
 * Creates `file` empty with mode 0600 unless it exists, before SQLite opens it: SQLite would
 * make it 0644 (less the umask), and it gives its -wal and -shm files the database's mode. An
 * existing file keeps the mode it has. I/O errors other than "exists" are thrown.
 */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', privateFileMode));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
