/**
 * The thread table: every thread the engine knows, looked up by tid, with the user and group
 * lists beside it. Bounded like libsinsp's: when full, new threads are dropped (and counted);
 * dead threads leave on the event after their exit. Live capture also removes threads whose
 * exit it never saw once `/proc` shows them gone (`removeGone`). Unlike libsinsp, it never
 * evicts threads for being idle: a daemon asleep for an hour keeps its lineage.
 */
import { formatIpv6 } from '../params.js';
import type { FdInfo, GroupInfo, StateView, ThreadInfo, UserInfo } from './types.js';
import { ThreadIndex } from './thread-index.js';
import { PendingClones } from './pending-clones.js';
import {
  createThread, fdTableOf, isInvalidThread, isMainThread, mainThreadOf, THREAD_FLAGS, UNSET_ID,
} from './thread.js'; // prettier-ignore

/** Limits of the state tables. */
export interface StateLimits {
  /** Most threads kept (libsinsp: 262144). */
  maxThreads: number;
  /** Most descriptors per process (libsinsp: 4096). */
  maxFdsPerProcess: number;
  /** Most clones in pid namespaces waiting for their second exit (`PendingClones`). */
  maxPendingClones: number;
}

export const DEFAULT_STATE_LIMITS: StateLimits = {
  maxThreads: 262_144,
  maxFdsPerProcess: 4096,
  maxPendingClones: 1024,
};

/** What the tables did; every drop and eviction is counted. */
export interface StateCounters {
  threadsAdded: number;
  threadsRemoved: number;
  /** New threads refused because the table was full. */
  threadsDroppedTableFull: number;
  /** Threads removed by `removeGone`: gone from the host, their exit event never seen. */
  threadsReapedGone: number;
  fdsAdded: number;
  fdsRemoved: number;
  /** New descriptors refused because their process's table was full. */
  fdsDroppedTableFull: number;
}

function zeroCounters(): StateCounters {
  return {
    threadsAdded: 0, threadsRemoved: 0, threadsDroppedTableFull: 0, threadsReapedGone: 0,
    fdsAdded: 0, fdsRemoved: 0, fdsDroppedTableFull: 0,
  }; // prettier-ignore
}

export class ThreadTable implements StateView {
  readonly limits: StateLimits;
  readonly counters: StateCounters = zeroCounters();
  /** See `StateView.firstEventTs`; set by the state engine. */
  firstEventTs: bigint | undefined;
  /** See `StateView.machineHostname`; set by the state engine. */
  machineHostname: string | undefined;
  /** Parents' state kept between the two exits of a clone in a pid namespace. */
  readonly pendingClones: PendingClones;
  private readonly threads = new Map<number, ThreadInfo>();
  /** The last thread found: consecutive events mostly come from the same thread. */
  private lastFound: ThreadInfo | undefined;
  /**
   * The table's threads by their ptid, so that an exit finds its children without scanning the
   * table (libsinsp keeps a children list per thread). Each thread of the table sits in exactly
   * one set, so this is bounded by the table; it stays exact because every ptid change goes
   * through `setParent` and every entry through `add` and `delete`.
   */
  private readonly childrenByParent = new ThreadIndex((thread) => thread.ptid);
  /**
   * The table's threads by their pid, so that an exit finds another thread of its process and an
   * exec the threads it ends without scanning the table (libsinsp keeps a thread group per
   * process). Bounded and kept exact as the children index is, every pid change going through
   * `setPid`.
   */
  private readonly threadsByProcess = new ThreadIndex((thread) => thread.pid);
  /**
   * Live threads per process (`groupSize`), without zero entries; exact because deaths go
   * through `markDead` and `resurrect`, and changes of pid and ptid (which turn a placeholder
   * into a known thread) through `setPid` and `setParent`.
   */
  private readonly liveCounts = new Map<number, number>();
  /**
   * Child subreapers: processes that said so with prctl or have adopted another process's
   * orphans (as the kernel's exit events showed); the fallback reaper search stops at them as
   * at an init. Entries leave with their process, so the set is bounded by the table.
   */
  private readonly reaperGroups = new Set<number>();
  private readonly users = new Map<number, UserInfo>();
  private readonly groupNames = new Map<number, GroupInfo>();
  private readonly localAddresses = new Set<string>();
  private readonly interfaces: Array<{
    address: string;
    family: 'inet' | 'inet6';
    netmask: string;
  }> = [];

