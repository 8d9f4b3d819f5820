import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeByTime, type TimedSource } from './time-merge.js';

interface Item {
  ts: bigint;
  name: string;
}

const item = (ts: number, name: string): Item => ({ ts: BigInt(ts), name });

async function mergedNames(sources: TimedSource<Item>[]): Promise<string[]> {
  const names: string[] = [];
  for await (const run of mergeByTime(sources)) for (const merged of run) names.push(merged.name);
  return names;
}

test('mergeByTime interleaves sorted sources and keeps source order on ties', async () => {
  const first = [item(1, 'a1'), item(3, 'a3')];
  async function* second() {
    yield [item(1, 'b1')];
    yield [];
    yield [item(2, 'b2'), item(4, 'b4')];
  }
  assert.deepEqual(await mergedNames([first, second()]), ['a1', 'b1', 'b2', 'a3', 'b4']);
});

test('mergeByTime ends with its sources, empty ones included', async () => {
  async function* empty(): AsyncGenerator<Item[]> {}
  assert.deepEqual(await mergedNames([]), []);
  assert.deepEqual(await mergedNames([[], empty()]), []);
  assert.deepEqual(await mergedNames([empty(), [item(5, 'x')]]), ['x']);
});

test('mergeByTime takes the next item of a source only once its last one was handled', async () => {
  const log: string[] = [];
  function* batch(names: string[], from: number): Generator<Item> {
    for (const [index, name] of names.entries()) {
      log.push(`read ${name}`);
      yield item(from + index, name);
    }
  }
  async function* capture() {
    yield batch(['c1', 'c2'], 1);
    yield batch(['c3'], 3);
  }
  const runs: string[][] = [];
  for await (const run of mergeByTime([capture()])) {
    runs.push([]);
    for (const merged of run) {
      log.push(`handle ${merged.name}`);
      runs[runs.length - 1].push(merged.name);
    }
  }
  assert.deepEqual(log, ['read c1', 'handle c1', 'read c2', 'handle c2', 'read c3', 'handle c3']);
  // A run ends where its source must await its next batch.
  assert.deepEqual(runs, [['c1', 'c2'], ['c3']]);
});
