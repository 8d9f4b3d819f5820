/**
 * Time the kernel spends in each of the probe's BPF programs, from the kernel's own BPF
 * statistics (`kernel.bpf_stats_enabled`): per program, how often it ran and its average
 * nanoseconds per run. This is the part of the slowdown Harrier's event building costs the
 * workload, apart from the tracepoints' own cost (the probe floor). The statistics add two
 * clock reads to every run, so they are on only for a run of their own, never a timed one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const STATS_SWITCH = '/proc/sys/kernel/bpf_stats_enabled';

export interface ProgramCost {
  name: string;
  runs: number;
  nsPerRun: number;
}

/** Runs `work` with the kernel's BPF statistics on, then puts the switch back as it was. */
export async function withBpfStats<T>(work: () => Promise<T>): Promise<T> {
  const before = readFileSync(STATS_SWITCH, 'utf8').trim();
  writeFileSync(STATS_SWITCH, '1');
  try {
    return await work();
  } finally {
    writeFileSync(STATS_SWITCH, before);
  }
}

/** The pid of the probe loader among the children of `pid` (a `harrier run`). */
export function loaderPidOf(pid: number): number | undefined {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  return children
    .map(Number)
    .find((child) => readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'harrier-probe');
}

/** Run counts and times of the BPF programs process `pid` holds open, by program id. */
function heldProgramStats(pid: number): Map<number, { runs: number; ns: number }> {
  const stats = new Map<number, { runs: number; ns: number }>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed since the listing
    }
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(info)?.[1]);
    // A link's fdinfo names its program too, without the counters: programs only.
    const id = field('prog_id');
    const runs = field('run_cnt');
    if (Number.isInteger(id) && Number.isInteger(runs))
      stats.set(id, { runs, ns: field('run_time_ns') });
  }
  return stats;
}

/** The programs of process `pid` that ran, costliest in total first. */
export function programCosts(pid: number): ProgramCost[] {
  const held = heldProgramStats(pid);
  const listed = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }));
  const names = new Map<number, string>(
    (listed as Array<{ id: number; name?: string }>).map((program) => [
      program.id,
      program.name ?? `id ${program.id}`,
    ]),
  );
  return [...held]
    .filter(([, { runs }]) => runs > 0)
    .map(([id, { runs, ns }]) => ({ name: names.get(id) ?? `id ${id}`, runs, nsPerRun: ns / runs }))
    .sort((a, b) => b.runs * b.nsPerRun - a.runs * a.nsPerRun);
}