  constructor(limits: Partial<StateLimits> = {}) {
    this.limits = { ...DEFAULT_STATE_LIMITS, ...limits };
    this.pendingClones = new PendingClones(this.limits.maxPendingClones);
  }

  get size(): number {
    return this.threads.size;
  }

  findThread(tid: number): ThreadInfo | undefined {
    if (this.lastFound?.tid === tid) return this.lastFound;
    const thread = this.threads.get(tid);
    if (thread !== undefined) this.lastFound = thread;
    return thread;
  }

  user(uid: number): UserInfo | undefined {
    return this.users.get(uid);
  }

  group(gid: number): GroupInfo | undefined {
    return this.groupNames.get(gid);
  }

  addUser(user: UserInfo): void {
    this.users.set(user.uid, user);
  }

  addGroup(group: GroupInfo): void {
    this.groupNames.set(group.gid, group);
  }

  /** Records an interface of the capturing host (from the capture's interface list). */
  addLocalAddress(address: string, family: 'inet' | 'inet6' = 'inet', netmask = ''): void {
    const text =
      family === 'inet6'
        ? ipv6Groups(address)
            .map((g) => g.toString(16))
            .join(':')
        : address;
    this.localAddresses.add(family === 'inet6' ? ipv6Prefix(text) : text);
    this.interfaces.push({
      address: family === 'inet6' ? canonicalIpv6(text) : text,
      family,
      netmask,
    });
  }

  /**
   * The local address a socket to `destination` most likely uses, as libsinsp infers a
   * missing source address: the destination itself when it is local, else an interface in
   * its IPv4 subnet, else the first interface that is not loopback; undefined when none.
   */
  inferLocalAddress(destination: string, family: 'inet' | 'inet6'): string | undefined {
    const candidates = this.interfaces.filter((entry) => entry.family === family);
    if (candidates.some((entry) => entry.address === destination)) return destination;
    if (family === 'inet6' && destination === '::1') return '::1';
    if (family === 'inet') {
      const subnet = candidates.find((entry) =>
        sameSubnet(entry.address, destination, entry.netmask),
      );
      if (subnet !== undefined) return subnet.address;
    }
    return candidates.find((entry) => entry.address !== '127.0.0.1' && entry.address !== '::1')
      ?.address;
  }

  /** IPv4: one of the interface addresses; IPv6: in the /64 of one (libsinsp's test). */
  isLocalAddress(address: string): boolean {
    return this.localAddresses.has(address.includes(':') ? ipv6Prefix(address) : address);
  }

  /** Every thread, in insertion order. */
  allThreads(): IterableIterator<ThreadInfo> {
    return this.threads.values();
  }

  /** A new thread bound to this table, not yet added. */
  newThread(tid: number): ThreadInfo {
    return createThread(this, tid);
  }

  /**
   * The thread `tid`, creating libsinsp's placeholder (`<NA>` names, pid -1) when it is
   * unknown. Undefined only when the table is full.
   */
  threadOrPlaceholder(tid: number): ThreadInfo | undefined {
    const known = this.threads.get(tid);
    if (known !== undefined) return known;
    const placeholder = this.newThread(tid);
    placeholder.comm = '<NA>';
    placeholder.exe = '<NA>';
    placeholder.uid = UNSET_ID;
    placeholder.gid = UNSET_ID;
    placeholder.loginUid = UNSET_ID;
    return this.add(placeholder);
  }

