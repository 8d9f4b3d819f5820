/**
 * Builds a large `.scap` capture for benchmarks by repeating real captures' events.
 *
 *   node dist/bench/make-capture.js --from CAPTURE [--from CAPTURE]... --events N --out FILE
 *
 * Copies go round the sources in turn. Each copy gets its own timestamps (after the previous
 * copy's last event) and its own ids for the threads that act in it, so the copies never share
 * state: a thread that makes any event other than `procinfo` (plus the main thread of its
 * process) is renumbered in each copy and gets its own process-list entry and fd list; process
 * ids inside events (clone results, execve's tid/pid/ptid, kill targets) are renumbered with
 * it. Threads that only appear idle keep one entry, shared by every copy of their source, and
 * the renumbered threads keep pointing at them as parents, so lineage stays whole.
 *
 * Sources after the first have all their ids moved to a band of their own, so that captures
 * from different hosts never collide. The process list is written in the layout sysdig 0.29
 * reads exactly (`legacy`) unless `--layout current` is given.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { EVENT_CODE_COUNT, EVENT_TABLE } from '../decode/event-table.js';
import type { EventRecord, ScapRecord, ThreadRecord } from '../sources/scap/records.js';
import { readScapRecords } from '../sources/scap/scap-reader.js';
import {
  eventInputOf,
  ScapWriter,
  scapHeaderOf,
  type ScapEventInput,
  type ScapFd,
  type ScapHeader,
  type ScapLayout,
  type ScapThread,
} from '../sources/scap/scap-writer.js';

export interface MakeCaptureOptions {
  sources: readonly string[];
  /** Events to write in all. */
  events: number;
  out: string;
  layout?: ScapLayout;
  /** Default: when `out` ends in `.gz`. */
  gzip?: boolean;
}

export interface MakeCaptureSummary {
  events: number;
  copies: number;
  threads: number;
  bytes: number;
}

/** A process id inside an event, and the class that says how each copy renumbers it. */
interface IdField {
  offset: number;
  size: 4 | 8;
  value: number;
  isActive: boolean;
}

/** One source event, with the places each copy rewrites. */
interface EventTemplate {
  input: ScapEventInput;
  view: DataView;
  ts: bigint;
  tid: IdField;
  ids: IdField[];
}

interface SourcePlan {
  header: ScapHeader;
  events: EventTemplate[];
  /** Ids renumbered in each copy. */
  active: Set<number>;
  /** Every id the capture knows (threads, their processes and parents, event threads). */
  known: Set<number>;
  firstTs: bigint;
  lastTs: bigint;
}

const IDLE_EVENTS: ReadonlySet<string> = new Set(['procinfo']);
const LARGEST_SAFE_ID = 2 ** 31 - 1;

/** Sizes of an event's parameters, as its header says or (V1 headers) as they add up. */
function paramLengths(record: EventRecord): number[] {
  const { view, start } = record;
  const code = view.getUint16(start + 20, true);
  const length = view.getUint32(start + 16, true);
  const headerSize = record.hasParamCount ? 26 : 22;
  const sizeOf = (count: number): number[] => {
    const lengths: number[] = [];
    for (let i = 0; i < count; i++) lengths.push(view.getUint16(start + headerSize + 2 * i, true));
    return lengths;
  };
  if (record.hasParamCount) return sizeOf(view.getUint32(start + 22, true));
  // V1 headers: as libscap does, the largest count whose lengths fill the event exactly.
  for (let count = EVENT_TABLE[code]?.params.length ?? 0; count >= 0; count--) {
    if (headerSize + count * 2 > length) continue;
    const lengths = sizeOf(count);
    if (headerSize + count * 2 + lengths.reduce((sum, size) => sum + size, 0) === length) {
      return lengths;
    }
  }
  return [];
}

/** Where the process-id parameters of `record` are, relative to the event's first byte. */
function idParams(record: EventRecord): Array<{ offset: number; size: 4 | 8 }> {
  const code = record.view.getUint16(record.start + 20, true);
  if (code >= EVENT_CODE_COUNT) return [];
  const params = EVENT_TABLE[code].params;
  const lengths = paramLengths(record);
  const places: Array<{ offset: number; size: 4 | 8 }> = [];
  let offset = (record.hasParamCount ? 26 : 22) + lengths.length * 2;
  lengths.forEach((length, i) => {
    const type = params[i]?.type;
    if ((type === 'PID' && length === 8) || (type === 'PID32' && length === 4)) {
      places.push({ offset, size: length });
    }
    offset += length;
  });
  return places;
}

