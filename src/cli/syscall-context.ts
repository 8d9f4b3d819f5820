/**
 * The events that led to a syscall alert, for the forensic store: the process lineage, read
 * from the state engine when the alert fires, and the latest events of the same container
 * (or, outside containers, of the same process), kept in bounded rings as events pass.
 */
import type { SyscallEvent } from '../decode/event.js';
import { eventTypeName } from '../decode/param-format.js';
import { containerIdFromCgroups } from '../decode/containers/index.js';
import { ancestorProcess, isInvalidThread, mainThreadOf } from '../decode/state/thread.js';
import type { ThreadInfo } from '../decode/state/types.js';
import {
  compileOutput,
  printableText,
  type FieldTable,
  fieldTableFor,
  isoTimeText,
  type OutputFormatter,
} from '../engine/index.js';
import type { AlertContext, RelatedEvent } from '../alerts/index.js';

export interface SyscallContextOptions {
  /** Processes with a ring of recent events; the oldest ring goes first. Default 4096. */
  readonly processes?: number;
  /** Containers with a ring of recent events; the oldest ring goes first. Default 256. */
  readonly containers?: number;
  /** Recent events kept per process; default 16. */
  readonly perProcess?: number;
  /** Recent events kept per container; default 32. */
  readonly perContainer?: number;
  /** Most processes in a lineage, the alert's own first; default 8. */
  readonly lineageDepth?: number;
}

/**
 * What is kept of one event: its type, process and the name of its fd (for a failed open,
 * the path it tried, as `fd.name` reads it).
 *
 * LIMIT: no arguments and no result are kept.
 */
interface RecentEvent {
  readonly num: number;
  readonly ts: bigint;
  readonly type: string;
  readonly tid: number;
  readonly pid: number;
  readonly name: string;
  readonly fd: string | undefined;
  /** Set for exec events, whose new command line is the point of the event. */
  readonly cmdline: string | undefined;
}

