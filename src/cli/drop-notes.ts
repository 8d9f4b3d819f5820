/**
 * Drop notes: what a recording keeps of the events the live capture lost. Whenever the probe's
 * counters show new drops, the recording gets one libscap `asyncevent` (no plugin, name
 * `harrier_drops`, data the JSON of the counters before and after), in stream order with the
 * events. A replay reads it back into the same drop monitor, so it raises the drop alerts the
 * live run raised and its summary says the capture has gaps. libsinsp reads an async event of
 * plugin id 0 as a syscall-source event of type `asyncevent`, which no Falco rule file matches.
 */
import type { SyscallEvent } from '../decode/event.js';
import { metaEventBytes } from '../sources/scap/meta-event.js';
import { STATS_COUNTER_NAMES, type ProbeCounters } from '../sources/ebpf/frame-reader.js';

/** libscap's PPME_ASYNCEVENT_E. */
const ASYNC_EVENT_CODE = 402;
const DROP_NOTE_NAME = 'harrier_drops';
/** The name parameter: a CHARBUF keeps its NUL. */
const NOTE_NAME_BYTES = new TextEncoder().encode(`${DROP_NOTE_NAME}\0`);

/** New drops seen at one STATS frame of the live probe. */
export interface DropNote {
  /** When the loader read the counters, ns since the epoch. */
  ts: bigint;
  /** Counters of the STATS frame before (none at the first frame). */
  previous: ProbeCounters | undefined;
  counters: ProbeCounters;
  /** Events Harrier could not use so far (undecodable, unknown type). */
  userspace: number;
}

/** The raw V2 event of `note`, as the capture writer takes it. */
export function dropNoteEvent(note: DropNote): Uint8Array {
  const data = JSON.stringify({
    previous: note.previous ?? null,
    counters: note.counters,
    userspace: note.userspace,
  });
  return asyncEvent(note.ts, NOTE_NAME_BYTES, new TextEncoder().encode(data));
}

/** An async event of no plugin (plugin id 0) named `name`, carrying `data`. */
export function asyncEvent(ts: bigint, name: Uint8Array, data: Uint8Array): Uint8Array {
  return metaEventBytes(ASYNC_EVENT_CODE, ts, [new Uint8Array(4), name, data]);
}

/**
 * The note `event` carries; undefined for any other event. A `harrier_drops` event whose data
 * does not hold the counters is a `DropNoteError`.
 */
export function readDropNote(event: SyscallEvent): DropNote | undefined {
  if (event.info.code !== ASYNC_EVENT_CODE) return undefined;
  const [, name, data] = event.rawParams;
  if (name === undefined || !isNoteName(name)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch (error) {
    throw new DropNoteError(`not JSON: ${(error as Error).message}`);
  }
  const record = parsed as Record<string, unknown> | null;
  const userspace = record?.userspace;
  if (typeof userspace !== 'number') throw new DropNoteError('expected a number at "userspace"');
  return {
    ts: event.ts,
    previous: record!.previous === null ? undefined : countersAt(record!.previous, 'previous'),
    counters: countersAt(record!.counters, 'counters'),
    userspace,
  };
}

/** A `harrier_drops` event that Harrier did not write (or that was damaged). */
export class DropNoteError extends Error {
  constructor(what: string) {
    super(`${DROP_NOTE_NAME} event: ${what}`);
    this.name = 'DropNoteError';
  }
}

function isNoteName(bytes: Uint8Array): boolean {
  return (
    bytes.length === NOTE_NAME_BYTES.length &&
    bytes.every((byte, index) => byte === NOTE_NAME_BYTES[index])
  );
}

function countersAt(value: unknown, key: string): ProbeCounters {
  if (typeof value !== 'object' || value === null)
    throw new DropNoteError(`expected an object at "${key}"`);
  const counters = {} as ProbeCounters;
  for (const name of STATS_COUNTER_NAMES) {
    const count = (value as Record<string, unknown>)[name];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
      throw new DropNoteError(`expected a count at "${key}.${name}"`);
    counters[name] = count;
  }
  return counters;
}
