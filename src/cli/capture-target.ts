/**
 * `-w FILE` of `run` and `record` replaces whatever FILE was, as tcpdump's and sysdig's do;
 * but a capture written over one of the command's own inputs (a rule file it just loaded, its
 * configuration) would break the next reload or start, and one written to a FIFO would wait for
 * a reader before anything starts, so those are refused up front.
 */
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';

const RULE_FILE = /\.ya?ml$/;

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Why `capture` must not be written, or undefined: it is a directory, a FIFO, `config`, one of
 * the rule files in `rulePaths`, or a rule file (`.yaml`, `.yml`) in one of the rule
 * directories there (which the next reload would load), or its directory does not exist.
 */
export function captureTargetProblem(
  capture: string,
  rulePaths: readonly string[],
  config?: string,
): string | undefined {
  const target = statOf(capture);
  if (target === undefined) return newCaptureProblem(capture, rulePaths);
  if (target.isDirectory()) return `-w ${capture}: that is a directory; give a file path`;
  // Opening a FIFO to write waits for a reader, beyond SIGINT and SIGTERM.
  if (target.isFIFO())
    return `-w ${capture}: that is a FIFO (named pipe), which would hold the start until something reads it; give a regular file`;
  if (config !== undefined && isSameFile(target, statOf(config)))
    return `-w ${capture}: that is the configuration file; the capture would overwrite it`;
  for (const rules of rulePaths) {
    if (isSameFile(target, statOf(rules)))
      return `-w ${capture}: that is the rule file ${rules}; the capture would overwrite it`;
  }
  return ruleDirectoryProblem(capture, rulePaths);
}

/** A capture to create: its directory must exist, and be no rule directory. */
function newCaptureProblem(capture: string, rulePaths: readonly string[]): string | undefined {
  const directory = path.dirname(capture);
  const parent = statOf(directory);
  if (parent === undefined) return `-w ${capture}: directory ${directory} does not exist`;
  if (!parent.isDirectory()) return `-w ${capture}: ${directory} is not a directory`;
  return ruleDirectoryProblem(capture, rulePaths);
}

/** A `.yaml` or `.yml` capture in a rule directory of `rulePaths` would be loaded as rules. */
function ruleDirectoryProblem(capture: string, rulePaths: readonly string[]): string | undefined {
  if (!RULE_FILE.test(capture)) return undefined;
  const parent = statOf(path.dirname(capture));
  for (const rules of rulePaths) {
    const stats = statOf(rules);
    if (stats?.isDirectory() === true && isSameFile(stats, parent))
      return `-w ${capture}: a rule file of ${rules}, which the next start or reload would load; give the capture another name or place`;
  }
  return undefined;
}

function isSameFile(one: Stats, other: Stats | undefined): boolean {
  return other !== undefined && one.dev === other.dev && one.ino === other.ino;
}