  /**
   * Adds `thread` (replacing any entry with its tid) and links it to its process and parent.
   * Returns undefined, and counts a drop, when the table is full.
   */
  add(thread: ThreadInfo, link = true): ThreadInfo | undefined {
    const replaced = this.threads.get(thread.tid);
    if (replaced === undefined && this.threads.size >= this.limits.maxThreads) {
      this.counters.threadsDroppedTableFull++;
      return undefined;
    }
    if (replaced !== undefined) this.unindex(replaced);
    this.threads.set(thread.tid, thread);
    this.index(thread);
    this.lastFound = undefined;
    this.counters.threadsAdded++;
    if (link) this.linkThread(thread);
    return thread;
  }

  /**
   * libsinsp's thread dependencies: ptid 0 for an unknown parent. (Its process membership follows
   * from its pid, indexed from `add` on.)
   */
  linkThread(thread: ThreadInfo): void {
    if (isInvalidThread(thread)) return;
    if (thread.pid === 1) return;
    const parent = this.threads.get(thread.ptid);
    if (parent === undefined || isInvalidThread(parent)) this.setParent(thread, 0);
  }

  /**
   * Sets `thread`'s ptid, keeping the children index exact: the only way to change the ptid of
   * a thread, in the table or not yet added.
   */
  setParent(thread: ThreadInfo, ptid: number): void {
    if (thread.ptid === ptid) return;
    this.update(thread, () => ((thread as { ptid: number }).ptid = ptid), this.childrenByParent);
  }

  /**
   * Sets `thread`'s pid, keeping the process index exact: the only way to change the pid of a
   * thread, in the table or not yet added.
   */
  setPid(thread: ThreadInfo, pid: number): void {
    if (thread.pid === pid) return;
    this.update(thread, () => ((thread as { pid: number }).pid = pid), this.threadsByProcess);
  }

  /**
   * The table's threads whose ptid is `tid`, in a new array (reparenting them changes the index).
   * Protected so that a test can check it against a scan of the whole table.
   */
  protected childrenOf(tid: number): ThreadInfo[] {
    return this.childrenByParent.membersOf(tid);
  }

  /**
   * The table's threads whose pid is `pid`, dead ones too, in a new array (removing them changes
   * the index). Overridable so that a test can check it against a scan of the whole table.
   */
  threadsOfProcess(pid: number): ThreadInfo[] {
    return this.threadsByProcess.membersOf(pid);
  }

  /**
   * Applies `change` to a field `thread` is keyed by in `index`, or counted by in the live counts,
   * moving it there when it is in the table.
   */
  private update(thread: ThreadInfo, change: () => void, index?: ThreadIndex): void {
    const isIndexed = this.threads.get(thread.tid) === thread;
    if (isIndexed) {
      index?.delete(thread);
      this.uncount(thread);
    }
    change();
    if (isIndexed) {
      index?.add(thread);
      this.count(thread);
    }
  }

  private index(thread: ThreadInfo): void {
    this.childrenByParent.add(thread);
    this.threadsByProcess.add(thread);
    this.count(thread);
  }

  private unindex(thread: ThreadInfo): void {
    this.childrenByParent.delete(thread);
    this.threadsByProcess.delete(thread);
    this.uncount(thread);
  }

  private count(thread: ThreadInfo): void {
    if (isCountedLive(thread)) this.liveCounts.set(thread.pid, this.groupSize(thread.pid) + 1);
  }

  private uncount(thread: ThreadInfo): void {
    if (!isCountedLive(thread)) return;
    const live = this.groupSize(thread.pid) - 1;
    if (live > 0) this.liveCounts.set(thread.pid, live);
    else this.liveCounts.delete(thread.pid);
  }

  /** Marks a thread dead (its exit event); it leaves the table with `remove`. */
  markDead(thread: ThreadInfo): void {
    if (thread.isDead) return;
    this.update(thread, () => ((thread as { isDead: boolean }).isDead = true));
    thread.flags |= THREAD_FLAGS.CLOSED;
  }

  /** Brings a dead main thread back (an execve from one of its threads). */
  resurrect(thread: ThreadInfo): void {
    if (!thread.isDead) return;
    this.update(thread, () => ((thread as { isDead: boolean }).isDead = false));
    thread.flags &= ~THREAD_FLAGS.CLOSED;
  }

