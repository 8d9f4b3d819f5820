/**
 * Expands rule-file arguments: a directory stands for its `.yaml`/`.yml` files in name order.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Files and directories in, files out, in argument order. Unreadable paths pass through. */
export async function expandRulePaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(entry);
      continue;
    }
    const names = (await readdir(entry)).filter((name) => /\.ya?ml$/.test(name) && !name.endsWith('.test.yaml'));
    files.push(...names.sort().map((name) => path.join(entry, name)));
  }
  return files;
}
