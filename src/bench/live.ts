/**
 * Live monitoring cost: workloads run without and with `harrier run` (the Falco stable rules)
 * in the same run, alternating, so the machine's drift hits both sides alike.
 *
 * Workloads (a static C helper compiled here with gcc, and grep):
 * - exec-heavy: fork + exec of /bin/true, `--execs` times (default 5,000);
 * - open-heavy: `grep -r` reading every file of a generated tree (`--files` files of 6 KB,
 *   default 4,000) `--passes` times (default 40): each file opened, read to the end and
 *   closed, the syscall-bound way a real program reads many files;
 * - open-stress: open + close of one file in a tight loop, `--opens` times (default
 *   1,500,000): nothing but the two syscalls, the worst case for a syscall monitor, offering
 *   several hundred thousand events a second;
 * - paced: open + close at `--rate` events per second (default 50,000) for `--seconds` (4),
 *   with Harrier only: the rate the aim names, where no drop is expected.
 *
 * A third side, the probe floor, runs each compared workload with the probe loader alone
 * attached to the same syscall tracepoints as `harrier run` but building no event
 * (`--attach-only`): what tracing those syscalls costs before any work of Harrier's, so the
 * part of the slowdown Harrier can still win back is the difference between the two.
 *
 * Printed per workload: wall time and the workload's own CPU time (user + system, its children
 * included) without and with Harrier and their ratios (best of `--rounds`; on a busy machine
 * the CPU ratio is the steadier measure of what the probe costs the workload, the wall ratio
 * adds what Harrier's own CPU takes from it); events the kernel offered per second of
 * workload and events Harrier handled per second until it had judged them all; kernel and
 * userspace drops; Harrier's CPU time (node and the probe loader, from /proc/PID/stat) and
 * peak RSS; and event-to-alert latency: the bench makes a uniquely named symlink to
 * /etc/shadow every 20 ms ("Create Symlink Over Sensitive Files"), and measures from just
 * before the syscall to the alert line arriving on Harrier's stdout (same monotonic clock).
 *
 * After each compared workload, one more run under Harrier with the kernel's BPF statistics on
 * prints the probe programs that ran most and their nanoseconds per run: where the event
 * building the workload pays for goes.
 *
 * Needs root, BTF and the built probe; otherwise it prints why and exits 0 (nothing measured).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  HarrierProcess,
  liveSkipReason,
  parseExitCounters,
  type ReceivedAlert,
} from '../scenarios/harrier-process.js';
import { buildHelper } from '../scenarios/helper-program.js';
import { syscallSetFor } from '../cli/live-syscalls.js';
import { loadRuleFiles } from '../detect/index.js';
import { ProbeProcess } from '../sources/ebpf/probe-process.js';
import { loaderPidOf, programCosts, withBpfStats } from './bpf-program-costs.js';
import { corpusPath } from '../testing/corpus.js';

const { values: options } = parseArgs({
  options: {
    execs: { type: 'string', default: '5000' },
    files: { type: 'string', default: '4000' },
    passes: { type: 'string', default: '40' },
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
  okCodes?: number[];
  /** Run without Harrier too (the paced one only checks drops and latency). */
  compare: boolean;
}

/** One run of a workload: wall time and its own CPU time (children included), in seconds. */
interface WorkloadTime {
  seconds: number;
  cpuSeconds: number;
}

interface WithHarrier {
  seconds: number;
  workloadCpuSeconds: number;
  events: number;
  kernelSeen: number;
  kernelDrops: number;
  userspaceDrops: number;
  /** From the workload's start until Harrier had judged the last marker (its backlog drained). */
  drainedSeconds: number;
  /** Harrier's CPU time (node and the loader). */
  cpuSeconds: number;
  peakRssMb: number;
  latenciesMs: number[];
  markersLost: number;
}

/**
 * CPU time of this process's children that have ended and been waited for (cutime + cstime
 * of /proc/self/stat), in seconds: the difference across one workload is the workload's own.
 */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Runs argv to completion; resolves with its wall and CPU time. `okCodes` are the exit codes
 * that mean success (grep exits 1 when nothing matched).
 */
function timeCommand(
  argv: readonly string[],
  okCodes: readonly number[] = [0],
): Promise<WorkloadTime> {
  const started = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === null || !okCodes.includes(code))
        reject(new Error(`${argv.join(' ')} exited with ${code}`));
      else
        resolve({
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          cpuSeconds: childrenCpuSeconds() - cpuBefore,
        });
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

/**
 * Waits until Harrier has judged every event offered so far, at most 30 s: events reach the
 * rules in order, so the alert of a marker made now comes after all of them. A marker the
 * kernel dropped (the ring buffer still full) never alerts, so a new one follows every 250 ms.
 */
