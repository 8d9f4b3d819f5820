/**
 * Turns the bytes of one libscap event record into a `SyscallEvent`. The same decoder serves
 * `.scap` captures and the live eBPF probe, which writes the same layout: a header (timestamp,
 * thread id, length, type, parameter count), the parameter lengths (16 or 32 bits each), then
 * the parameter values. Parameters are not decoded here; `paramValue` decodes on demand.
 *
 * Old layouts are handled as libscap does: V1 headers (no parameter count) get their count
 * from the event table, and old event versions are converted to today's (see
 * `event-table-convert.ts`). Enter events are kept in the stream by default, which is what
 * sysdig and rules on `evt.dir = >` expect; libs today drops most of them.
 */
import {
  readScapBatches,
  ScapFormatError,
  type EventRecord,
  type ScapInput,
  type ScapRecord,
} from '../sources/scap/index.js';
import type { EventInfo, ParamValue, SyscallEvent } from './event.js';
import { conversionVerdict, EventConverter, type ConvertibleEvent } from './event-table-convert.js';
import { EVENT_CODE_COUNT, EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from './event-table.js';

/** Size of the V2 event header; V1 headers lack the final 32-bit parameter count. */
const EVENT_HEADER_SIZE = 26;
const V1_HEADER_SIZE = 22;

/** Codes whose V1 length libs corrects by 3 bytes (old writers counted them wrongly). */
const NOTIFICATION_CODES: ReadonlySet<number> = new Set([280, 286]);

/** A problem with one event's bytes; the caller adds the block's position. */
class EventFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventFormatError';
  }
}

/**
 * A decoded event that keeps its record's bytes and slices parameters out of them on first
 * use, so that events whose parameters nobody reads cost one object.
 */
export class RecordSyscallEvent implements SyscallEvent {
  // Fields are declared here and all set in the constructor: plain stores in a fixed order
  // are cheaper than class field definitions, once per event.
  declare source: 'syscall';
  declare num: number;
  declare tid: number;
  declare cpu: number;
  declare info: EventInfo;
  /** The 32-bit flags of an event-with-flags block; 0 for other blocks. */
  declare blockFlags: number;
  declare decodedParams?: ParamValue[];
  declare thread?: SyscallEvent['thread'];
  declare fd?: SyscallEvent['fd'];
  declare fdNumber?: number;
  declare fdNameChanged?: boolean;
  /** Number of parameters the record carries (before any conversion). */
  declare readonly paramCount: number;
  declare private params: Uint8Array[] | undefined;
  /** The chunk the record lies in, and a view over it: read in place by `valueOffset`. */
  declare readonly bytes: Uint8Array;
  declare readonly view: DataView;
  /** Offset in `bytes` of the event (its header, which begins with the timestamp). */
  declare private readonly start: number;
  /** `ts` once read or set: most events are judged without anyone asking for their time. */
  declare private tsValue: bigint | undefined;
  /** Offset in `bytes` of the parameter length table. */
  declare private readonly lengthsStart: number;
  declare private readonly lengthSize: number;

  // Positional parameters: this runs once per event, and option objects would be garbage.
  constructor(
    info: EventInfo,
    bytes: Uint8Array,
    view: DataView,
    cpu: number,
    blockFlags: number,
    start: number,
    tid: number,
    lengthsStart: number,
    paramCount: number,
    lengthSize: number,
  ) {
    this.source = 'syscall';
    this.num = 0;
    this.tid = tid;
    this.cpu = cpu;
    this.info = info;
    this.blockFlags = blockFlags;
    this.decodedParams = undefined;
    this.thread = undefined;
    this.fd = undefined;
    this.fdNumber = undefined;
    this.fdNameChanged = undefined;
    this.paramCount = paramCount;
    this.params = undefined;
    this.bytes = bytes;
    this.view = view;
    this.start = start;
    this.tsValue = undefined;
    this.lengthsStart = lengthsStart;
    this.lengthSize = lengthSize;
  }

  /** Nanoseconds since the epoch, read from the header when first asked: most events never are. */
  get ts(): bigint {
    this.tsValue ??= this.view.getBigUint64(this.start, true);
    return this.tsValue;
  }

