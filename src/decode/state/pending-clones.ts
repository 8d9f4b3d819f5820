/**
 * Clones inside a pid namespace whose two clone exits have not both been seen yet. The caller's
 * exit names the child only by its id inside the namespace, so (as in libsinsp) it cannot add
 * the child's thread: the child's own exit does. libsinsp then copies the parent's fd table as
 * it is at the child's exit, by which time the parent may already have closed descriptors the
 * child inherited (a forking server closes the accepted socket right after fork). Harrier keeps
 * the parent's state as it was at the caller's exit here, keyed by (parent tid, child vtid), for
 * the child's exit to take; and when the child's exit comes first, a mark that makes the caller's
 * later exit keep nothing.
 */
import type { FdInfo } from './types.js';

/** What a new process copies from its parent. */
export interface ProcessStateCopy {
  fds: Map<number, FdInfo>;
  cwd: string;
  env: string[];
}

interface Entry {
  ts: bigint;
  /** The parent's state at the caller's exit; undefined marks a child whose exit came first. */
  copy: ProcessStateCopy | undefined;
}

/**
 * Longer than this between the two exits and the entry is a leftover of a lost event (the same
 * bound libsinsp puts on a thread entry made by the caller's exit).
 */
const STALE_AFTER_NS = 2_000_000_000n;

export class PendingClones {
  /** In insertion order, which is event order, so the stale ones are at the front. */
  private readonly entries = new Map<string, Entry>();
  /** Entries pushed out because `capacity` were waiting; the child got libsinsp's late copy. */
  dropped = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The caller's exit: keeps `copy()` unless the child's exit came first. */
  keepForChild(
    parentTid: number,
    childVtid: number,
    ts: bigint,
    copy: () => ProcessStateCopy,
  ): void {
    const key = `${parentTid}:${childVtid}`;
    const entry = this.takeFresh(key, ts);
    if (entry !== undefined && entry.copy === undefined) return;
    this.expire(ts);
    if (this.entries.size >= this.capacity) this.dropOldest();
    this.entries.set(key, { ts, copy: copy() });
  }

  /**
   * The child's exit: the parent's state kept by the caller's exit, or undefined (then marking
   * the clone, so that the caller's exit, still to come, keeps nothing).
   */
  takeForChild(parentTid: number, childVtid: number, ts: bigint): ProcessStateCopy | undefined {
    const key = `${parentTid}:${childVtid}`;
    const entry = this.takeFresh(key, ts);
    if (entry?.copy !== undefined) return entry.copy;
    this.expire(ts);
    if (this.entries.size >= this.capacity) this.dropOldest();
    this.entries.set(key, { ts, copy: undefined });
    return undefined;
  }

  /** Removes and returns the entry under `key` unless it is stale. */
  private takeFresh(key: string, ts: bigint): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    return ts - entry.ts < STALE_AFTER_NS ? entry : undefined;
  }

  /** Forgets entries whose other exit is lost: not drops, the events never came. */
  private expire(ts: bigint): void {
    for (const [key, entry] of this.entries) {
      if (ts - entry.ts < STALE_AFTER_NS) return;
      this.entries.delete(key);
    }
  }

  private dropOldest(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done === true) return;
    this.entries.delete(oldest.value);
    this.dropped++;
  }
}
