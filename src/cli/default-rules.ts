/**
 * Harrier's default ruleset: the files in `rules/` beside the package, loaded by `harrier run`
 * and `harrier replay` when no `-r` is given, in a fixed order.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `rules/` at the package root, found from this compiled file in `dist/cli/`. */
export const DEFAULT_RULES_DIRECTORY = fileURLToPath(new URL('../../rules', import.meta.url));

/**
 * The default rule files in load order. Under `rule_matching: first` the first matching rule
 * wins, so the host behaviour rules (netcat, key searches, writes below /etc...) load before
 * the container rules, whose broad session rules ("Root process executed into container",
 * "Terminal shell in container") would otherwise shadow them for every exec into a container.
 * The audit and CloudTrail files judge other sources and never compete with these two.
 */
export const DEFAULT_RULE_FILES: readonly string[] = [
  'harrier_syscall_rules.yaml',
  'harrier_container_rules.yaml',
  'harrier_k8s_audit_rules.yaml',
  'harrier_cloudtrail_rules.yaml',
].map((name) => path.join(DEFAULT_RULES_DIRECTORY, name));

/** The rule paths to load: those given, else the default files in their load order. */
export function rulePathsOrDefault(paths: readonly string[] | undefined): string[] {
  return paths !== undefined && paths.length > 0 ? [...paths] : [...DEFAULT_RULE_FILES];
}
