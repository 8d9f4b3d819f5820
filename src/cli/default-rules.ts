/**
 * Harrier's default ruleset: the `rules/` directory beside the package, loaded by `harrier run`
 * and `harrier replay` when no `-r` is given.
 */
import { fileURLToPath } from 'node:url';

/** `rules/` at the package root, found from this compiled file in `dist/cli/`. */
export const DEFAULT_RULES_DIRECTORY = fileURLToPath(new URL('../../rules', import.meta.url));

/** The rule paths to load: those given, else the default directory. */
export function rulePathsOrDefault(paths: readonly string[] | undefined): string[] {
  return paths !== undefined && paths.length > 0 ? [...paths] : [DEFAULT_RULES_DIRECTORY];
}
