/**
 * Lines of the summaries `harrier run` and `harrier record` print when live capture stops:
 * both keep the state engine's thread table, so both say what it held and lost.
 */
import type { DropTotals } from './live-drops.js';
import type { LiveCounters } from './live-pipeline.js';

/** Kernel drops by reason, e.g. `buffer_full_process 2, event_too_large 0`. */
export function formatDropReasons(drops: DropTotals): string {
  return Object.entries(drops.byReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}

/**
 * The state engine's lines, indented two spaces: what the `/proc` snapshot gave it at start,
 * its threads at stop with those removed as gone whose exit was not seen (a dropped exit
 * event) and those refused because the table was full, and what else its bounded tables
 * refused: descriptors, and the fd copies kept for fork children not yet seen.
 */
export function formatStateCounters(counters: LiveCounters): string[] {
  return [
    `  start-up state: ${counters.snapshotThreads} threads, ${counters.snapshotFds} fds`,
    `  threads at stop: ${counters.threads} (removed as gone from /proc, exit not seen: ` +
      `${counters.threadsReapedGone}; refused, table full: ${counters.threadsDroppedTableFull})`,
    `  state refused: ${counters.fdsDroppedTableFull} fds (process table full), ` +
      `${counters.pendingClonesDropped} fork children's fd copies (too many awaited)`,
  ];
}

/** What `harrier record` prints at stop: events written to `file`, drops, then the state. */
export function formatRecordSummary(counters: LiveCounters, file: string): string {
  const { drops } = counters;
  const lines = [
    `harrier: recorded ${counters.recorded} events to ${file} (kernel drops: ${drops.kernel} ` +
      `(${formatDropReasons(drops)}); userspace drops: ${drops.userspace})`,
    ...formatStateCounters(counters),
  ];
  const containers = counters.recordedContainers ?? 0;
  if (containers > 0) lines.push(`  containers described in it: ${containers}`);
  return `${lines.join('\n')}\n`;
}
