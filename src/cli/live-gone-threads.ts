/**
 * Threads the live state still holds though the host no longer runs them: their exit event was
 * lost (kernel drops, a probe restart) or never captured. Without a check they would stay for
 * good, and over days fill the thread table until new threads are refused. libsinsp evicts
 * threads idle for 30 minutes instead; Harrier does not, since a daemon asleep for an hour
 * would lose its lineage and a live session cannot read it back.
 *
 * `GoneThreadScan` checks the table against `/proc` a slice at a time; the live pipeline removes
 * what it finds once every event captured before the check has been processed (a sync barrier
 * through the loader), so that no event still queued for a thread finds it missing.
 */
import type { ThreadTable } from '../decode/state/thread-table.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { readThreadStart } from '../sources/procfs/index.js';

export interface GoneThreadScanOptions {
  /** Where procfs is mounted; default `/proc`. */
  procRoot?: string;
  /**
   * Boot time, ns since the epoch, as the start-up snapshot took it (its machine record), so
   * that `/proc` start times compare exactly with those the snapshot gave its threads.
   */
  bootTimeNs: bigint;
  /** Threads checked at most per scan (one `stat` read each); default 4096. */
  maxChecks?: number;
}

/** What one scan found. */
export interface GoneThreadFindings {
  /** Threads gone from `/proc`, or whose tid now belongs to a thread started later. */
  gone: ThreadInfo[];
  checked: number;
  /** Entries that could not be read for another reason than absence (no descriptor left). */
  unreadable: number;
}

/**
 * How much later than the table's start time a thread under the same tid must have started to
 * be another thread. A thread's clone event comes after the kernel noted its start, and the
 * snapshot's start times come from the same `stat` field, so the same thread never looks later
 * by more than rounding; a tid is reused only after the pid space has wrapped around.
 * LIMIT: a tid reused within 100 ms of the start of the thread whose exit was lost is taken for
 * that thread; it keeps the old thread's facts until its own events correct them.
 */
const START_SLACK_NS = 100_000_000n;

export class GoneThreadScan {
  private readonly procRoot: string;
  private readonly maxChecks: number;
  /** Where the last scan stopped: a live iterator over the table, so removals do not upset it. */
  private cursor: IterableIterator<ThreadInfo> | undefined;

  constructor(
    private readonly table: ThreadTable,
    private readonly options: GoneThreadScanOptions,
  ) {
    this.procRoot = options.procRoot ?? '/proc';
    this.maxChecks = options.maxChecks ?? 4096;
  }

  /**
   * Checks up to `maxChecks` threads against `/proc`, from where the last scan stopped to the
   * end of the table at most; the next scan starts over. Finds nothing when `/proc` does not
   * show this process: a procfs that is not mounted, or not this pid namespace's, says nothing
   * about other tids. Does not change the table.
   */
  findGone(): GoneThreadFindings {
    const findings: GoneThreadFindings = { gone: [], checked: 0, unreadable: 0 };
    if (readThreadStart(this.procRoot, process.pid, 0n).state !== 'running') return findings;
    while (findings.checked < this.maxChecks) {
      this.cursor ??= this.table.allThreads();
      const next = this.cursor.next();
      if (next.done === true) {
        this.cursor = undefined;
        break;
      }
      // No thread has tid 0 or below in /proc; such entries are not the host's threads.
      if (next.value.tid <= 0) continue;
      findings.checked++;
      this.check(next.value, findings);
    }
    return findings;
  }

  private check(thread: ThreadInfo, findings: GoneThreadFindings): void {
    const start = readThreadStart(this.procRoot, thread.tid, this.options.bootTimeNs);
    if (start.state === 'unknown') findings.unreadable++;
    else if (start.state === 'gone' || isLaterThread(thread, start.startTs))
      findings.gone.push(thread);
  }
}

/** Whether a thread started at `startTs` is not `thread` but a later one under its tid. */
function isLaterThread(thread: ThreadInfo, startTs: bigint): boolean {
  if (thread.cloneTs === 0n || startTs === 0n) return false;
  return startTs > thread.cloneTs + START_SLACK_NS;
}
