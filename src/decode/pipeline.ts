/**
 * Syscall events with state applied: the reader's records go through the event decoder and
 * the state engine, so that every event reaches the rules with its thread and fd attached,
 * after the state updates libsinsp makes before its filters run.
 *
 * @example
 * for await (const event of syscallEvents('capture.scap')) {
 *   console.log(event.num, event.thread?.comm, event.fd?.name);
 * }
 */
import type { ScapInput } from '../sources/scap/index.js';
import type { SyscallEvent } from './event.js';
import { EventDecoder, readCaptureBatches, type CaptureItem } from './event-decoder.js';
import { StateEngine } from './state/engine.js';

/** Where events come from: a capture (path or bytes) or decoded items (the live probe). */
export type SyscallSource = ScapInput | AsyncIterable<CaptureItem[]>;

export interface SyscallEventOptions {
  /** The engine to feed; pass one to read its tables and counters afterwards. */
  engine?: StateEngine;
  decoder?: EventDecoder;
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

/**
 * Each syscall event of `source`, in order, with state applied. An event's thread and fd are
 * current until the next event is requested; read what you need before continuing. Throws the
 * reader's `ScapFormatError` for a corrupt capture, after yielding every event before it.
 */
export async function* syscallEvents(
  source: SyscallSource,
  options: SyscallEventOptions = {},
): AsyncGenerator<SyscallEvent> {
  const engine = options.engine ?? new StateEngine();
  const batches = isItemStream(source)
    ? source
    : readCaptureBatches(source as ScapInput, options.decoder ?? new EventDecoder());
  for await (const items of batches) {
    for (const item of items) {
      if ('kind' in item) {
        engine.applyRecord(item);
        continue;
      }
      engine.processEvent(item);
      yield item;
    }
  }
}
