/**
 * Syscall events with state applied: the reader's records go through the event decoder and
 * the state engine, so that every event reaches the rules with its thread and fd attached,
 * after the state updates libsinsp makes before its filters run.
 *
 * Events are decoded and applied one at a time, as they are asked for: a capture chunk holds
 * tens of thousands of events, and decoding a whole chunk ahead would keep them all alive
 * long enough for the garbage collector to copy them.
 *
 * @example
 * for await (const event of syscallEvents('capture.scap')) {
 *   console.log(event.num, event.thread?.comm, event.fd?.name);
 * }
 */
import {
  ScapFormatError,
  type ScapInput,
  type ScapRecord,
  type UnknownBlockRecord,
} from '../sources/scap/index.js';
import { ScapBlockReader } from '../sources/scap/scap-reader.js';
import type { SyscallEvent } from './event.js';
import { EventDecoder, type CaptureItem } from './event-decoder.js';
import { EVENT_CODE_COUNT } from './event-table.js';
import { StateEngine, type StateRecord } from './state/engine.js';

/** An event whose type code is past Harrier's event table (a newer libs wrote it). */
export interface UnknownEventRecord {
  /** Byte offset of its block in the (uncompressed) capture stream. */
  offset: number;
  eventType: number;
}

/** Where events come from: a capture (path or bytes) or decoded items (the live probe). */
export type SyscallSource = ScapInput | AsyncIterable<CaptureItem[]>;

export interface SyscallEventOptions {
  /** The engine to feed; pass one to read its tables and counters afterwards. */
  engine?: StateEngine;
  decoder?: EventDecoder;
  /**
   * Called for each block of a type the reader does not know among the capture's metadata,
   * which is skipped, as libscap skips it: what it held (a process list...) is missing.
   */
  onSkippedBlock?: (block: UnknownBlockRecord) => void;
  /**
   * Called for each event of a type code past Harrier's event table, which is skipped as
   * libscap skips it: it gets no number, so later events are numbered as Falco numbers them.
   */
  onUnknownEvent?: (event: UnknownEventRecord) => void;
}

function isItemStream(source: SyscallSource): source is AsyncIterable<CaptureItem[]> {
  return typeof source === 'object' && source !== null && 'kind' in source === false &&
    (source as { itemStream?: boolean }).itemStream === true;
} // prettier-ignore

/**
 * Marks an async iterable of decoded item batches (as the live probe produces) so that
 * `syscallEvents` reads it as items rather than as capture bytes.
 */
export function itemStream(items: AsyncIterable<CaptureItem[]>): AsyncIterable<CaptureItem[]> {
  return Object.assign(items, { itemStream: true });
}

/** A source of events with state applied, read synchronously between awaited refills. */
interface EventFeed {
  /** The next event, applied to the state; undefined when the input read so far is used up. */
  next(): SyscallEvent | undefined;
  /** Reads more input; false at its end. */
  fill(): Promise<boolean>;
  /** Releases the input (closes the file). */
  close(): Promise<void>;
}

/** Events of a capture: each block is scanned, decoded and applied only when asked for. */
class CaptureFeed implements EventFeed {
  private readonly reader: ScapBlockReader;
  private readonly records: ScapRecord[] = [];

  constructor(
    input: ScapInput,
    private readonly decoder: EventDecoder,
    private readonly engine: StateEngine,
    private readonly onSkippedBlock?: (block: UnknownBlockRecord) => void,
    private readonly onUnknownEvent?: (event: UnknownEventRecord) => void,
  ) {
    this.reader = new ScapBlockReader(input);
  }

  next(): SyscallEvent | undefined {
    for (;;) {
      if (!this.nextBlock()) return undefined;
      const layout = this.reader.eventLayout;
      if (layout === undefined) {
        this.applyMetadata();
        continue;
      }
      const event = this.decode(layout.hasParamCount);
      if (event === undefined) continue;
      this.engine.processEvent(event);
      return event;
    }
  }

  private nextBlock(): boolean {
    try {
      return this.reader.next();
    } catch (error) {
      throw this.reader.formatError(error);
    }
  }

  private decode(hasParamCount: boolean): SyscallEvent | undefined {
    const { bytes, view, eventStart, eventEnd, cpu, flags } = this.reader;
    try {
      const event = this.decoder.decodeAt(bytes, view, eventStart, eventEnd, cpu, flags,
        hasParamCount); // prettier-ignore
      if (event === undefined && this.onUnknownEvent !== undefined) this.reportIfUnknown();
      return event;
    } catch (error) {
      const { blockOffset, blockType } = this.reader;
      const message = `invalid event: ${(error as Error).message}`;
      const failure = new ScapFormatError(message, blockOffset, blockType, { cause: error });
      throw this.reader.formatError(failure);
    }
  }

