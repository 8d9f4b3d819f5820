/**
 * Live monitoring cost: workloads run without and with `harrier run` (the Falco stable rules)
 * in the same run, alternating, so the machine's drift hits both sides alike.
 *
 * Workloads (a static C helper compiled here with gcc):
 * - exec-heavy: fork + exec of /bin/true, `--execs` times (default 5,000);
 * - open-heavy: open + close of one file in a tight loop, `--opens` times (default 1,500,000);
 * - paced: open + close at `--rate` events per second (default 50,000) for `--seconds` (4),
 *   with Harrier only: the rate the aim names, where no drop is expected.
 *
 * Printed per workload: wall time without and with Harrier and their ratio (best of
 * `--rounds`), events Harrier processed and per second of workload, kernel and userspace
 * drops, Harrier's CPU time (node and the probe loader, from /proc/PID/stat) and peak RSS, and
 * event-to-alert latency: the bench makes a uniquely named symlink to /etc/shadow every 20 ms
 * ("Create Symlink Over Sensitive Files"), and measures from just before the syscall to the
 * alert line arriving on Harrier's stdout (same monotonic clock).
 *
 * Needs root, BTF and the built probe; otherwise it prints why and exits 0 (nothing measured).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  HarrierProcess,
  liveSkipReason,
  parseExitCounters,
  type ReceivedAlert,
} from '../scenarios/harrier-process.js';
import { buildHelper } from '../scenarios/helper-program.js';
import { corpusPath } from '../testing/corpus.js';

const { values: options } = parseArgs({
  options: {
    execs: { type: 'string', default: '5000' },
    opens: { type: 'string', default: '1500000' },
    rate: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
  },
  strict: false,
});

const RULES = ['-r', corpusPath('falco/rules/falco_rules.yaml')];
const CLOCK_TICKS_PER_SECOND = 100;

interface Workload {
  name: string;
  argv: string[];
  /** Run without Harrier too (the paced one only checks drops and latency). */
  compare: boolean;
}

interface WithHarrier {
  seconds: number;
  events: number;
  kernelSeen: number;
  kernelDrops: number;
  userspaceDrops: number;
  /** From the workload's start until Harrier had judged the last marker (its backlog drained). */
  drainedSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  latenciesMs: number[];
  markersLost: number;
}

