/**
 * The state engine: feeds capture metadata and syscall events into the thread table in
 * libsinsp's order, and attaches to each event the thread and descriptor its fields read.
 *
 * Per event, as `sinsp::next`: removals the previous event scheduled (exit, close) happen
 * first; then the event's thread is found or created and its fd looked up (libsinsp's
 * `reset`); then the event's parser updates the tables; finally the event gets its thread,
 * fd, fd number and `fdNameChanged`. An event's state is current until the next event is
 * processed: read its fields before asking for the next one.
 */
import type { ScapRecord, EventRecord } from '../../sources/scap/index.js';
import type { SyscallEvent } from '../event.js';
import { EVENT_FLAG_BITS, EVENT_FLAGS } from '../event-table.js';
import { linkBootstrap, fdFromRecord, threadFromRecord } from './bootstrap.js';
import type { DeferredRemovals, ParseContext } from './context.js';
import { isEmptyParam, numberParam } from './event-params.js';
import { parserFor } from './parser-table.js';
import { DEFAULT_STATE_LIMITS, ThreadTable, type StateLimits } from './thread-table.js';
import { lookupFd, THREAD_FLAGS } from './thread.js';
import type { FdInfo, ThreadInfo } from './types.js';

/** Metadata records the engine takes (everything a capture holds besides events). */
export type StateRecord = Exclude<ScapRecord, EventRecord>;

const FD_FLAGS = EVENT_FLAG_BITS.CREATES_FD | EVENT_FLAG_BITS.USES_FD | EVENT_FLAG_BITS.DESTROYS_FD;

/** Exits whose thread must not be created from nothing (libsinsp does not query the OS). */
const NO_PLACEHOLDER = new Set(['clone', 'fork', 'vfork', 'clone3', 'procexit', 'switch']);
/** Events that concern no thread at all. */
const META_EVENTS = new Set([
  'container', 'useradded', 'userdeleted', 'groupadded', 'groupdeleted', 'pluginevent', 'asyncevent',
]); // prettier-ignore
/** Enter events whose parameters the exit parser may need. */
const STORED_ENTERS = new Set([
  'open',
  'creat',
  'openat',
  'openat2',
  'execve',
  'execveat',
  'connect',
]);

/** Position of the fd parameter in enter events (0 but for mmap and splice). */
function enterFdIndex(event: SyscallEvent): number {
  const name = event.info.name;
  if (name === 'mmap' || name === 'mmap2') return 4;
  return name === 'splice' ? 1 : 0;
}

/** Position of the fd parameter in an exit event: its first FD parameter after the result. */
function exitFdIndex(event: SyscallEvent): number {
  const params = event.info.params;
  for (let i = 1; i < params.length; i++) {
    if (params[i].type === 'FD' && params[i].name !== 'dirfd') return i;
  }
  return -1;
}

export class StateEngine {
  readonly table: ThreadTable;
  /** Host boot time from the machine block, epoch nanoseconds. */
  bootTs = 0n;
  private pendingBootstrap: ThreadInfo[] = [];
  private readonly deferred: DeferredRemovals = { fdsToRemove: [] };

  constructor(limits: Partial<StateLimits> = DEFAULT_STATE_LIMITS) {
    this.table = new ThreadTable(limits);
  }

  /** Takes a non-event record: process and fd lists, users, groups, interfaces, machine. */
  applyRecord(record: StateRecord): void {
    switch (record.kind) {
      case 'thread': {
        const thread = threadFromRecord(this.table, record);
        if (this.table.add(thread, false) !== undefined) this.pendingBootstrap.push(thread);
        return;
      }
      case 'fd': {
        const thread = this.table.findThread(record.tid);
        if (thread !== undefined) this.table.addFdTo(thread.fds, fdFromRecord(record), record.fd);
        return;
      }
      case 'user':
        this.table.addUser({ ...record });
        return;
      case 'group':
        this.table.addGroup({ gid: record.gid, name: record.name });
        return;
      case 'interface':
        this.table.addLocalAddress(record.address, record.family, record.netmask);
        return;
      case 'machine':
        this.bootTs = record.bootTimestamp;
        return;
      default:
    }
  }

  /** Applies `event` to the state and attaches its thread and fd. Mutates `event`. */
  processEvent(event: SyscallEvent): void {
    this.finishBootstrap();
    this.applyDeferred();
    const context: ParseContext = {
      event, thread: undefined, fd: undefined, table: this.table, bootTs: this.bootTs,
      deferred: this.deferred,
    }; // prettier-ignore
    if (this.reset(context)) parserFor(event.info)?.(context);
    this.attach(context);
  }