  /** Tells `onUnknownEvent` when the event just skipped was skipped for its type. */
  private reportIfUnknown(): void {
    // The type code follows the timestamp, thread id and length in every header layout.
    const eventType = this.reader.view.getUint16(this.reader.eventStart + 20, true);
    if (eventType < EVENT_CODE_COUNT) return;
    this.onUnknownEvent?.({ offset: this.reader.blockOffset, eventType });
  }

  private applyMetadata(): void {
    const records = this.records;
    records.length = 0;
    try {
      this.reader.readRecords(records);
    } catch (error) {
      throw this.reader.formatError(error);
    }
    for (const record of records) {
      if (record.kind === 'unknown-block') this.onSkippedBlock?.(record);
      else this.engine.applyRecord(record as StateRecord);
    }
    records.length = 0;
  }

  fill(): Promise<boolean> {
    return this.reader.fill();
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

/** Events of decoded item batches (the live probe's), applied one at a time. */
class ItemFeed implements EventFeed {
  private readonly batches: AsyncIterator<CaptureItem[]>;
  private items: CaptureItem[] = [];
  private index = 0;

  constructor(
    source: AsyncIterable<CaptureItem[]>,
    private readonly engine: StateEngine,
  ) {
    this.batches = source[Symbol.asyncIterator]();
  }

  next(): SyscallEvent | undefined {
    while (this.index < this.items.length) {
      const item = this.items[this.index++];
      if ('kind' in item) {
        this.engine.applyRecord(item);
        continue;
      }
      this.engine.processEvent(item);
      return item;
    }
    return undefined;
  }

  async fill(): Promise<boolean> {
    const result = await this.batches.next();
    if (result.done === true) return false;
    this.items = result.value;
    this.index = 0;
    return true;
  }

  async close(): Promise<void> {
    await this.batches.return?.();
  }
}

function feedOf(source: SyscallSource, options: SyscallEventOptions): EventFeed {
  const engine = options.engine ?? new StateEngine();
  if (isItemStream(source)) return new ItemFeed(source, engine);
  const decoder = options.decoder ?? new EventDecoder();
  return new CaptureFeed(source as ScapInput, decoder, engine, options.onSkippedBlock,
    options.onUnknownEvent); // prettier-ignore
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** The events `feed` has without reading more input. */
function eventsUntilRefill(feed: EventFeed): Iterator<SyscallEvent> {
  return {
    next: () => {
      const event = feed.next();
      return event === undefined ? DONE : { value: event, done: false };
    },
  };
}

/**
 * The events of a feed as an async iterator that awaits only to read more input: an async
 * generator would cost a promise and a suspension per event, here most of the time.
 */
class SyscallEventIterator implements AsyncIterableIterator<SyscallEvent> {
  private finished = false;

  constructor(private readonly feed: EventFeed) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SyscallEvent>> {
    if (this.finished) return Promise.resolve(DONE);
    let event: SyscallEvent | undefined;
    try {
      event = this.feed.next();
    } catch (error) {
      return this.fail(error);
    }
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    return this.refill();
  }

  private async refill(): Promise<IteratorResult<SyscallEvent>> {
    try {
      while (await this.feed.fill()) {
        const event = this.feed.next();
        if (event !== undefined) return { value: event, done: false };
      }
    } catch (error) {
      return this.fail(error);
    }
    return this.return();
  }

  private async fail(error: unknown): Promise<never> {
    await this.return();
    throw error;
  }

  async return(): Promise<IteratorResult<SyscallEvent>> {
    if (!this.finished) {
      this.finished = true;
      await this.feed.close();
    }
    return DONE;
  }
}

/**
 * Each syscall event of `source`, in order, with state applied. An event's thread and fd are
 * current until the next event is requested; read what you need before continuing. Throws the
 * reader's `ScapFormatError` for a corrupt capture, after yielding every event before it.
 * Breaking out of the loop closes the capture.
 */
export function syscallEvents(
  source: SyscallSource,
  options: SyscallEventOptions = {},
): AsyncIterableIterator<SyscallEvent> {
  return new SyscallEventIterator(feedOf(source, options));
}

/**
 * The events of `source` as batches, one per chunk of input: the fastest way to read events.
 * A batch decodes and applies its events one at a time, as they are iterated, so the state
 * contract is `syscallEvents`'s, as are errors. Events left unread in a batch when the next
 * one is asked for are applied to the state and skipped.
 *
 * @example
 * for await (const batch of syscallEventBatches('capture.scap')) {
 *   for (const event of batch) ruleSet.match('syscall', eventTypeName(event), event);
 * }
 */
export async function* syscallEventBatches(
  source: SyscallSource,
  options: SyscallEventOptions = {},
): AsyncGenerator<Iterable<SyscallEvent>> {
  const feed = feedOf(source, options);
  const batch: Iterable<SyscallEvent> = { [Symbol.iterator]: () => eventsUntilRefill(feed) };
  try {
    while (await feed.fill()) {
      yield batch;
      while (feed.next() !== undefined);
    }
  } finally {
    await feed.close();
  }
}