function readId(view: DataView, offset: number, size: 4 | 8): number {
  return size === 8 ? Number(view.getBigInt64(offset, true)) : view.getInt32(offset, true);
}

function eventName(record: EventRecord): string {
  const code = record.view.getUint16(record.start + 20, true);
  return EVENT_TABLE[code]?.name ?? '';
}

/** Threads that act: any event but idle ones, and the main threads of their processes. */
function activeIds(events: EventRecord[], threads: ThreadRecord[]): Set<number> {
  const active = new Set<number>();
  for (const record of events) {
    if (!IDLE_EVENTS.has(eventName(record))) active.add(tidOf(record));
  }
  for (const thread of threads) if (active.has(thread.tid)) active.add(thread.pid);
  return active;
}

function tidOf(record: EventRecord): number {
  return Number(record.view.getBigInt64(record.start + 8, true));
}

async function planSource(path: string): Promise<SourcePlan> {
  const records: ScapRecord[] = [];
  for await (const record of readScapRecords(path)) records.push(record);
  const header = scapHeaderOf(records);
  const threads = records.filter((record): record is ThreadRecord => record.kind === 'thread');
  const events = records.filter((record): record is EventRecord => record.kind === 'event');
  if (events.length === 0) throw new RangeError(`${path} holds no events to repeat`);
  const active = activeIds(events, threads);
  const known = new Set<number>();
  for (const thread of threads)
    for (const id of [thread.tid, thread.pid, thread.ptid]) known.add(id);
  for (const record of events) known.add(tidOf(record));
  known.delete(0);
  const templates = events.map((record) => templateOf(record, active));
  return {
    header,
    events: templates,
    active,
    known,
    firstTs: templates[0].ts,
    lastTs: templates[templates.length - 1].ts,
  };
}

function templateOf(record: EventRecord, active: Set<number>): EventTemplate {
  const input = eventInputOf(record);
  const view = new DataView(input.rawBytes.buffer, input.rawBytes.byteOffset);
  const field = (offset: number, size: 4 | 8): IdField => {
    const value = readId(view, offset, size);
    return { offset, size, value, isActive: active.has(value) };
  };
  const ids = idParams(record).map(({ offset, size }) => field(offset, size));
  return { input, view, ts: view.getBigUint64(0, true), tid: field(8, 8), ids };
}

/** How one copy renumbers ids: acting threads by the copy, the rest by the source's band. */
class IdMap {
  constructor(
    private readonly plan: SourcePlan,
    readonly copyOffset: number,
    readonly sourceOffset: number,
  ) {}

  map(id: number): number {
    if (this.plan.active.has(id)) return id + this.copyOffset;
    return this.plan.known.has(id) ? id + this.sourceOffset : id;
  }

  thread(thread: ScapThread): ScapThread {
    const tid = this.map(thread.tid);
    const pid = this.map(thread.pid ?? thread.tid);
    const mapVirtual = (virtual: number | undefined, real: number, mapped: number) =>
      virtual === real ? mapped : virtual;
    return {
      ...thread,
      tid,
      pid,
      ptid: this.map(thread.ptid ?? 0),
      sid: this.map(thread.sid ?? -1),
      vpgid: this.map(thread.vpgid ?? -1),
      pgid: this.map(thread.pgid ?? -1),
      vtid: mapVirtual(thread.vtid, thread.tid, tid),
      vpid: mapVirtual(thread.vpid, thread.pid ?? thread.tid, pid),
    };
  }

  fd(fd: ScapFd): ScapFd {
    return { ...fd, tid: this.map(fd.tid) };
  }
}

/** Copy order: round the sources; copy `c` of all is round `c / S` of source `c % S`. */
function copyMap(plans: SourcePlan[], copy: number, band: number): IdMap {
  const source = copy % plans.length;
  return new IdMap(plans[source], copy * band, source * band);
}

/** The smallest power of ten above every id of every source. */
function idBand(plans: SourcePlan[]): number {
  let largest = 1;
  for (const plan of plans) for (const id of plan.known) largest = Math.max(largest, id);
  return 10 ** Math.ceil(Math.log10(largest + 1));
}

