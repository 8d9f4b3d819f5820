/**
 * The scenario suite's last act: the host runs a program whose command line only the sentinel
 * rule matches. Harrier judges events in the order they happened, so once the sentinel's alert
 * is out, every behaviour before it has been judged and Harrier can be stopped. A fixed pause
 * instead stopped Harrier early whenever it ran behind the machine (a loaded host), and the
 * alerts still in its queue were lost.
 * @internal
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HarrierProcess } from './harrier-process.js';
import { newRunId } from './scenario-runner.js';

const SENTINEL_RULE = 'Scenario suite sentinel';
/** Behaviour markers start with `hscn` and a hex id; this prefix is never one of them. */
const SENTINEL_PREFIX = 'hscn-sentinel-';

const sentinelRules = `- rule: ${SENTINEL_RULE}
  desc: The live scenario suite's last act; its alert shows Harrier has judged every event before it.
  condition: evt.type in (execve, execveat) and proc.cmdline contains "${SENTINEL_PREFIX}"
  output: "scenario suite sentinel (command=%proc.cmdline)"
  priority: INFORMATIONAL
`;

/** Writes the sentinel rule file into `directory`; returns its path, for `-r`. */
export function writeSentinelRules(directory: string): string {
  const file = path.join(directory, 'sentinel-rules.yaml');
  writeFileSync(file, sentinelRules);
  return file;
}

/**
 * Runs the sentinel on the host and waits up to `timeoutMs` for its alert from `harrier`
 * (started with the sentinel rule file). Returns false when it did not come in time.
 */
export async function awaitSentinel(harrier: HarrierProcess, timeoutMs: number): Promise<boolean> {
  const id = `${SENTINEL_PREFIX}${newRunId()}`;
  await promisify(execFile)('/bin/true', [id]);
  return harrier.waitForAlert(
    (alert) => alert.rule === SENTINEL_RULE && alert.output.includes(id),
    timeoutMs,
  );
}