  /** Links the process list once it is complete (before the first event). */
  finishBootstrap(): void {
    if (this.pendingBootstrap.length === 0) return;
    linkBootstrap(this.table, this.pendingBootstrap);
    this.pendingBootstrap = [];
  }

  private applyDeferred(): void {
    const { deferred, table } = this;
    if (deferred.threadToRemove !== undefined) {
      table.remove(deferred.threadToRemove);
      deferred.threadToRemove = undefined;
    }
    for (const [tid, fd] of deferred.fdsToRemove) {
      const thread = table.findThread(tid);
      if (thread !== undefined) table.removeFd(thread, fd);
    }
    deferred.fdsToRemove.length = 0;
  }

  /** libsinsp's `reset`: find the thread, pair exit with enter, look the fd up. */
  private reset(context: ParseContext): boolean {
    const { event } = context;
    const flags = EVENT_FLAGS[event.info.code];
    if ((flags & EVENT_FLAG_BITS.SKIPPARSERESET) !== 0 || META_EVENTS.has(event.info.name)) {
      context.thread =
        event.info.name === 'procinfo' ? this.table.findThread(event.tid) : undefined;
      return false;
    }
    const mayCreate = !NO_PLACEHOLDER.has(event.info.name);
    const thread = mayCreate
      ? this.table.threadOrPlaceholder(event.tid)
      : this.table.findThread(event.tid);
    context.thread = thread;
    if (event.info.name === 'switch' || thread === undefined) return event.info.name !== 'switch';
    if (mayCreate) thread.flags |= THREAD_FLAGS.ACTIVE;
    const usesFd = (flags & EVENT_FLAG_BITS.USES_FD) !== 0;
    if (event.info.direction === 'enter') {
      this.resetEnter(context, thread, usesFd);
      return true;
    }
    const paired =
      thread.lastEnterName === event.info.name ||
      (event.info.name === 'execve' && thread.lastEnterName === 'execveat');
    thread.lastEnterValid =
      paired && thread.lastEnter !== undefined && this.enterMatches(thread, event);
    if (!paired) thread.lastEventFd = -1;
    if (!usesFd) return true;
    if (thread.lastEventFd === -1) {
      const index = exitFdIndex(event);
      if (index !== -1 && !isEmptyParam(event, index))
        thread.lastEventFd = numberParam(event, index);
    }
    context.fd = lookupFd(thread, thread.lastEventFd);
    return true;
  }

  private enterMatches(thread: ThreadInfo, event: SyscallEvent): boolean {
    const stored = thread.lastEnter?.info.name;
    return stored === event.info.name || (event.info.name === 'execve' && stored === 'execveat');
  }

  private resetEnter(context: ParseContext, thread: ThreadInfo, usesFd: boolean): void {
    const { event } = context;
    thread.lastEventFd = -1;
    thread.lastEnterCode = event.info.code;
    thread.lastEnterName = event.info.name;
    if (STORED_ENTERS.has(event.info.name)) {
      const opens = event.info.name !== 'execveat' && event.info.name !== 'connect';
      if (!(opens && isEmptyParam(event, 0))) thread.lastEnter = event;
    }
    if (!usesFd) return;
    thread.lastEventFd = numberParam(event, enterFdIndex(event));
    context.fd = lookupFd(thread, thread.lastEventFd);
  }

  /** Gives the event what its fields read, as libsinsp's extraction sees it after parsing. */
  private attach(context: ParseContext): void {
    const { event, thread } = context;
    let fd: FdInfo | undefined = context.fd;
    if (fd !== undefined) event.fdNameChanged = fd.name !== fd.oldName;
    event.thread = thread;
    const hasFd = (EVENT_FLAGS[event.info.code] & FD_FLAGS) !== 0 && thread !== undefined;
    if (hasFd && fd === undefined && thread.lastEventFd !== -1)
      fd = lookupFd(thread, thread.lastEventFd);
    event.fd = hasFd ? fd : undefined;
    event.fdNumber = hasFd ? thread.lastEventFd : undefined;
    if (thread === undefined) return;
    thread.lastAccessTs = event.ts;
    if (event.info.direction === 'exit') thread.lastEnter = undefined;
  }
}