  set ts(ts: bigint) {
    this.tsValue = ts;
  }

  /** Raw parameter values, one view per parameter the event carries. */
  get rawParams(): readonly Uint8Array[] {
    this.params ??= this.sliceParams();
    return this.params;
  }

  set rawParams(params: readonly Uint8Array[]) {
    this.params = params.slice();
  }

  /**
   * The raw value of parameter `index` alone, without slicing the others: state parsers read
   * one or two parameters of most events. Undefined past the last parameter.
   */
  rawParam(index: number): Uint8Array | undefined {
    if (this.params !== undefined) return this.params[index];
    const valueAt = this.valueOffset(index);
    if (valueAt < 0) return undefined;
    const length = this.paramLength(this.lengthsStart + index * this.lengthSize);
    return this.bytes.subarray(valueAt, valueAt + length);
  }

  /** Whether the parameters are still the record's own, so `valueOffset` can be used. */
  get isInPlace(): boolean {
    return this.params === undefined;
  }

  /**
   * Where the value of parameter `index` starts in `bytes`; -1 past the last parameter. Only
   * meaningful while `isInPlace`: readers of one number use it to skip the view `rawParam` makes.
   */
  valueOffset(index: number): number {
    const { lengthsStart, paramCount, lengthSize } = this;
    if (!(index >= 0 && index < paramCount)) return -1;
    let valueAt = lengthsStart + paramCount * lengthSize;
    for (let i = 0; i < index; i++) valueAt += this.paramLength(lengthsStart + i * lengthSize);
    return valueAt;
  }

  /** Byte length of parameter `index` (0 past the last), without slicing it. */
  rawParamLength(index: number): number {
    if (this.params !== undefined) return this.params[index]?.length ?? 0;
    if (!(index >= 0 && index < this.paramCount)) return 0;
    return this.paramLength(this.lengthsStart + index * this.lengthSize);
  }

  /** `rawParams.length`, without slicing. */
  get rawParamCount(): number {
    return this.params?.length ?? this.paramCount;
  }

  /** Takes `params` as the converted parameters, without the copy the setter makes. @internal */
  adoptParams(params: Uint8Array[]): void {
    this.params = params;
  }

  private paramLength(at: number): number {
    return this.lengthSize === 2 ? this.view.getUint16(at, true) : this.view.getUint32(at, true);
  }

