/**
 * `-w FILE` of `run` and `record` replaces whatever FILE was, as tcpdump's and sysdig's do;
 * but a capture written over one of the command's own inputs (a rule file it just loaded, its
 * configuration) would break the next reload or start, and one written to a FIFO would wait for
 * a reader before anything starts, so those are refused up front.
 */
import { readdirSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { statOrUndefined } from '../sources/files/index.js';

const RULE_FILE = /\.ya?ml$/;
/** Symbolic links followed at most, as the kernel's own limit. */
const MAX_LINKS = 40;

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
  if (capture === '') return '-w takes a file path, found an empty one';
  const target = statOrUndefined(capture);
  // Where the write lands: through symbolic links, even to a file that does not exist yet.
  const landing = landingPath(capture);
  if (target === undefined) return newCaptureProblem(capture, landing, rulePaths);
  if (target.isDirectory()) return `-w ${capture}: that is a directory; give a file path`;
  // Opening a FIFO to write waits for a reader, beyond SIGINT and SIGTERM.
  if (target.isFIFO())
    return `-w ${capture}: that is a FIFO (named pipe), which would hold the start until something reads it; give a regular file`;
  if (config !== undefined && isSameFile(target, statOrUndefined(config)))
    return `-w ${capture}: that is the configuration file; the capture would overwrite it`;
  for (const rules of rulePaths) {
    if (isSameFile(target, statOrUndefined(rules)))
      return `-w ${capture}: that is the rule file ${rules}; the capture would overwrite it`;
    // A link (symbolic or hard) of another name to one of a rule directory's files.
    const member = ruleDirectoryFileOf(target, rules);
    if (member !== undefined)
      return `-w ${capture}: that is the rule file ${member}; the capture would overwrite it`;
  }
  return ruleDirectoryProblem(capture, landing, rulePaths);
}

/** `capture` with its symbolic links followed, the last one possibly to nothing yet. */
function landingPath(capture: string): string {
  let at = path.resolve(capture);
  for (let link = 0; link < MAX_LINKS; link++) {
    let target: string;
    try {
      target = readlinkSync(at);
    } catch {
      return at;
    }
    at = path.resolve(path.dirname(at), target);
  }
  return at;
}

/** The rule file of directory `rules` that is `file`, or undefined. */
function ruleDirectoryFileOf(file: Stats, rules: string): string | undefined {
  if (statOrUndefined(rules)?.isDirectory() !== true) return undefined;
  let names: string[];
  try {
    names = readdirSync(rules).filter((name) => RULE_FILE.test(name));
  } catch {
    return undefined;
  }
  const found = names.find((name) => isSameFile(file, statOrUndefined(path.join(rules, name))));
  return found === undefined ? undefined : path.join(rules, found);
}

/** A capture to create at `landing`: its directory must exist, and be no rule directory. */
function newCaptureProblem(
  capture: string,
  landing: string,
  rulePaths: readonly string[],
): string | undefined {
  const directory = path.dirname(landing);
  const parent = statOrUndefined(directory);
  if (parent === undefined) return `-w ${capture}: directory ${directory} does not exist`;
  if (!parent.isDirectory()) return `-w ${capture}: ${directory} is not a directory`;
  return ruleDirectoryProblem(capture, landing, rulePaths);
}

/** A `.yaml` or `.yml` file landing in a rule directory of `rulePaths` would be loaded as rules. */
function ruleDirectoryProblem(
  capture: string,
  landing: string,
  rulePaths: readonly string[],
): string | undefined {
  if (!RULE_FILE.test(landing)) return undefined;
  const parent = statOrUndefined(path.dirname(landing));
  for (const rules of rulePaths) {
    const stats = statOrUndefined(rules);
    if (stats?.isDirectory() === true && isSameFile(stats, parent))
      return `-w ${capture}: a rule file of ${rules}, which the next start or reload would load; give the capture another name or place`;
  }
  return undefined;
}

function isSameFile(one: Stats, other: Stats | undefined): boolean {
  return other !== undefined && one.dev === other.dev && one.ino === other.ino;
}
