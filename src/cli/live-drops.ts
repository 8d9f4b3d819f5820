/**
 * Drop accounting for live capture. The probe's STATS frames carry kernel counters summed
 * over CPUs; each frame's increase over the last one is checked, and new drops raise Falco's
 * "syscall event drop" alert (at most one per `alertIntervalMs`, like Falco's token bucket)
 * and a warning log line (at most one per `logIntervalMs`). Drops are never silent: every one
 * is counted, and the totals are in `totals` and the final counters.
 */
import type { Logger } from 'pino';
import type { Alert } from '../alerts/alert.js';
import { isoTime } from '../alerts/format.js';
import type { DropNote } from './drop-notes.js';
import {
  countKernelDrops,
  type ProbeCounters,
  type ProbeStatsRecord,
} from '../sources/ebpf/frame-reader.js';

/** Falco's rule name for its drop alert, kept so that consumers of Falco alerts see it. */
export const DROP_RULE = 'Falco internal: syscall event drop';

/** Kernel drops by reason, and drops in Harrier's own queues and decoder. */
export interface DropTotals {
  kernel: number;
  byReason: Record<string, number>;
  userspace: number;
}

/** Counter names of a STATS frame that count drops, and the reason each is reported as. */
const REASONS: ReadonlyArray<[keyof ProbeCounters, string]> = [
  ['dropsFullProcess', 'buffer_full_process'],
  ['dropsFullFile', 'buffer_full_file'],
  ['dropsFullNetwork', 'buffer_full_network'],
  ['dropsFullClose', 'buffer_full_close'],
  ['dropsFullOther', 'buffer_full_other'],
  ['dropsTooLarge', 'event_too_large'],
  ['dropsNoScratch', 'no_scratch_space'],
];

export interface DropMonitorOptions {
  /** Receives the warning lines; none in a replay, whose summary reports the drops. */
  logger?: Logger;
  /** Receives the drop alert. */
  onAlert: (alert: Alert) => void;
  hostname: string;
  timeFormat?: 'iso8601' | 'local';
  /** Shortest time between two drop alerts; default 30 s (Falco's default rate). */
  alertIntervalMs?: number;
  /** Shortest time between two drop log lines; default 5 s. */
  logIntervalMs?: number;
  /** What goes on without the dropped events, for the log line; default detection. */
  activity?: 'detection' | 'recording';
  /** Receives each STATS frame that shows new drops, for the recording. */
  onNote?: (note: DropNote) => void;
}

export class DropMonitor {
  readonly totals: DropTotals = { kernel: 0, byReason: {}, userspace: 0 };
  /** Drop alerts raised. */
  alerts = 0;
  private last: ProbeCounters | undefined;
  private lastAlertMs = Number.NEGATIVE_INFINITY;
  private lastLogMs = Number.NEGATIVE_INFINITY;
  private userspaceAtLastLog = 0;
  private userspaceAtLastNote = 0;

  constructor(private readonly options: DropMonitorOptions) {
    for (const [, reason] of REASONS) this.totals.byReason[reason] = 0;
  }

  /**
   * Takes a note a recording kept (see drop-notes.ts) as the live run took its STATS frame:
   * the same drop alert, paced by the same clock.
   */
  replayNote(note: DropNote): void {
    this.last = note.previous;
    this.totals.userspace = note.userspace;
    this.take({ kind: 'stats', ts: note.ts, token: 0, counters: note.counters });
  }

  /** Counts events Harrier itself could not use (undecodable, unknown type). */
  countUserspace(count = 1): void {
    this.totals.userspace += count;
  }

  /**
   * Takes one STATS frame. `now`, in ms, paces the alerts and log lines; by default the
   * frame's own time, so that a replay of the recording paces them alike.
   */
  take(stats: ProbeStatsRecord, now = Number(stats.ts / 1_000_000n)): void {
    const previous = this.last;
    this.last = stats.counters;
    const delta = (name: keyof ProbeCounters) => stats.counters[name] - (previous?.[name] ?? 0);
    const reasons: Record<string, number> = {};
    for (const [name, reason] of REASONS) {
      reasons[reason] = delta(name);
      this.totals.byReason[reason] = stats.counters[name];
    }
    this.totals.kernel = countKernelDrops(stats.counters);
    const drops = Object.values(reasons).reduce((sum, value) => sum + value, 0);
    const newUserspace = this.totals.userspace - this.userspaceAtLastLog;
    if (drops === 0 && newUserspace === 0) return;
    if (drops > 0 || this.totals.userspace > this.userspaceAtLastNote) {
      this.userspaceAtLastNote = this.totals.userspace;
      this.options.onNote?.({
        ts: stats.ts,
        previous,
        counters: stats.counters,
        userspace: this.totals.userspace,
      });
    }
    const events = delta('eventsSeen');
    if (drops > 0 && now - this.lastAlertMs >= (this.options.alertIntervalMs ?? 30_000)) {
      this.lastAlertMs = now;
      this.alerts++;
      this.options.onAlert(this.alertFor(stats.ts, events, drops, reasons));
    }
    if (now - this.lastLogMs >= (this.options.logIntervalMs ?? 5000)) {
      this.lastLogMs = now;
      this.userspaceAtLastLog = this.totals.userspace;
      this.options.logger?.warn(
        {
          kernelDrops: drops,
          events,
          byReason: reasons,
          userspaceDrops: newUserspace,
          totals: this.totals,
        },
        `syscall events dropped; ${this.options.activity ?? 'detection'} goes on without them`,
      );
    }
  }

  /** Falco's drop alert: rule, Debug priority, message and `n_*` output fields. */
  private alertFor(
    ts: bigint,
    events: number,
    drops: number,
    reasons: Record<string, number>,
  ): Alert {
    const message = `${DROP_RULE}. ${drops} system calls dropped in last second.`;
    const time = this.options.timeFormat === 'iso8601' ? isoTime(ts, '+0000') : localTime(ts);
    const fields = new Map<string, string | number | bigint>([
      ['n_evts', events],
      ['n_drops', drops],
      ['n_drops_buffer_total', drops - reasons.event_too_large - reasons.no_scratch_space],
      ['n_drops_buffer_proc_exit', reasons.buffer_full_process],
      ['n_drops_buffer_file_exit', reasons.buffer_full_file],
      ['n_drops_buffer_net_exit', reasons.buffer_full_network],
      ['n_drops_buffer_close_exit', reasons.buffer_full_close],
      ['n_drops_buffer_other_interest_exit', reasons.buffer_full_other],
      ['n_drops_too_large', reasons.event_too_large],
      ['n_drops_scratch_map', reasons.no_scratch_space],
      ['n_drops_userspace', this.totals.userspace],
      ['ebpf_enabled', 1],
    ]);
    return {
      time: ts,
      rule: DROP_RULE,
      priority: 'Debug',
      source: 'syscall',
      hostname: this.options.hostname,
      output: `${time}: Debug ${message}`,
      outputFields: fields,
      tags: [],
    };
  }
}

/** `%evt.time` form: local wall-clock time with nanoseconds. */
export function localTime(ts: bigint): string {
  const date = new Date(Number(ts / 1_000_000n));
  const pad = (value: number) => String(value).padStart(2, '0');
  const fraction = (ts % 1_000_000_000n).toString().padStart(9, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${fraction}`;
}