/** The newest `capacity` items, oldest first. */
class Ring {
  private readonly items: RecentEvent[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(item: RecentEvent): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  list(): RecentEvent[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

interface ProcessEntry {
  /** The main thread the ring belongs to: a new process reusing the pid starts afresh. */
  readonly main: ThreadInfo;
  readonly events: Ring;
  /** The process's latest execve exit, kept after the ring has moved past it. */
  exec: RecentEvent | undefined;
  readonly containerId: string;
  readonly container: Ring | undefined;
}

/** The fields of each process in a lineage, read as rules read them. */
const LINEAGE_FORMAT =
  '%proc.pid %proc.ppid %proc.name %proc.exepath %proc.cmdline %user.uid %user.name';

/**
 * Keeps recent events per process and container and builds the context of an alert: the
 * events before it (the container's, or the process's outside containers), then the alert's
 * own event; the process's execve comes first when the ring has moved past it, so a record
 * holds up to one more event than the ring. `contextFor` and `note` may come in either order.
 *
 * @example
 * const context = new SyscallAlertContext();
 * for await (const event of syscallEvents('trace.scap')) {
 *   for (const alert of alertsOf(event)) store.record(id(), alert, context.contextFor(event));
 *   context.note(event);
 * }
 */
export class SyscallAlertContext {
  /** Process and container rings dropped to make room for newer ones. */
  evicted = 0;
  private readonly processes = new Map<number, ProcessEntry>();
  private readonly containers = new Map<string, Ring>();
  private readonly lineageFormatter: OutputFormatter<SyscallEvent>;
  private readonly fdName: (event: SyscallEvent) => unknown;
  private readonly limits: Required<SyscallContextOptions>;

  constructor(options: SyscallContextOptions = {}) {
    this.limits = {
      processes: options.processes ?? 4096,
      containers: options.containers ?? 256,
      perProcess: options.perProcess ?? 16,
      perContainer: options.perContainer ?? 32,
      lineageDepth: options.lineageDepth ?? 8,
    };
    const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;
    const fdName = table.fields.get('fd.name')?.extract;
    this.fdName = (event) => fdName?.(event, undefined);
    const compiled = compileOutput(LINEAGE_FORMAT, table);
    if (!compiled.ok) throw new TypeError(`lineage fields: ${compiled.error.message}`);
    this.lineageFormatter = compiled.formatter;
  }

  /** Keeps `event` among the recent events of its process and container (exit events only). */
  note(event: SyscallEvent): void {
    // The exit carries the outcome and the state the call left (the fd it opened, the new
    // program); the enter events that still pass would show each call twice.
    if (event.info.direction !== 'exit') return;
    const thread = event.thread;
    if (thread === undefined || isInvalidThread(thread)) return;
    const main = mainThreadOf(thread) ?? thread;
    const entry = this.entryOf(main);
    const recent = this.recentOf(event, thread, main);
    entry.events.push(recent);
    entry.container?.push(recent);
    if (recent.cmdline !== undefined) entry.exec = recent;
  }

  private recentOf(event: SyscallEvent, thread: ThreadInfo, main: ThreadInfo): RecentEvent {
    const type = eventTypeName(event);
    // event.fd is unset when the call failed; fd.name then reads the path from the arguments.
    const fd = event.fd?.name ?? this.fdName(event);
    return {
      num: event.num,
      ts: event.ts,
      type,
      tid: thread.tid,
      pid: main.pid,
      name: thread.comm,
      fd: typeof fd === 'string' && fd !== '' ? fd : undefined,
      cmdline: type.startsWith('execve') ? [main.comm, ...main.args].join(' ') : undefined,
    };
  }

  /** The lineage, recent events and container of `event`'s process, as the store keeps them. */
  contextFor(event: SyscallEvent): AlertContext {
    const thread = event.thread;
    if (thread === undefined) return {};
    const main = mainThreadOf(thread) ?? thread;
    const entry = this.processes.get(main.pid);
    const known = entry !== undefined && entry.main === main ? entry : undefined;
    const ring = known?.container ?? known?.events;
    const capacity =
      known?.container !== undefined ? this.limits.perContainer : this.limits.perProcess;
    const own = this.recentOf(event, thread, main);
    const before = (ring?.list() ?? []).filter((recent) => recent.num !== own.num);
    const recent = [...before.slice(Math.max(0, before.length - capacity + 1)), own];
    const exec = known?.exec;
    if (exec !== undefined && !recent.includes(exec) && exec.num !== own.num) recent.unshift(exec);
    const containerId = known?.containerId ?? containerIdFromCgroups(main.cgroups);
    const name = main.container?.name;
    return {
      lineage: this.lineage(thread),
      recent: recent.map(relatedEvent),
      container: name === undefined ? { id: containerId } : { id: containerId, name },
    };
  }

  private lineage(thread: ThreadInfo): RelatedEvent[] {
    const lineage: RelatedEvent[] = [];
    const seen = new Set<number>();
    for (let generation = 0; generation < this.limits.lineageDepth; generation++) {
      const process = ancestorProcess(thread, generation);
      if (process === undefined || isInvalidThread(process) || seen.has(process.pid)) break;
      seen.add(process.pid);
      // The process and user fields read only the event's thread, so an event holding just
      // the ancestor gives that ancestor's values, exactly as the rules would see them.
      const view = { thread: process } as SyscallEvent;
      lineage.push(Object.fromEntries(this.lineageFormatter.format(view).fields));
    }
    return lineage;
  }

  private entryOf(main: ThreadInfo): ProcessEntry {
    const known = this.processes.get(main.pid);
    if (known !== undefined && known.main === main) return known;
    if (known !== undefined) this.processes.delete(main.pid);
    else if (this.processes.size >= this.limits.processes) this.evictOldest(this.processes);
    const containerId = containerIdFromCgroups(main.cgroups);
    const entry: ProcessEntry = {
      main,
      events: new Ring(this.limits.perProcess),
      exec: undefined,
      containerId,
      container: containerId === 'host' ? undefined : this.containerRing(containerId),
    };
    this.processes.set(main.pid, entry);
    return entry;
  }

  private containerRing(id: string): Ring {
    let ring = this.containers.get(id);
    if (ring === undefined) {
      if (this.containers.size >= this.limits.containers) this.evictOldest(this.containers);
      ring = new Ring(this.limits.perContainer);
      this.containers.set(id, ring);
    }
    return ring;
  }

  private evictOldest(map: Map<unknown, unknown>): void {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
    this.evicted++;
  }
}

function relatedEvent(event: RecentEvent): RelatedEvent {
  const fields: Record<string, string | number> = {
    'evt.num': event.num,
    'evt.time.iso8601': isoTimeText(event.ts),
    'evt.type': event.type,
    'thread.tid': event.tid,
    'proc.pid': event.pid,
    'proc.name': printableText(event.name),
  };
  // Kept as outputs show them: no control character reaches a text view of the store.
  if (event.fd !== undefined) fields['fd.name'] = printableText(event.fd);
  if (event.cmdline !== undefined) fields['proc.cmdline'] = printableText(event.cmdline);
  return fields;
}