/** Runs argv to completion; resolves with its wall time in seconds. */
function timeCommand(argv: readonly string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

/** The pid and its descendants (node and the probe loader it spawned). */
function processTree(pid: number): number[] {
  const pids = [pid];
  for (let index = 0; index < pids.length; index++) {
    try {
      const children = readFileSync(
        `/proc/${pids[index]}/task/${pids[index]}/children`,
        'utf8',
      ).trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // The process ended between listing and reading: it has no children to add.
    }
  }
  return pids;
}

/** utime + stime of the tree, in seconds. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone already; its time is lost to the sum, which only understates Harrier's cost.
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  let kb = 0;
  for (const member of processTree(pid)) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${member}/status`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // Gone already.
    }
  }
  return kb / 1024;
}

/** The output field that carries a marker's name. */
const MARKER_FIELD = 'evt.arg.linkpath';

/**
 * Every 20 ms until stopped, makes a symlink with a unique name pointing at /etc/shadow in the
 * bench folder ("Create Symlink Over Sensitive Files" matches it whoever the parent is);
 * records when each syscall began.
 */
let markerCount = 0;

function startMarkers(directory: string): { stop: () => Map<string, bigint> } {
  const sent = new Map<string, bigint>();
  const timer = setInterval(() => {
    const name = `${directory}/marker-${markerCount++}q`;
    sent.set(name, process.hrtime.bigint());
    symlinkSync('/etc/shadow', name);
  }, 20);
  return { stop: () => (clearInterval(timer), sent) };
}

function latencies(
  sent: Map<string, bigint>,
  alerts: readonly ReceivedAlert[],
): { values: number[]; lost: number } {
  const arrived = new Map<unknown, bigint>(
    alerts.map((alert) => [alert.outputFields[MARKER_FIELD], alert.arrivedNs]),
  );
  const values: number[] = [];
  for (const [name, at] of sent) {
    const arrivedNs = arrived.get(name);
    if (arrivedNs !== undefined) values.push(Number(arrivedNs - at) / 1e6);
  }
  return { values, lost: sent.size - values.length };
}

async function runWithHarrier(workload: Workload, markerDirectory: string): Promise<WithHarrier> {
  const harrier = await HarrierProcess.start(['run', ...RULES, '--json']);
  const cpuBefore = cpuSeconds(harrier.pid);
  let peakRss = rssMb(harrier.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(harrier.pid))), 100);
  const markers = startMarkers(markerDirectory);
  const started = process.hrtime.bigint();
  const seconds = await timeCommand(workload.argv);
  const sent = markers.stop();
  // Let Harrier drain its backlog: wait for the last marker's alert, at most 30 s.
  const lastName = [...sent.keys()].at(-1);
  if (lastName !== undefined)
    await harrier.waitForAlert((alert) => alert.outputFields[MARKER_FIELD] === lastName, 30_000);
  const drainedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const cpu = cpuSeconds(harrier.pid) - cpuBefore;
  const { stderr } = await harrier.stop();
  const counters = parseExitCounters(stderr);
  const seen = /kernel saw (\d+)/.exec(stderr);
  const { values, lost } = latencies(sent, harrier.alerts);
  return {
    seconds,
    events: counters?.events ?? Number.NaN,
    kernelSeen: Number(seen?.[1] ?? Number.NaN),
    kernelDrops: counters?.kernelDrops ?? Number.NaN,
    userspaceDrops: counters?.userspaceDrops ?? Number.NaN,
    drainedSeconds,
    cpuSeconds: cpu,
    peakRssMb: peakRss,
    latenciesMs: values,
    markersLost: lost,
  };
}

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function report(workload: Workload, without: number[], withRuns: WithHarrier[]): void {
  const best = withRuns.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const baseline = without.length > 0 ? Math.min(...without) : Number.NaN;
  const all = withRuns.flatMap((run) => run.latenciesMs);
  const line = (label: string, value: string) =>
    process.stdout.write(`  ${label.padEnd(28)} ${value}\n`);
  process.stdout.write(`${workload.name}\n`);
  if (workload.compare) {
    line(
      'wall time without / with',
      `${baseline.toFixed(3)} s / ${best.seconds.toFixed(3)} s (best of ${without.length} and ${withRuns.length})`,
    );
    line(
      'slowdown',
      `${((best.seconds / baseline - 1) * 100).toFixed(1)}% (ratio ${(best.seconds / baseline).toFixed(3)})`,
    );
  } else {
    line('wall time with Harrier', `${best.seconds.toFixed(3)} s`);
  }
  for (const [index, run] of withRuns.entries()) {
    line(
      `run ${index + 1}: events processed`,
      `${run.events} (kernel saw ${run.kernelSeen}); ${(run.events / run.seconds).toFixed(0)}/s of workload time`,
    );
    line(
      `run ${index + 1}: drops`,
      `kernel ${run.kernelDrops}, userspace ${run.userspaceDrops}, latency markers lost ${run.markersLost}`,
    );
    const busy = `${((run.cpuSeconds / run.drainedSeconds) * 100).toFixed(0)}% of one core over ${run.drainedSeconds.toFixed(2)} s to drain`;
    line(
      `run ${index + 1}: Harrier CPU, RSS`,
      `${run.cpuSeconds.toFixed(2)} s CPU (${busy}), peak RSS ${run.peakRssMb.toFixed(0)} MB`,
    );
  }
  line(
    'event-to-alert latency',
    `p50 ${percentile(all, 0.5).toFixed(1)} ms, p99 ${percentile(all, 0.99).toFixed(1)} ms (${all.length} alerts)`,
  );
}

async function main(): Promise<void> {
  const skip = liveSkipReason();
  if (skip !== undefined) {
    process.stdout.write(`live benchmark not run: ${skip}\n`);
    return;
  }
  const directory = mkdtempSync('/tmp/harrier-live-bench-');
  try {
    const helper = buildHelper(directory);
    const target = path.join(directory, 'target');
    writeFileSync(target, '');
    const rate = Number(options.rate);
    const workloads: Workload[] = [
      {
        name: `exec-heavy: ${options.execs} fork+exec of /bin/true`,
        argv: [helper, 'exec-loop', '/bin/true', String(options.execs)],
        compare: true,
      },
      {
        name: `open-heavy: ${options.opens} open+close, tight loop`,
        argv: [helper, 'open-loop', target, String(options.opens)],
        compare: true,
      },
      {
        name: `paced: ${rate} events/s (open+close pairs at ${rate / 2}/s) for ${options.seconds} s`,
        argv: [
          helper,
          'open-paced',
          target,
          String((rate / 2) * Number(options.seconds)),
          String(rate / 2),
        ],
        compare: false,
      },
    ];
    const idle = await runWithHarrier(
      { name: 'idle', argv: ['sleep', '2'], compare: false },
      directory,
    );
    process.stdout.write(
      `idle: event-to-alert latency p50 ${percentile(idle.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(idle.latenciesMs, 0.99).toFixed(1)} ms; RSS ${idle.peakRssMb.toFixed(0)} MB\n`,
    );
    for (const workload of workloads) {
      const without: number[] = [];
      const withRuns: WithHarrier[] = [];
      for (let round = 0; round < Number(options.rounds); round++) {
        // Alternate which side goes first, so warm-up and drift do not favour one side.
        if (workload.compare && round % 2 === 1) without.push(await timeCommand(workload.argv));
        withRuns.push(await runWithHarrier(workload, directory));
        if (workload.compare && round % 2 === 0) without.push(await timeCommand(workload.argv));
      }
      report(workload, without, withRuns);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
