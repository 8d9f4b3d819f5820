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
import type { EventInfo, SyscallEvent } from '../event.js';
import { EVENT_CATEGORY_BITS, EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from '../event-table.js';
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

/** What `reset` asks about an event type, as bits; see `EVENT_TRAITS`. */
const TRAIT = {
  /** SKIPPARSERESET, or an event that concerns no thread: no reset, no parser. */
  SKIP_RESET: 1 << 0,
  NO_PLACEHOLDER: 1 << 1,
  STORED_ENTER: 1 << 2,
  PROCINFO: 1 << 3,
  SWITCH: 1 << 4,
  USES_FD: 1 << 5,
  /** Any of CREATES_FD, USES_FD, DESTROYS_FD: the event has an fd for `attach`. */
  HAS_FD: 1 << 6,
  ENTER: 1 << 7,
  /** libscap's EC_METAEVENT category: a notification, not something a process did. */
  META: 1 << 8,
} as const;

function traitsOf(info: EventInfo): number {
  const flags = EVENT_FLAGS[info.code];
  const skip = (flags & EVENT_FLAG_BITS.SKIPPARSERESET) !== 0 || META_EVENTS.has(info.name);
  return (
    (skip ? TRAIT.SKIP_RESET : 0) |
    (NO_PLACEHOLDER.has(info.name) ? TRAIT.NO_PLACEHOLDER : 0) |
    (STORED_ENTERS.has(info.name) ? TRAIT.STORED_ENTER : 0) |
    (info.name === 'procinfo' ? TRAIT.PROCINFO : 0) |
    (info.name === 'switch' ? TRAIT.SWITCH : 0) |
    ((flags & EVENT_FLAG_BITS.USES_FD) !== 0 ? TRAIT.USES_FD : 0) |
    ((flags & FD_FLAGS) !== 0 ? TRAIT.HAS_FD : 0) |
    (info.direction === 'enter' ? TRAIT.ENTER : 0) |
    ((EVENT_CATEGORY_BITS[info.code]! & EC_METAEVENT) !== 0 ? TRAIT.META : 0)
  );
}

/** libscap's EC_METAEVENT category bit. */
const EC_METAEVENT = 1 << 12;

/** Traits of every event code, so that `reset` tests bits instead of names per event. */
const EVENT_TRAITS = Uint16Array.from(EVENT_TABLE, traitsOf);

/** The traits of `info`: from the table for the table's own rows, else computed. */
function eventTraits(info: EventInfo): number {
  return EVENT_TABLE[info.code] === info ? EVENT_TRAITS[info.code] : traitsOf(info);
}

/** Position of the fd parameter in enter events (0 but for mmap and splice). */
function enterFdIndex(info: EventInfo): number {
  const name = info.name;
  if (name === 'mmap' || name === 'mmap2') return 4;
  return name === 'splice' ? 1 : 0;
}

/**
 * Position of the fd parameter in an exit event: its first FD parameter after the result. For
 * unlinkat, mkdirat, fchmodat, fchownat, mknodat and newfstatat that is the dirfd, as libsinsp
 * takes it: `fd.name` is the directory a relative path starts from (none for AT_FDCWD).
 */
function exitFdIndex(info: EventInfo): number {
  const params = info.params;
  for (let i = 1; i < params.length; i++) {
    if (params[i].type === 'FD') return i;
  }
  return -1;
}

/** The fd parameter's position in every event code: enter and exit rules as above. */
const FD_PARAM_INDEX = Int8Array.from(EVENT_TABLE, (info) =>
  info.direction === 'enter' ? enterFdIndex(info) : exitFdIndex(info),
);

function fdParamIndex(info: EventInfo): number {
  if (EVENT_TABLE[info.code] === info) return FD_PARAM_INDEX[info.code];
  return info.direction === 'enter' ? enterFdIndex(info) : exitFdIndex(info);
}

export class StateEngine {
  readonly table: ThreadTable;
  /** Host boot time from the machine block, epoch nanoseconds. */
  bootTs = 0n;
  private pendingBootstrap: ThreadInfo[] = [];
  private readonly deferred: DeferredRemovals = {
    reaperTid: 0,
    fdsToRemove: [],
    fdsToRemoveLength: 0,
  };
  private readonly context: ParseContext;

  constructor(limits: Partial<StateLimits> = DEFAULT_STATE_LIMITS) {
    this.table = new ThreadTable(limits);
    this.context = {
      event: undefined as unknown as SyscallEvent, thread: undefined, fd: undefined,
      table: this.table, bootTs: 0n, deferred: this.deferred,
    }; // prettier-ignore
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
        this.table.machineHostname = record.hostname || undefined;
        return;
      default:
    }
  }

  /** Applies `event` to the state and attaches its thread and fd. Mutates `event`. */
  processEvent(event: SyscallEvent): void {
    if (this.pendingBootstrap.length > 0) this.finishBootstrap();
    if (this.deferred.threadToRemove !== undefined || this.deferred.fdsToRemoveLength > 0)
      this.applyDeferred();
    // One context, refilled per event: parsers use it only during their call.
    const context = this.context;
    context.event = event;
    context.thread = undefined;
    context.fd = undefined;
    context.bootTs = this.bootTs;
    const traits = eventTraits(event.info);
    if (this.table.firstEventTs === undefined && (traits & TRAIT.META) === 0)
      this.table.firstEventTs = event.ts;
    if (this.reset(context, traits)) parserFor(event.info)?.(context);
    this.attach(context, traits);
    context.thread = undefined;
    context.fd = undefined;
  }

  /** Links the process list once it is complete (before the first event). */
  finishBootstrap(): void {
    if (this.pendingBootstrap.length === 0) return;
    linkBootstrap(this.table, this.pendingBootstrap);
    this.pendingBootstrap = [];
  }

  /**
   * Removes `threads`, found gone from the host, whose exit events never came (see
   * `ThreadTable.removeGone`); returns how many threads left. Call it between events, once every
   * event of those threads has been processed. Removals the last event deferred go first, so
   * that an exit that did come keeps the reaper its event named and is not counted as lost.
   */
  removeGone(threads: Iterable<ThreadInfo>): number {
    this.applyDeferred();
    let removed = 0;
    for (const thread of threads) removed += this.table.removeGone(thread);
    return removed;
  }

  private applyDeferred(): void {
    const { deferred, table } = this;
    if (deferred.threadToRemove !== undefined) {
      table.remove(deferred.threadToRemove, deferred.reaperTid);
      deferred.threadToRemove = undefined;
      deferred.reaperTid = 0;
    }
    // One close defers one pair and the next event applies it, so the array stays tiny.
    const fds = deferred.fdsToRemove;
    for (let i = 0; i < deferred.fdsToRemoveLength; i += 2) {
      const thread = table.findThread(fds[i]);
      if (thread !== undefined) table.removeFd(thread, fds[i + 1]);
    }
    deferred.fdsToRemoveLength = 0;
  }

  /** libsinsp's `reset`: find the thread, pair exit with enter, look the fd up. */
  private reset(context: ParseContext, traits: number): boolean {
    const { event } = context;
    if ((traits & TRAIT.SKIP_RESET) !== 0) {
      context.thread =
        (traits & TRAIT.PROCINFO) !== 0 ? this.table.findThread(event.tid) : undefined;
      return false;
    }
    const mayCreate = (traits & TRAIT.NO_PLACEHOLDER) === 0;
    const thread = mayCreate
      ? this.table.threadOrPlaceholder(event.tid)
      : this.table.findThread(event.tid);
    context.thread = thread;
    const isSwitch = (traits & TRAIT.SWITCH) !== 0;
    if (isSwitch || thread === undefined) return !isSwitch;
    if (mayCreate) thread.flags |= THREAD_FLAGS.ACTIVE;
    const usesFd = (traits & TRAIT.USES_FD) !== 0;
    if ((traits & TRAIT.ENTER) !== 0) {
      this.resetEnter(context, thread, usesFd, traits);
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
      const index = fdParamIndex(event.info);
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

  private resetEnter(
    context: ParseContext,
    thread: ThreadInfo,
    usesFd: boolean,
    traits: number,
  ): void {
    const { event } = context;
    thread.lastEventFd = -1;
    thread.lastEnterCode = event.info.code;
    thread.lastEnterName = event.info.name;
    if ((traits & TRAIT.STORED_ENTER) !== 0) {
      const opens = event.info.name !== 'execveat' && event.info.name !== 'connect';
      if (!(opens && isEmptyParam(event, 0))) thread.lastEnter = event;
    }
    if (!usesFd) return;
    thread.lastEventFd = numberParam(event, fdParamIndex(event.info));
    context.fd = lookupFd(thread, thread.lastEventFd);
  }

  /** Gives the event what its fields read, as libsinsp's extraction sees it after parsing. */
  private attach(context: ParseContext, traits: number): void {
    const { event, thread } = context;
    let fd: FdInfo | undefined = context.fd;
    if (fd !== undefined) event.fdNameChanged = fd.name !== fd.oldName;
    event.thread = thread;
    const hasFd = (traits & TRAIT.HAS_FD) !== 0 && thread !== undefined;
    if (hasFd && fd === undefined && thread.lastEventFd !== -1)
      fd = lookupFd(thread, thread.lastEventFd);
    event.fd = hasFd ? fd : undefined;
    event.fdNumber = hasFd ? thread.lastEventFd : undefined;
    if (thread !== undefined && (traits & TRAIT.ENTER) === 0) thread.lastEnter = undefined;
  }
}
