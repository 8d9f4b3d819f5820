/**
 * Brings events written by older drivers to today's layouts, following libscap's savefile
 * converter: an exit event with fewer parameters than the table gains the missing ones (taken
 * from the thread's enter event, or empty, or a default), and retired event codes become their
 * successors. The rules per (code, parameter count) are in `event-table-conversions.ts`.
 *
 * Works on parameter arrays, not on bytes: a converted event shares its parameter bytes with
 * the events it came from.
 */
import type { ParamType } from './event.js';
import { CONVERSION_ROWS } from './event-table-conversions.js';
import { EVENT_CODE_COUNT, EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from './event-table.js';
import { FIXED_PARAM_SIZE } from './params.js';

/** One conversion instruction: where a parameter of the new layout comes from. */
type ConversionInstruction =
  | readonly ['old' | 'enter', number, boolean?]
  | readonly ['empty' | 'default' | 'callback', number, boolean?];

/** [code, parameter count as read, action, new code, instructions]. @internal */
export type ConversionRow = readonly [
  number,
  number,
  'pass' | 'store' | 'storeAndPass' | 'addParams' | 'changeType',
  number,
  readonly ConversionInstruction[],
];

/** What happened to an event handed to the converter. */
export type ConversionOutcome = 'pass' | 'drop' | 'converted' | 'failed';

/**
 * An event's code and parameters, as the converter reads and rewrites them. The converter
 * keeps an enter event it stores until the thread's exit takes parameters from it: do not
 * change it after the call.
 */
export interface ConvertibleEvent {
  code: number;
  params: Uint8Array[];
  /** The number of parameters, when it can be known without reading `params`. */
  readonly paramCount?: number;
}

const EMPTY = new Uint8Array(0);

/** Upper bound on chained conversions; libs' longest chain is far shorter. */
const MAX_CONVERSIONS = 16;

/** Enter events kept per thread for the exit that follows; past this, the oldest goes. */
const MAX_STORED_ENTER_EVENTS = 65536;

/** The default value libs pushes for a type: zeros of its fixed size, all ones for ids. */
function defaultValue(type: ParamType): Uint8Array {
  const size = FIXED_PARAM_SIZE[type] ?? 0;
  return new Uint8Array(size).fill(type === 'UID' || type === 'GID' ? 0xff : 0);
}

/** One instruction with what its target parameter's type implies, worked out at load. */
interface ConversionStep {
  source: ConversionInstruction[0];
  index: number;
  fallbackToEmpty: boolean;
  /** The target type's fixed size, which copied values are cut to (libs caps them); -1: none. */
  fixedSize: number;
  /** Shared by every event converted with this step: parameter bytes are read-only. */
  defaultValue: Uint8Array;
}

/** A row with its steps: the types of the new layout are known from the row alone. */
interface ConversionPlan {
  row: ConversionRow;
  targetCode: number;
  /** How many of the old parameters stay in front of the added ones. */
  kept: number;
  steps: ConversionStep[];
}

function planOf(row: ConversionRow): ConversionPlan {
  const [code, count, action, newCode, instructions] = row;
  const targetCode = action === 'changeType' ? newCode : code;
  const targetParams = EVENT_TABLE[targetCode].params;
  const kept = action === 'changeType' ? 0 : count;
  const steps = instructions.map(([source, index, fallbackToEmpty], i): ConversionStep => {
    const type = targetParams[kept + i]?.type ?? 'BYTEBUF';
    const fixedSize = FIXED_PARAM_SIZE[type] ?? -1;
    return { source, index, fallbackToEmpty: fallbackToEmpty === true, fixedSize,
      defaultValue: defaultValue(type) }; // prettier-ignore
  });
  return { row, targetCode, kept, steps };
}

/** Plans by event code, then by the parameter count as read. */
const PLANS: Array<Array<ConversionPlan | undefined> | undefined> = [];
for (const row of CONVERSION_ROWS) (PLANS[row[0]] ??= [])[row[1]] = planOf(row);

/** Cut a copied value to `size` bytes (none when -1), as libs caps parameter lengths. */
function capLength(size: number, value: Uint8Array): Uint8Array {
  return size >= 0 && value.length > size ? value.subarray(0, size) : value;
}

/** The container-event callback: the four old parameters as the JSON of the new event. */
function containerJson(params: Uint8Array[]): Uint8Array {
  const text = (bytes: Uint8Array | undefined): string => {
    if (bytes === undefined) return '';
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
  };
  const typeBytes = params[1] ?? EMPTY;
  const type =
    typeBytes.length >= 4
      ? new DataView(typeBytes.buffer, typeBytes.byteOffset).getUint32(0, true)
      : 0;
  const json = `{"id":"${text(params[0])}","type":${type},"name":"${text(params[2])}","image":"${text(params[3])}"}`;
  return new TextEncoder().encode(json + '\0');
}

type Verdict = 'pass' | 'drop' | 'continue' | 'error';

/** libs' eligibility rules: whether an event passes, is dropped, or needs a conversion. */
export function conversionVerdict(code: number, paramCount: number): Verdict {
  if (code >= EVENT_CODE_COUNT) return 'error';
  const flags = EVENT_FLAGS[code];
  const isEnter = code % 2 === 0;
  if ((flags & EVENT_FLAG_BITS.UNUSED) !== 0) return 'drop';
  if ((flags & EVENT_FLAG_BITS.CONVERTER_MANAGED) === 0) {
    if ((flags & EVENT_FLAG_BITS.OLD_VERSION) === 0) return 'pass';
    return isEnter ? 'drop' : 'error';
  }
  if (isEnter) return 'continue';
  const expected = EVENT_TABLE[code].params.length;
  if (paramCount > expected) return 'error';
  const isOld = (flags & EVENT_FLAG_BITS.OLD_VERSION) !== 0;
  return isOld || paramCount !== expected ? 'continue' : 'pass';
}

/** A thread's slot for its stored enter event; linked in the order of storing while filled. */
interface StoredEnter {
  tid: number;
  /** Undefined once the exit took it: the slot stays for the thread's next enter event. */
  event: ConvertibleEvent | undefined;
  older: StoredEnter | undefined;
  newer: StoredEnter | undefined;
}

/**
 * The last enter event of each thread, bounded: when full, the thread that stored least
 * recently loses its entry. Slots stay in the map when emptied and are swept in bulk: V8's
 * maps slow down badly when one key is deleted and re-inserted for every event, as a thread's
 * enter and exit would do.
 */
class EnterEventStore {
  private readonly byTid = new Map<number, StoredEnter>();
  private filled = 0;
  private oldest: StoredEnter | undefined;
  private newest: StoredEnter | undefined;

  get(tid: number): ConvertibleEvent | undefined {
    return this.byTid.get(tid)?.event;
  }

  set(tid: number, event: ConvertibleEvent): void {
    let entry = this.byTid.get(tid);
    if (entry?.event !== undefined) {
      this.unlink(entry);
    } else {
      if (this.filled >= MAX_STORED_ENTER_EVENTS && this.oldest !== undefined) {
        this.delete(this.oldest.tid);
      }
      if (entry === undefined) {
        if (this.byTid.size >= 2 * MAX_STORED_ENTER_EVENTS) this.sweep();
        entry = { tid, event: undefined, older: undefined, newer: undefined };
        this.byTid.set(tid, entry);
      }
      this.filled++;
    }
    entry.event = event;
    entry.older = this.newest;
    if (this.newest !== undefined) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  delete(tid: number): void {
    const entry = this.byTid.get(tid);
    if (entry?.event === undefined) return;
    this.unlink(entry);
    entry.event = undefined;
    this.filled--;
  }

  /** Drops empty slots; at most one sweep per `MAX_STORED_ENTER_EVENTS` new threads. */
  private sweep(): void {
    for (const [tid, entry] of this.byTid) if (entry.event === undefined) this.byTid.delete(tid);
  }

  private unlink(entry: StoredEnter): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}

/**
 * The converter's per-capture memory: the last enter event of each thread, kept until the
 * matching exit event takes parameters from it. One per event stream.
 */
export class EventConverter {
  private readonly storedEnter = new EnterEventStore();

  /** Events whose enter event was missing or of another syscall, so fallbacks were used. */
  missingEnterEvents = 0;

  /**
   * Convert `event` in place for thread `tid`. 'pass': usable as is; 'converted': `event`
   * now holds the new code and parameters; 'drop': libs would not deliver it (enter events
   * it keeps for later); 'failed': no rule covers this layout (the event is left unchanged).
   */
  convert(tid: number, event: ConvertibleEvent): ConversionOutcome {
    let changed = false;
    for (let round = 0; round < MAX_CONVERSIONS; round++) {
      const count = event.paramCount ?? event.params.length;
      const verdict = conversionVerdict(event.code, count);
      if (verdict === 'pass') return changed ? 'converted' : 'pass';
      if (verdict === 'drop') return 'drop';
      if (verdict === 'error') return 'failed';
      const plan = PLANS[event.code]?.[count];
      if (plan === undefined) return 'failed';
      const action = plan.row[2];
      if (action === 'store' || action === 'storeAndPass') this.storedEnter.set(tid, event);
      if (action === 'store') return 'drop';
      if (action === 'storeAndPass' || action === 'pass') return changed ? 'converted' : 'pass';
      this.apply(tid, event, plan);
      changed = true;
    }
    return 'failed';
  }

  /** Run one row's instructions on `event`. */
  private apply(tid: number, event: ConvertibleEvent, plan: ConversionPlan): void {
    const { row, kept, steps } = plan;
    const old = event.params;
    const params: Uint8Array[] = new Array(kept + steps.length);
    for (let i = 0; i < kept; i++) params[i] = old[i];
    const enter = this.storedEnter.get(tid);
    // libs only uses an enter event of the same syscall: the code just below the exit's.
    const matchingEnter = enter !== undefined && enter.code === row[0] - 1 ? enter : undefined;
    let usedEnter = false;
    let next = kept;
    for (const step of steps) {
      const { source, index } = step;
      let value: Uint8Array | undefined;
      if (source === 'old') value = old[index];
      else if (source === 'enter') value = matchingEnter?.params[index];
      else if (source === 'callback') value = containerJson(old);
      else if (source === 'empty') value = EMPTY;
      if (source === 'enter' && value !== undefined) usedEnter = true;
      if (source === 'enter' && value === undefined) this.missingEnterEvents++;
      if (value === undefined) value = step.fallbackToEmpty ? EMPTY : step.defaultValue;
      const isCopied = source === 'old' || source === 'enter';
      params[next++] = isCopied ? capLength(step.fixedSize, value) : value;
    }
    if (usedEnter) this.storedEnter.delete(tid);
    event.code = plan.targetCode;
    event.params = params;
  }
}
