/**
 * What a state parser works on: the event, the thread and descriptor attached to it so far,
 * the tables, and the removals to apply before the next event (libsinsp's parser verdict).
 */
import type { SyscallEvent } from '../event.js';
import type { ThreadTable } from './thread-table.js';
import type { FdInfo, ThreadInfo } from './types.js';

export interface ParseContext {
  event: SyscallEvent;
  thread: ThreadInfo | undefined;
  fd: FdInfo | undefined;
  table: ThreadTable;
  /** Host boot time in epoch nanoseconds, from the capture's machine block; 0n if unknown. */
  bootTs: bigint;
  /** Removals libsinsp delays until the next event, so that this one still sees the state. */
  deferred: DeferredRemovals;
}

export interface DeferredRemovals {
  threadToRemove?: number;
  /** The reaper the kernel named in `threadToRemove`'s exit event; 0 when it named none. */
  reaperTid: number;
  /**
   * Pairs of numbers, thread id then fd, in `fdsToRemove[0, fdsToRemoveLength)`: a tuple per
   * close was garbage, and so was emptying the array (`length = 0` frees its storage).
   */
  fdsToRemove: number[];
  fdsToRemoveLength: number;
}

/** One state parser: updates the tables for one event type. */
export type StateParser = (context: ParseContext) => void;
