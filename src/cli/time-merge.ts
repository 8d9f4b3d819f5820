/**
 * The time merge of `harrier replay`: time-ordered sources (audit and CloudTrail events held
 * in memory, capture events read a chunk at a time) become one time-ordered stream.
 *
 * The merge hands out runs: synchronous stretches of the merged stream that last until a
 * source has used up the batch it holds and must await its next one. Awaiting once per event
 * cost a promise and a turn of the microtask queue each, more than a syscall event costs to
 * judge. Items are still taken one at a time: a source is advanced only when the item it gave
 * before has been handled, so a capture's state stays that of the event being judged.
 */

/** A time-ordered source: items at hand, or batches of items that arrive in time. */
export type TimedSource<T> = Iterable<T> | AsyncIterable<Iterable<T>>;

/** One source's place in the merge: its head item and the rest of the batch it holds. */
class SourceCursor<T> {
  head: T | undefined = undefined;
  finished = false;
  private items: Iterator<T> | undefined;
  private readonly batches: AsyncIterator<Iterable<T>>;

  constructor(source: TimedSource<T>) {
    this.batches =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : oneBatch(source);
  }

  /** Moves to the next item of the batch held; false when that batch is used up. */
  step(): boolean {
    const result = this.items?.next();
    if (result === undefined || result.done === true) {
      this.items = undefined;
      this.head = undefined;
      return false;
    }
    this.head = result.value;
    return true;
  }

  /** Awaits batches until one has an item, or the source ends. */
  async refill(): Promise<void> {
    while (!this.step()) {
      const batch = await this.batches.next();
      if (batch.done === true) {
        this.finished = true;
        return;
      }
      this.items = batch.value[Symbol.iterator]();
    }
  }
}

function oneBatch<T>(items: Iterable<T>): AsyncIterator<Iterable<T>> {
  let given = false;
  return {
    next: () => {
      const result: IteratorResult<Iterable<T>> = given
        ? { value: undefined, done: true }
        : { value: items, done: false };
      given = true;
      return Promise.resolve(result);
    },
  };
}

/**
 * Merges time-ordered sources into one time-ordered stream, given as runs to iterate in turn;
 * on equal times the earlier source in `sources` goes first. Each source's first item is read
 * before the first run, as the merge compares them.
 *
 * @example
 * for await (const run of mergeByTime([auditEvents, captureBatches]))
 *   for (const item of run) handle(item);
 */
export async function* mergeByTime<T extends { ts: bigint }>(
  sources: readonly TimedSource<T>[],
): AsyncGenerator<Iterable<T>> {
  const cursors = sources.map((source) => new SourceCursor(source));
  await Promise.all(cursors.map((cursor) => cursor.refill()));
  const merge = { cursors, waiting: undefined as SourceCursor<T> | undefined };
  for (;;) {
    if (merge.waiting !== undefined) await merge.waiting.refill();
    merge.waiting = undefined;
    if (earliest(cursors) === undefined) return;
    yield run(merge);
  }
}

/**
 * Merged items until the source of the last one handed out needs its next batch (left in
 * `waiting`). That source is advanced only when the next item is asked for.
 */
function* run<T extends { ts: bigint }>(merge: {
  cursors: SourceCursor<T>[];
  waiting: SourceCursor<T> | undefined;
}): Generator<T> {
  for (;;) {
    const best = earliest(merge.cursors);
    if (best === undefined) return;
    yield best.head as T;
    if (!best.step()) {
      merge.waiting = best;
      return;
    }
  }
}

/** The cursor whose head comes first; the earlier cursor on equal times. */
function earliest<T extends { ts: bigint }>(
  cursors: SourceCursor<T>[],
): SourceCursor<T> | undefined {
  let best: SourceCursor<T> | undefined;
  for (let i = 0; i < cursors.length; i++) {
    const head = cursors[i].head;
    if (head === undefined) continue;
    if (best === undefined || head.ts < (best.head as T).ts) best = cursors[i];
  }
  return best;
}
