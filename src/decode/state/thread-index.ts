/**
 * Threads grouped by one of their ids (ptid, pid), for the thread table's lookups that would
 * otherwise scan it. Each thread added sits in exactly one set, under its id when added; a set
 * leaves with its last thread. The table keeps it exact: it takes a thread out before changing
 * that id and puts it back after.
 */
import type { ThreadInfo } from './types.js';

export class ThreadIndex {
  private readonly groups = new Map<number, Set<ThreadInfo>>();

  constructor(private readonly keyOf: (thread: ThreadInfo) => number) {}

  add(thread: ThreadInfo): void {
    const key = this.keyOf(thread);
    const members = this.groups.get(key);
    if (members === undefined) this.groups.set(key, new Set([thread]));
    else members.add(thread);
  }

  delete(thread: ThreadInfo): void {
    const key = this.keyOf(thread);
    const members = this.groups.get(key);
    if (members?.delete(thread) === true && members.size === 0) this.groups.delete(key);
  }

  /** The threads under `key`, in a new array, so that the caller may change them. */
  membersOf(key: number): ThreadInfo[] {
    const members = this.groups.get(key);
    return members === undefined ? [] : [...members];
  }
}