  /** Views of each parameter value; lengths were validated when the event was decoded. */
  private sliceParams(): Uint8Array[] {
    const { bytes, view, lengthsStart, paramCount, lengthSize } = this;
    const params: Uint8Array[] = new Array(paramCount);
    let valueAt = lengthsStart + paramCount * lengthSize;
    for (let i = 0; i < paramCount; i++) {
      const at = lengthsStart + i * lengthSize;
      const length = lengthSize === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
      params[i] = bytes.subarray(valueAt, valueAt + length);
      valueAt += length;
    }
    return params;
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** End of the parameter values, or -1 when the length table does not fit before `end`. */
function paramsEnd(
  view: DataView,
  start: number,
  count: number,
  lengthSize: number,
  end: number,
): number {
  let valueAt = start + count * lengthSize;
  if (valueAt > end) return -1;
  for (let i = 0; i < count; i++) {
    const at = start + i * lengthSize;
    valueAt += lengthSize === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
  }
  return valueAt;
}

/**
 * V1 headers do not say how many parameters follow. As libs does, take the largest count up
 * to the table's whose lengths add up to the event length exactly. One pass over the lengths
 * serves every count: with `count` lengths, the values end at the table's end plus their sum.
 */
function inferParamCount(view: DataView, lengthsStart: number, code: number, end: number): number {
  const maxCount = EVENT_TABLE[code].params.length;
  let found = -1;
  let sum = 0;
  for (let count = 0; count <= maxCount && lengthsStart + count * 2 <= end; count++) {
    if (lengthsStart + count * 2 + sum === end) found = count;
    if (count < maxCount && lengthsStart + count * 2 + 2 <= end) {
      sum += view.getUint16(lengthsStart + count * 2, true);
    }
  }
  if (found >= 0) return found;
  throw new EventFormatError(`cannot infer the parameter count of a V1 event of type ${code}`);
}

/**
 * One event's bytes: `bytes[start, end)` holds the event header and parameters. A reader
 * passes its whole chunk with offsets (and a view over it) so no per-event views are made.
 */
export interface EventBytesSource {
  bytes: Uint8Array;
  /** Where the event starts in `bytes` (default 0) and where its block body ends. */
  start?: number;
  end?: number;
  /** A DataView over exactly `bytes`, if the caller has one to share. */
  view?: DataView;
  cpu: number;
  flags: number;
  /** False for V1 layouts, whose header has no parameter count. */
  hasParamCount: boolean;
}

/** Options of `EventDecoder`. */
export interface EventDecoderOptions {
  /**
   * 'keep' (default): enter events stay in the stream, as sysdig shows them. 'drop': only the
   * events libscap's converter delivers today (most enter events are folded into exits).
   */
  enterEvents?: 'keep' | 'drop';
}

/** Counters a decoder keeps; read them after a run to report what was skipped. */
export interface EventDecoderStats {
  /** Events delivered. */
  events: number;
  /** Events with a type code newer than this table, skipped. */
  unknownTypes: number;
  /** Events the converter drops (unused codes, and enter events in 'drop' mode). */
  dropped: number;
  /** Old layouts no conversion rule covers, delivered unconverted. */
  unconverted: number;
  /** Exit events converted without their enter event (defaults were used instead). */
  missingEnterEvents: number;
}

/**
 * Stateful decoder for one event stream: numbers events, remembers enter events for the
 * converter, and counts what it skipped. Not safe to share between streams.
 */
export class EventDecoder {
  private readonly converter = new EventConverter();
  private readonly keepEnter: boolean;
  private readonly counters = { events: 0, unknownTypes: 0, dropped: 0, unconverted: 0 };

  constructor(options: EventDecoderOptions = {}) {
    this.keepEnter = (options.enterEvents ?? 'keep') === 'keep';
  }

  get stats(): EventDecoderStats {
    return { ...this.counters, missingEnterEvents: this.converter.missingEnterEvents };
  }

  /**
   * Decode one record. Returns `undefined` for events that are skipped (unknown type, or
   * dropped by the converter). Throws `EventFormatError` for bytes that are not a valid event.
   */
  decode(record: EventBytesSource): SyscallEvent | undefined {
    const { bytes, cpu, flags, hasParamCount } = record;
    const view = record.view ?? viewOf(bytes);
    return this.decodeAt(bytes, view, record.start ?? 0, record.end ?? bytes.length, cpu, flags,
      hasParamCount); // prettier-ignore
  }

  /**
   * `decode` with the record's fields as arguments, for readers that walk a chunk in place:
   * the event is `bytes[start, end)`, `view` covers exactly `bytes`.
   */
  decodeAt(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    end: number,
    cpu: number,
    flags: number,
    hasParamCount: boolean,
  ): SyscallEvent | undefined {
    const headerSize = hasParamCount ? EVENT_HEADER_SIZE : V1_HEADER_SIZE;
    if (end - start < headerSize) {
      throw new EventFormatError(`event shorter than its header (${end - start} bytes)`);
    }
    const code = view.getUint16(start + 20, true);
    if (code >= EVENT_CODE_COUNT) {
      this.counters.unknownTypes++;
      return undefined;
    }
    const lengthSize = (EVENT_FLAGS[code] & EVENT_FLAG_BITS.LARGE_PAYLOAD) !== 0 ? 4 : 2;
    const paramCount = hasParamCount
      ? checkV2(view, start, end, lengthSize)
      : checkV1(view, start, end, code);
    const tid = view.getInt32(start + 12, true) * 0x1_0000_0000 + view.getUint32(start + 8, true);
    const event = new RecordSyscallEvent(EVENT_TABLE[code], bytes, view, cpu, flags, start, tid,
      start + headerSize, paramCount, lengthSize); // prettier-ignore
    return this.convert(event);
  }

  private convert(event: RecordSyscallEvent): SyscallEvent | undefined {
    if (conversionVerdict(event.info.code, event.paramCount) === 'pass') {
      event.num = ++this.counters.events;
      return event;
    }
    const convertible = new ConvertibleRecord(event);
    const outcome = this.converter.convert(event.tid, convertible);
    const isEnter = event.info.direction === 'enter';
    if (outcome === 'drop' && !(isEnter && this.keepEnter)) {
      this.counters.dropped++;
      return undefined;
    }
    if (outcome === 'failed') this.counters.unconverted++;
    // Enter events are delivered as written: sysdig shows them so, and their exits carry
    // today's layout with everything the converter took from them.
    if (outcome === 'converted' && !(isEnter && this.keepEnter)) {
      event.info = EVENT_TABLE[convertible.code];
      event.adoptParams(convertible.params);
    }
    event.num = ++this.counters.events;
    return event;
  }
}

/**
 * The converter's view of a decoded event. Most conversions only store an enter event, so its
 * parameters are sliced only when a conversion reads them.
 */
class ConvertibleRecord implements ConvertibleEvent {
  code: number;
  private sliced: Uint8Array[] | undefined;

  constructor(private readonly event: RecordSyscallEvent) {
    this.code = event.info.code;
  }

  get paramCount(): number {
    return this.sliced?.length ?? this.event.paramCount;
  }

  get params(): Uint8Array[] {
    // The converter never mutates the arrays it is given, so no copy is needed.
    this.sliced ??= this.event.rawParams as Uint8Array[];
    return this.sliced;
  }

  set params(params: Uint8Array[]) {
    this.sliced = params;
  }
}

/** Validate a V2 header against the block; returns the parameter count. */
function checkV2(view: DataView, start: number, end: number, lengthSize: number): number {
  const length = view.getUint32(start + 16, true);
  const paramCount = view.getUint32(start + 22, true);
  if (length < EVENT_HEADER_SIZE) {
    throw new EventFormatError(`event length ${length} is shorter than its header`);
  }
  if (length > end - start) {
    throw new EventFormatError(
      `event length ${length} exceeds the ${end - start} bytes of its block`,
    );
  }
  if (paramCount > (length - EVENT_HEADER_SIZE) / lengthSize) {
    throw new EventFormatError(`${paramCount} parameters do not fit in event length ${length}`);
  }
  const valuesEnd = paramsEnd(
    view,
    start + EVENT_HEADER_SIZE,
    paramCount,
    lengthSize,
    start + length,
  );
  if (valuesEnd < 0 || valuesEnd > start + length) {
    throw new EventFormatError(`parameters exceed event length ${length}`);
  }
  return paramCount;
}

/** Validate a V1 header and infer its parameter count. */
function checkV1(view: DataView, start: number, end: number, code: number): number {
  let length = view.getUint32(start + 16, true);
  if (NOTIFICATION_CODES.has(code)) length -= 3;
  if (length < V1_HEADER_SIZE) {
    throw new EventFormatError(`event length ${length} is shorter than its header`);
  }
  if (length > end - start) {
    throw new EventFormatError(
      `event length ${length} exceeds the ${end - start} bytes of its block`,
    );
  }
  return inferParamCount(view, start + V1_HEADER_SIZE, code, start + length);
}

/** What a capture stream carries: decoded events, and the other records as read. */
export type CaptureItem = SyscallEvent | Exclude<ScapRecord, EventRecord>;

/**
 * A capture's records with its events decoded, in batches (one per chunk read). A bad event
 * ends the stream with a `ScapFormatError` at its block, after the items before it.
 */
export async function* readCaptureBatches(
  input: ScapInput,
  decoder: EventDecoder = new EventDecoder(),
): AsyncGenerator<CaptureItem[]> {
  for await (const records of readScapBatches(input)) {
    const items: CaptureItem[] = [];
    for (const record of records) {
      if (record.kind !== 'event') {
        items.push(record);
        continue;
      }
      let event: SyscallEvent | undefined;
      try {
        event = decoder.decode(record);
      } catch (error) {
        if (items.length > 0) yield items;
        const message = `invalid event: ${(error as Error).message}`;
        throw new ScapFormatError(message, record.offset, record.blockType, { cause: error });
      }
      if (event !== undefined) items.push(event);
    }
    if (items.length > 0) yield items;
  }
}