/** Process and fd lists for `copies` copies: whole lists for round 0, acting threads after. */
function buildHeader(plans: SourcePlan[], copies: number, band: number): ScapHeader {
  const threads: ScapThread[] = [];
  const fds: ScapFd[] = [];
  for (let copy = 0; copy < copies; copy++) {
    const plan = plans[copy % plans.length];
    const ids = copyMap(plans, copy, band);
    const isFirstRound = copy < plans.length;
    const wanted = (tid: number) => isFirstRound || plan.active.has(tid);
    for (const thread of plan.header.threads ?? []) {
      if (wanted(thread.tid)) threads.push(ids.thread(thread));
    }
    for (const fd of plan.header.fds ?? []) if (wanted(fd.tid)) fds.push(ids.fd(fd));
  }
  const first = plans[0].header;
  return {
    machine: first.machine,
    interfaces: first.interfaces,
    users: firstOfEach(
      plans.flatMap((plan) => plan.header.users ?? []),
      (user) => user.uid,
    ),
    groups: firstOfEach(
      plans.flatMap((plan) => plan.header.groups ?? []),
      (group) => group.gid,
    ),
    threads,
    fds,
  };
}

/** The first item of each key, in order: users and groups of the first source win. */
function firstOfEach<T>(items: T[], key: (item: T) => number): T[] {
  const seen = new Map<number, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** Events written per copy until `total`; the number of copies needed. */
function copiesFor(plans: SourcePlan[], total: number): number {
  let copies = 0;
  for (let written = 0; written < total; copies++) {
    written += plans[copies % plans.length].events.length;
  }
  return copies;
}

function writeId(view: DataView, field: IdField, value: number): void {
  if (field.size === 8) view.setBigInt64(field.offset, BigInt(value), true);
  else view.setInt32(field.offset, value, true);
}

/**
 * Writes the capture. Throws `RangeError` when a source has no events or the copies would
 * need process ids past 2^31 - 1.
 */
export async function makeCapture(options: MakeCaptureOptions): Promise<MakeCaptureSummary> {
  const plans: SourcePlan[] = [];
  for (const source of options.sources) plans.push(await planSource(source));
  const band = idBand(plans);
  const copies = copiesFor(plans, options.events);
  if (copies * band + band > LARGEST_SAFE_ID) {
    throw new RangeError(`${copies} copies of ids below ${band} do not fit 32-bit process ids`);
  }
  const header = buildHeader(plans, copies, band);
  const writer = await ScapWriter.create(options.out, header, {
    layout: options.layout ?? 'legacy',
    gzip: options.gzip,
  });
  let written = 0;
  let nextTs = plans[0].firstTs;
  for (let copy = 0; copy < copies && written < options.events; copy++) {
    const plan = plans[copy % plans.length];
    const ids = copyMap(plans, copy, band);
    const shift = nextTs - plan.firstTs;
    for (const event of plan.events) {
      if (written === options.events) break;
      event.view.setBigUint64(0, event.ts + shift, true);
      writeId(event.view, event.tid, ids.map(event.tid.value));
      for (const field of event.ids) writeId(event.view, field, ids.map(field.value));
      if (!writer.writeEvent(event.input)) await writer.drain();
      written++;
    }
    nextTs = plan.lastTs + shift + 1000n;
  }
  const summary = await writer.close();
  return { events: written, copies, threads: header.threads?.length ?? 0, bytes: summary.bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', multiple: true },
      events: { type: 'string' },
      out: { type: 'string' },
      layout: { type: 'string', default: 'legacy' },
    },
  });
  const events = Number(values.events);
  if (!values.from?.length || !values.out || !Number.isSafeInteger(events) || events <= 0) {
    console.error('usage: make-capture --from CAPTURE [--from CAPTURE]... --events N --out FILE');
    process.exitCode = 2;
    return;
  }
  const layout = values.layout === 'current' ? 'current' : 'legacy';
  const summary = await makeCapture({ sources: values.from, events, out: values.out, layout });
  console.log(
    `wrote ${values.out}: ${summary.events} events in ${summary.copies} copies, ` +
      `${summary.threads} threads, ${(summary.bytes / 1e6).toFixed(1)} MB`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
