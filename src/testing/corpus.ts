/**
 * Locates the shared, read-only corpus that tests read in place: `../shared/corpus` beside
 * the repository root. Tests never copy it into the repository.
 * @internal
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this compiled file's place in `dist/testing/`. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a file or folder inside `../shared/corpus`. */
export function corpusPath(...parts: string[]): string {
  return path.resolve(repositoryRoot, '../shared/corpus', ...parts);
}
