/**
 * Runs `harrier run --json` (or `harrier record`) as a child process the way a user would, and
 * collects its alerts with their arrival times. Used by the live scenario suite and the live
 * benchmark.
 * @internal
 */
import type { LiveCounters } from '../cli/live-pipeline.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from '../testing/corpus.js';

/** One Falco JSON alert as printed by `harrier run --json`, with its arrival time. */
export interface ReceivedAlert {
  rule: string;
  priority: string;
  output: string;
  outputFields: Record<string, unknown>;
  /** `process.hrtime.bigint()` when the line arrived, for latency. */
  arrivedNs: bigint;
}

/** The path of `bin/harrier.js` in this checkout. */
export const harrierBin = path.join(repositoryRoot, 'bin/harrier.js');

/** Why live capture cannot run here (root, BTF, probe), or undefined when it can. */
export function liveSkipReason(): string | undefined {
  if (process.geteuid?.() !== 0) return 'needs root to load the eBPF probe';
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  const probe =
    process.env.HARRIER_PROBE_PATH ?? path.join(repositoryRoot, 'probe/build/harrier-probe');
  if (!existsSync(probe)) return `the probe is not built (${probe}); run scripts/build-probe.sh`;
  return undefined;
}

/** A running `harrier run` or `harrier record`. */
export class HarrierProcess {
  readonly alerts: ReceivedAlert[] = [];
  private stderrText = '';
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderrText += text));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => this.takeLine(line));
  }

  /**
   * Starts `harrier ARGS...` and waits for its "live capture started" log line. Throws with
   * the process's stderr when it exits first or does not start within `timeoutMs`.
   */
  static async start(args: readonly string[], timeoutMs = 30_000): Promise<HarrierProcess> {
    const child = spawn(process.execPath, [harrierBin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HARRIER_LOG_LEVEL: process.env.HARRIER_LOG_LEVEL ?? 'info' },
    });
    const harrier = new HarrierProcess(child);
    await harrier.untilStarted(timeoutMs);
    return harrier;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Everything Harrier wrote on stderr so far (logs, diagnostics, the exit counters). */
  get stderr(): string {
    return this.stderrText;
  }

  /** Waits until `match` holds for some alert; false on timeout. */
  async waitForAlert(
    match: (alert: ReceivedAlert) => boolean,
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.alerts.some(match)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.alerts.some(match);
  }

  /** Sends SIGTERM and waits for the exit; returns the exit code and stderr. */
  async stop(timeoutMs = 30_000): Promise<{ code: number | null; stderr: string }> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, stderr: this.stderrText };
  }

  private takeLine(line: string): void {
    const arrivedNs = process.hrtime.bigint();
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as {
      rule: string;
      priority: string;
      output: string;
      output_fields?: Record<string, unknown>;
    };
    this.alerts.push({
      rule: parsed.rule,
      priority: parsed.priority,
      output: parsed.output,
      outputFields: parsed.output_fields ?? {},
      arrivedNs,
    });
  }

  private async untilStarted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderrText.includes('live capture started')) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`harrier did not start capture:\n${this.stderrText}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The events and drop counters `harrier run` prints at exit, in text or (under --json) NDJSON. */
export function parseExitCounters(
  stderr: string,
): { events: number; kernelSeen: number; kernelDrops: number; userspaceDrops: number } | undefined {
  // Under --json the counters are the NDJSON 'stopped' line; in text mode, the stop summary.
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"msg":"stopped"')) continue;
    const { counters } = JSON.parse(line) as { counters: LiveCounters };
    return {
      events: counters.events,
      kernelSeen: counters.kernelEventsSeen,
      kernelDrops: counters.drops.kernel,
      userspaceDrops: counters.drops.userspace,
    };
  }
  const events = /^\s*events: (\d+) \(kernel saw (\d+)/m.exec(stderr);
  const kernel = /^\s*kernel drops: (\d+)/m.exec(stderr);
  const userspace = /^\s*userspace drops: (\d+)/m.exec(stderr);
  if (!events || !kernel || !userspace) return undefined;
  return {
    events: Number(events[1]),
    kernelSeen: Number(events[2]),
    kernelDrops: Number(kernel[1]),
    userspaceDrops: Number(userspace[1]),
  };
}