async function waitUntilDrained(harrier: HarrierProcess, directory: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  const names = new Set<unknown>();
  while (Date.now() < deadline) {
    const name = `${directory}/drained-${markerCount++}q`;
    names.add(name);
    symlinkSync('/etc/shadow', name);
    if (await harrier.waitForAlert((alert) => names.has(alert.outputFields[MARKER_FIELD]), 250))
      return;
  }
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

/** The slots `harrier run` enables for the bench's rules, and which of them count successes only. */
function harrierSlots(): { slots: number[]; succeededOnly: number[] } {
  const file = RULES[1]!;
  const { ruleSet, diagnostics } = loadRuleFiles([
    { name: file, content: readFileSync(file, 'utf8') },
  ]);
  if (ruleSet === undefined)
    throw new Error(`cannot load ${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const set = syscallSetFor(ruleSet);
  return { slots: set.slots, succeededOnly: set.succeededOnlySlots };
}

/** The workload under the probe floor: the same tracepoints attached, no event built. */
async function runOnProbeFloor(
  workload: Workload,
  slots: ReturnType<typeof harrierSlots>,
): Promise<WorkloadTime> {
  const probe = await ProbeProcess.start({ ...slots, attachOnly: true });
  try {
    return await timeCommand(workload.argv, workload.okCodes);
  } finally {
    await probe.stop();
  }
}

async function runWithHarrier(workload: Workload, markerDirectory: string): Promise<WithHarrier> {
  const harrier = await HarrierProcess.start(['run', ...RULES, '--json']);
  const cpuBefore = cpuSeconds(harrier.pid);
  let peakRss = rssMb(harrier.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(harrier.pid))), 100);
  const markers = startMarkers(markerDirectory);
  const started = process.hrtime.bigint();
  const time = await timeCommand(workload.argv, workload.okCodes);
  const sent = markers.stop();
  await waitUntilDrained(harrier, markerDirectory);
  const drainedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const cpu = cpuSeconds(harrier.pid) - cpuBefore;
  const { stderr } = await harrier.stop();
  const counters = parseExitCounters(stderr);
  const { values, lost } = latencies(sent, harrier.alerts);
  return {
    seconds: time.seconds,
    workloadCpuSeconds: time.cpuSeconds,
    events: counters?.events ?? Number.NaN,
    kernelSeen: counters?.kernelSeen ?? Number.NaN,
    kernelDrops: counters?.kernelDrops ?? Number.NaN,
    userspaceDrops: counters?.userspaceDrops ?? Number.NaN,
    drainedSeconds,
    cpuSeconds: cpu,
    peakRssMb: peakRss,
    latenciesMs: values,
    markersLost: lost,
  };
}

/**
 * One more run of `workload` under Harrier, with the kernel's BPF statistics on: the probe
 * programs that ran most, by their nanoseconds per run (see bpf-program-costs.ts).
 */
async function reportProgramCosts(workload: Workload): Promise<void> {
  let line: string;
  try {
    const costs = await withBpfStats(async () => {
      const harrier = await HarrierProcess.start(['run', ...RULES, '--json']);
      try {
        const loader = loaderPidOf(harrier.pid);
        await timeCommand(workload.argv, workload.okCodes);
        return loader === undefined ? [] : programCosts(loader);
      } finally {
        await harrier.stop();
      }
    });
    const top = costs
      .slice(0, 4)
      .map(({ name, nsPerRun, runs }) => `${name} ${nsPerRun.toFixed(0)} ns x ${runs}`);
    line = `${top.join(', ')} (a run of its own: the statistics add clock reads to each)`;
  } catch (error) {
    line = `not measured: ${(error as Error).message.split('\n')[0]}`;
  }
  process.stdout.write(`  ${'kernel time per program'.padEnd(28)} ${line}\n`);
}

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** "1.000 s / 1.100 s: slowdown +10.0% (ratio 1.100)" */
function ratioLine(without: number, withHarrier: number): string {
  const ratio = withHarrier / without;
  const percent = (ratio - 1) * 100;
  const signed = `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
  return `${without.toFixed(3)} s / ${withHarrier.toFixed(3)} s: slowdown ${signed} (ratio ${ratio.toFixed(3)})`;
}

interface WorkloadResults {
  without: WorkloadTime[];
  floor: WorkloadTime[];
  withRuns: WithHarrier[];
}

function report(workload: Workload, { without, floor, withRuns }: WorkloadResults): void {
  const best = (values: number[]) => Math.min(...values);
  const all = withRuns.flatMap((run) => run.latenciesMs);
  const line = (label: string, value: string) =>
    process.stdout.write(`  ${label.padEnd(28)} ${value}\n`);
  process.stdout.write(`${workload.name}\n`);
  const withWall = best(withRuns.map((run) => run.seconds));
  if (workload.compare) {
    const rounds = `, best of ${without.length} and ${withRuns.length}`;
    const withCpu = best(withRuns.map((run) => run.workloadCpuSeconds));
    line(
      'wall time without / with',
      ratioLine(best(without.map((run) => run.seconds)), withWall) + rounds,
    );
    line(
      'workload CPU without / with',
      ratioLine(best(without.map((run) => run.cpuSeconds)), withCpu) + rounds,
    );
    line(
      'wall without / probe floor',
      ratioLine(best(without.map((run) => run.seconds)), best(floor.map((run) => run.seconds))),
    );
    line(
      'CPU without / probe floor',
      ratioLine(
        best(without.map((run) => run.cpuSeconds)),
        best(floor.map((run) => run.cpuSeconds)),
      ),
    );
  } else {
    line('wall time with Harrier', `${withWall.toFixed(3)} s`);
  }
  for (const [index, run] of withRuns.entries()) {
    const offered = run.kernelSeen / run.seconds;
    const handled = run.events / run.drainedSeconds;
    line(
      `run ${index + 1}: events`,
      `${run.events} handled of ${run.kernelSeen} the kernel saw; offered ${rate(offered)}/s over the workload, handled ${rate(handled)}/s until judged`,
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

/** The aim in one line: no drops at the paced rate, under 10% on open-heavy. */
function reportAim(
  openHeavy: WorkloadResults | undefined,
  paced: WorkloadResults | undefined,
): void {
  if (openHeavy === undefined || paced === undefined) return;
  const best = (values: number[]) => Math.min(...values);
  const slowdown = (without: number, withHarrier: number) =>
    `${((withHarrier / without - 1) * 100).toFixed(1)}%`;
  const aloneWall = best(openHeavy.without.map((run) => run.seconds));
  const aloneCpu = best(openHeavy.without.map((run) => run.cpuSeconds));
  const wall = slowdown(aloneWall, best(openHeavy.withRuns.map((run) => run.seconds)));
  const cpu = slowdown(aloneCpu, best(openHeavy.withRuns.map((run) => run.workloadCpuSeconds)));
  const floorWall = slowdown(aloneWall, best(openHeavy.floor.map((run) => run.seconds)));
  const floorCpu = slowdown(aloneCpu, best(openHeavy.floor.map((run) => run.cpuSeconds)));
  const drops = paced.withRuns.map((run) => run.kernelDrops + run.userspaceDrops).join(', ');
  process.stdout.write(
    `aim (no drops at ${options.rate} events/s, under 10% slowdown on open-heavy): paced drops ${drops}; open-heavy slowdown ${wall} wall, ${cpu} workload CPU (probe floor alone: ${floorWall} wall, ${floorCpu} CPU)\n`,
  );
}

function rate(perSecond: number): string {
  return perSecond >= 10_000 ? `${(perSecond / 1000).toFixed(0)}k` : perSecond.toFixed(0);
}

/** `count` text files of about 6 KB in 40 folders under `directory`, for grep to read. */
function writeTree(directory: string, count: number): void {
  const line = 'harrier live bench: a line of text that the pattern never matches\n';
  const text = line.repeat(Math.ceil(6144 / line.length));
  for (let index = 0; index < count; index++) {
    const folder = path.join(directory, `d${index % 40}`);
    if (index < 40) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `f${index}.txt`), text);
  }
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
    const tree = path.join(directory, 'tree');
    writeTree(tree, Number(options.files));
    const rate = Number(options.rate);
    const workloads: Workload[] = [
      {
        name: `exec-heavy: ${options.execs} fork+exec of /bin/true`,
        argv: [helper, 'exec-loop', '/bin/true', String(options.execs)],
        compare: true,
      },
      {
        name: `open-heavy: grep -r reads ${options.files} files of 6 KB, ${options.passes} passes`,
        argv: [
          'grep',
          '-r',
          '-c',
          'zq-never-there',
          ...Array<string>(Number(options.passes)).fill(tree),
        ],
        okCodes: [1],
        compare: true,
      },
      {
        name: `open-stress: ${options.opens} open+close, tight loop (worst case)`,
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
    const slots = harrierSlots();
    const results = new Map<string, WorkloadResults>();
    for (const workload of workloads) {
      const sides: WorkloadResults = { without: [], floor: [], withRuns: [] };
      for (let round = 0; round < Number(options.rounds); round++) {
        // Alternate which side goes first, so warm-up and drift do not favour one side.
        const alone = () => timeCommand(workload.argv, workload.okCodes);
        if (workload.compare && round % 2 === 1) sides.without.push(await alone());
        if (workload.compare) sides.floor.push(await runOnProbeFloor(workload, slots));
        sides.withRuns.push(await runWithHarrier(workload, directory));
        if (workload.compare && round % 2 === 0) sides.without.push(await alone());
      }
      report(workload, sides);
      if (workload.compare) await reportProgramCosts(workload);
      results.set(workload.name.split(':')[0]!, sides);
    }
    reportAim(results.get('open-heavy'), results.get('paced'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