  /** Marks process `pid` as a child subreaper (prctl PR_SET_CHILD_SUBREAPER), or not. */
  setReaper(pid: number, isReaper: boolean): void {
    if (isReaper) this.reaperGroups.add(pid);
    else this.reaperGroups.delete(pid);
  }

  /**
   * Live threads in `pid`'s group (placeholders the engine knows nothing of not counted), so that
   * a main thread outlives its last thread.
   */
  groupSize(pid: number): number {
    return this.liveCounts.get(pid) ?? 0;
  }

  /**
   * Removes thread `tid` as libsinsp does: its children move to a reaper (`kernelReaper`, the
   * one its exit event named, when the table knows it), a main thread stays while other threads
   * of its process live, and the last one takes the process with it.
   */
  remove(tid: number, kernelReaper = 0): void {
    const thread = this.threads.get(tid);
    if (thread === undefined) return;
    if (isInvalidThread(thread)) {
      this.delete(tid);
      return;
    }
    this.markDead(thread);
    this.reparentChildren(thread, kernelReaper);
    if (this.groupSize(thread.pid) === 0) {
      this.reaperGroups.delete(thread.pid);
      this.delete(thread.pid);
    }
    if (!isMainThread(thread)) this.delete(tid);
  }

  private delete(tid: number): void {
    this.lastFound = undefined;
    const thread = this.threads.get(tid);
    if (thread === undefined) return;
    this.unindex(thread);
    this.threads.delete(tid);
    this.counters.threadsRemoved++;
  }

  /**
   * Gives `thread`'s children to the kernel's reaper when the table knows it; else, searching
   * the table, to another live thread of its process, else to the nearest ancestor that is an
   * init process or a known reaper, else to nobody (ptid 0). All get the same reaper, so the
   * order of the children does not matter; a thread without children looks for no reaper.
   */
  private reparentChildren(thread: ThreadInfo, kernelReaper: number): void {
    const orphans = this.childrenOf(thread.tid).filter((child) => child !== thread);
    if (orphans.length === 0) return;
    const reaper = this.reaperFor(thread, kernelReaper);
    for (const orphan of orphans) this.setParent(orphan, reaper?.tid ?? 0);
  }

  private reaperFor(thread: ThreadInfo, kernelReaper: number): ThreadInfo | undefined {
    const named = kernelReaper > 0 ? this.threads.get(kernelReaper) : undefined;
    const reaper = named === undefined || isInvalidThread(named) ? this.findReaper(thread) : named;
    // A process adopting another's orphans is a subreaper (or an init) from now on.
    if (reaper !== undefined && reaper.pid !== thread.pid) this.reaperGroups.add(reaper.pid);
    return reaper;
  }

  /**
   * LIMIT: a subreaper that set itself before the capture began (its prctl unseen) is found only
   * once an exit event has named it; until then its orphans are given to the init above it.
   * NB: it looks at the process's own threads through the process index and walks the ancestors,
   * so it costs the process's thread count plus the depth, not the table's size.
   * Protected so that a test can compare it with a table that scans for the process's threads.
   */
  protected findReaper(thread: ThreadInfo): ThreadInfo | undefined {
    const sibling = this.liveSiblingOf(thread);
    if (sibling !== undefined) return sibling;
    const seen = new Set<number>([thread.tid]);
    for (let parent = this.threads.get(thread.ptid); parent !== undefined;) {
      if (seen.has(parent.tid)) return undefined;
      seen.add(parent.tid);
      const isReaper = parent.pid === 1 || parent.vpid === 1 || this.reaperGroups.has(parent.pid);
      if (isReaper && !parent.isDead) return parent;
      parent = this.threads.get(parent.ptid);
    }
    return undefined;
  }

