/**
 * Expands rule-file arguments: a directory stands for its `.yaml`/`.yml` files in name order;
 * Harrier's own `rules/` directory in its deliberate load order (see `default-rules.ts`).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { isRuleFileName } from '../detect/index.js';
import { DEFAULT_RULE_FILES, DEFAULT_RULES_DIRECTORY } from './default-rules.js';

/**
 * Files and directories in, files out, in argument order. Unreadable paths, and directories
 * without rule files, pass through: the loader reports them (LOAD_ERR_FILE_READ).
 */
export async function expandRulePaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(entry);
      continue;
    }
    const names = (await readdir(entry)).filter(isRuleFileName);
    if (names.length === 0) {
      files.push(entry);
      continue;
    }
    const inDirectory = names.sort().map((name) => path.join(entry, name));
    if (path.resolve(entry) === DEFAULT_RULES_DIRECTORY) {
      // The default files first, in their order; anything a user added after them.
      const defaults = DEFAULT_RULE_FILES.filter((file) =>
        inDirectory.some((found) => path.resolve(found) === file),
      );
      files.push(
        ...defaults,
        ...inDirectory.filter((found) => !DEFAULT_RULE_FILES.includes(path.resolve(found))),
      );
      continue;
    }
    files.push(...inDirectory);
  }
  return files;
}

/**
 * The repeatable `-r, --rules <path>` option. `whenAbsent` is what the help shows as the
 * default; without it the option has no default, so a mandatory one is really required.
 */
export function rulesOption(description: string, whenAbsent?: string): Option {
  const option = new Option('-r, --rules <path>', description).argParser(appendRulePath);
  return whenAbsent === undefined ? option : option.default([], whenAbsent);
}

function appendRulePath(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
