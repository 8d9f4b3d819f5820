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
 * Why `capture` must not be written, or undefined: it is `config`, one of the rule files or
 * directories in `rulePaths`, or a rule file (`.yaml`, `.yml`) directly inside one of those
 * directories (which a reload loads).
 */
export function captureTargetProblem(
  capture: string,
  rulePaths: readonly string[],
  config?: string,
): string | undefined {
  const target = statOf(capture);
  // A directory cannot be written over; creating the capture names that fault.
  if (target === undefined || target.isDirectory()) return undefined;
  // Opening a FIFO to write waits for a reader, beyond SIGINT and SIGTERM.
  if (target.isFIFO())
    return `-w ${capture}: that is a FIFO (named pipe), which would hold the start until something reads it; give a regular file`;
  const same = (other: Stats | undefined) =>
    other !== undefined && other.dev === target.dev && other.ino === target.ino;
  if (config !== undefined && same(statOf(config)))
    return `-w ${capture}: that is the configuration file; the capture would overwrite it`;
  for (const rules of rulePaths) {
    const stats = statOf(rules);
    if (same(stats))
      return `-w ${capture}: that is the rule file ${rules}; the capture would overwrite it`;
    if (
      stats?.isDirectory() === true &&
      RULE_FILE.test(capture) &&
      same(statOf(path.join(rules, path.basename(capture))))
    )
      return `-w ${capture}: that is a rule file of ${rules}; the capture would overwrite it`;
  }
  return undefined;
}