  /**
   * Another live thread of `thread`'s process: its main thread, else the one with the lowest tid
   * (about the kernel's choice: the leader, then the oldest). Independent of the table's order.
   */
  private liveSiblingOf(thread: ThreadInfo): ThreadInfo | undefined {
    let found: ThreadInfo | undefined;
    for (const candidate of this.threadsOfProcess(thread.pid)) {
      if (candidate === thread || candidate.isDead) continue;
      if (candidate.tid === thread.pid) return candidate;
      if (found === undefined || candidate.tid < found.tid) found = candidate;
    }
    return found;
  }

  /**
   * Adds descriptor `fd` to `thread`'s process, replacing any entry with that number, and makes
   * it the thread's current fd. Returns
   * undefined, and counts a drop, when the process's table is full.
   */
  addFd(thread: ThreadInfo, fd: number, info: FdInfo): FdInfo | undefined {
    // As libsinsp, the new fd becomes the event's fd even when the table had no room.
    thread.lastEventFd = fd;
    return this.addFdTo(fdTableOf(thread), info, fd);
  }

  /** Adds `info` as `fd` to one fd table, within the per-process limit. */
  addFdTo(table: Map<number, FdInfo>, info: FdInfo, fd: number): FdInfo | undefined {
    if (!table.has(fd) && table.size >= this.limits.maxFdsPerProcess) {
      this.counters.fdsDroppedTableFull++;
      return undefined;
    }
    table.set(fd, info);
    this.counters.fdsAdded++;
    return info;
  }

  removeFd(thread: ThreadInfo, fd: number): void {
    if (fdTableOf(thread).delete(fd)) this.counters.fdsRemoved++;
  }

  /**
   * Removes `thread`, which the host no longer runs though its exit event never came (lost in
   * the kernel, or not captured), as its exit would have; nothing when the table now holds
   * another thread with its tid, or none. Returns how many threads left the table (a main
   * thread takes its process's dead threads along, or stays while other threads of it live).
   */
  removeGone(thread: ThreadInfo): number {
    if (this.threads.get(thread.tid) !== thread) return 0;
    const before = this.threads.size;
    this.remove(thread.tid);
    const removed = before - this.threads.size;
    this.counters.threadsReapedGone += removed;
    return removed;
  }

  /** The main thread of `thread`'s process, as the field table sees it. */
  mainThreadOf(thread: ThreadInfo): ThreadInfo | undefined {
    return mainThreadOf(thread);
  }
}

/** Whether `thread` counts in its process's `groupSize`. */
function isCountedLive(thread: ThreadInfo): boolean {
  return !thread.isDead && !isInvalidThread(thread);
}

function ipv4Number(text: string): number {
  return text.split('.').reduce((value, part) => ((value << 8) | (Number(part) & 0xff)) >>> 0, 0);
}

function sameSubnet(address: string, other: string, netmask: string): boolean {
  if (netmask === '') return false;
  const mask = ipv4Number(netmask);
  return (ipv4Number(address) & mask) >>> 0 === (ipv4Number(other) & mask) >>> 0;
}

/** The eight 16-bit groups of an IPv6 address in any text form. */
function ipv6Groups(text: string): number[] {
  let body = text;
  const tail: number[] = [];
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body);
  if (embedded !== null) {
    const [a, b, c, d] = embedded.slice(1).map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    body = body
      .slice(0, embedded.index)
      .replace(/:$/, body.endsWith('::' + embedded[0]) ? ':' : '');
  }
  const [head, rest] = body.includes('::') ? body.split('::') : [body, undefined];
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').map((group) => parseInt(group, 16) || 0);
  const front = parse(head);
  const back = [...parse(rest), ...tail];
  const zeros = rest === undefined ? 0 : 8 - front.length - back.length;
  return [...front, ...new Array<number>(Math.max(0, zeros)).fill(0), ...back].slice(0, 8);
}

function ipv6Prefix(text: string): string {
  return `v6:${ipv6Groups(text).slice(0, 4).join(':')}`;
}

function canonicalIpv6(text: string): string {
  const bytes = new Uint8Array(16);
  ipv6Groups(text).forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return formatIpv6(bytes);
}
