import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAME_HEADER_SIZE,
  frameEndAt,
  frameKindAt,
  FrameReader,
  ProbeProtocolError,
  STATS_COUNTER_NAMES,
  countKernelDrops,
} from './frame-reader.js';

function frame(kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(kind, 4);
  return Buffer.concat([header, payload]);
}

/** An openat exit event (code 307) with one 8-byte parameter. */
function event(tid: number): Buffer {
  const bytes = Buffer.alloc(26 + 2 + 8);
  bytes.writeBigUInt64LE(1_700_000_000_000_000_000n, 0);
  bytes.writeBigUInt64LE(BigInt(tid), 8);
  bytes.writeUInt32LE(bytes.length, 16);
  bytes.writeUInt16LE(307, 20);
  bytes.writeUInt32LE(1, 22);
  bytes.writeUInt16LE(8, 26);
  bytes.writeBigInt64LE(3n, 28);
  return bytes;
}

test('reads an event frame split across three chunks', () => {
  const reader = new FrameReader();
  const bytes = frame(1, event(4242));
  assert.deepEqual(reader.push(bytes.subarray(0, 5)), []);
  assert.deepEqual(reader.push(bytes.subarray(5, 30)), []);
  assert.equal(reader.pendingBytes, 30);
  const [record] = reader.push(bytes.subarray(30));
  assert.equal(record?.kind, 'event');
  if (record?.kind !== 'event') return;
  assert.equal(record.code, 307);
  assert.equal(record.tid, 4242);
  assert.equal(record.ts, 1_700_000_000_000_000_000n);
  assert.equal(record.rawBytes.length, 36);
  assert.equal(reader.pendingBytes, 0);
});

test('reads ready and stats frames in one chunk', () => {
  const ready = Buffer.alloc(84);
  ready.writeBigUInt64LE(123n, 0);
  ready.writeUInt32LE(4, 8);
  ready.writeUInt32LE(1 << 24, 12);
  ready.writeUInt32LE(1, 16);
  ready[20 + (175 >> 3)] = 1 << (175 & 7); // init_module
  ready[20 + (313 >> 3)] = 1 << (313 & 7); // finit_module
  ready[20] = 1; // syscall 0 (read)
  const count = STATS_COUNTER_NAMES.length + 1;
  const stats = Buffer.alloc(8 + count * 8);
  stats.writeUInt32LE(count, 0);
  for (let i = 0; i < count; i++) stats.writeBigUInt64LE(BigInt(i * 10), 8 + i * 8);
  const records = new FrameReader().push(Buffer.concat([frame(3, ready), frame(2, stats)]));
  assert.deepEqual(records[0], {
    kind: 'ready',
    bootToEpochNs: 123n,
    possibleCpus: 4,
    ringBufferBytes: 1 << 24,
    rawPath: true,
    untracedSyscalls: [0, 175, 313],
  });
  const second = records[1];
  assert.equal(second?.kind, 'stats');
  if (second?.kind !== 'stats') return;
  assert.equal(second.counters.eventsSeen, 10);
  assert.equal(second.counters.dropsFullProcess, 30);
  assert.equal(second.counters.skippedFailed, 110);
  assert.equal(second.counters.framesWritten, 120);
  assert.equal(countKernelDrops(second.counters), 30 + 40 + 50 + 60 + 70 + 80 + 90);
});

test('a ready frame shorter than its layout is a protocol error that names both sizes', () => {
  assert.throws(
    () => new FrameReader().push(frame(3, Buffer.alloc(16))),
    /short ready frame: 16 bytes, expected 84/,
  );
});

test('batches hold events in place and other frames parsed, in stream order, across chunks', () => {
  const count = STATS_COUNTER_NAMES.length + 1;
  const stats = Buffer.alloc(8 + count * 8);
  stats.writeUInt32LE(count, 0);
  const stream = Buffer.concat([frame(1, event(7)), frame(2, stats), frame(1, event(8))]);
  const reader = new FrameReader();
  const cut = 36 + 8 + 20; // inside the stats frame
  const firstChunk = stream.subarray(0, cut);
  const [first, ...none] = reader.pushBatches(firstChunk);
  assert.equal(none.length, 0);
  assert.deepEqual([first!.start, first!.end, first!.eventCount], [0, 44, 1]);
  assert.equal(frameKindAt(first!.view, 0), 1);
  assert.equal(first!.view.getUint32(FRAME_HEADER_SIZE + 8, true), 7); // tid
  assert.equal(first!.bytes.buffer, firstChunk.buffer, 'read in the chunk, not a copy');
  assert.equal(reader.pendingBytes, 20);

  const secondChunk = Buffer.from(stream.subarray(cut));
  const [split, rest, ...more] = reader.pushBatches(secondChunk);
  assert.equal(more.length, 0);
  // The stats frame, split by the cut, is a batch of its own.
  assert.deepEqual([split!.start, split!.end, split!.eventCount], [0, 8 + stats.length, 0]);
  assert.equal(split!.records[0]?.kind, 'stats');
  assert.equal(rest!.bytes.buffer, secondChunk.buffer);
  assert.equal(rest!.eventCount, 1);
  assert.equal(rest!.records.length, 0);
  assert.equal(frameEndAt(rest!.view, rest!.start), rest!.end);
  assert.equal(rest!.end - rest!.start, 44);
  assert.equal(rest!.view.getUint32(rest!.start + FRAME_HEADER_SIZE + 8, true), 8);
  assert.ok(!Buffer.isBuffer(rest!.bytes), 'a plain Uint8Array, cheap to slice');
  assert.equal(reader.pendingBytes, 0);
});

test('a frame split inside its header, and one longer than a chunk, come out whole', () => {
  const stream = Buffer.concat([frame(1, event(5)), frame(1, event(6)), frame(1, event(9))]);
  const reader = new FrameReader();
  const tids: number[] = [];
  // Chunks of 3 bytes split every header; the first chunks hold no whole frame.
  for (let at = 0; at < stream.length; at += 3) {
    for (const record of reader.push(stream.subarray(at, at + 3))) {
      assert.equal(record.kind, 'event');
      if (record.kind === 'event') tids.push(record.tid);
    }
    assert.ok(reader.pendingBytes < 44, 'only the unfinished frame is held');
  }
  assert.deepEqual(tids, [5, 6, 9]);
  assert.equal(reader.pendingBytes, 0);
});

test('a frame length past the limit in a header split across chunks is rejected', () => {
  const header = Buffer.alloc(8);
  header.writeUInt32LE((1 << 20) + 1, 0);
  header.writeUInt32LE(1, 4);
  const reader = new FrameReader();
  assert.deepEqual(reader.push(header.subarray(0, 5)), []);
  assert.throws(() => reader.push(header.subarray(5)), /exceeds/);
});

test('rejects an event whose header length disagrees with its frame', () => {
  const bytes = event(1);
  bytes.writeUInt32LE(99, 16);
  assert.throws(() => new FrameReader().push(frame(1, bytes)), ProbeProtocolError);
});

test('rejects an unknown frame kind', () => {
  assert.throws(() => new FrameReader().push(frame(9, Buffer.alloc(0))), /unknown frame kind 9/);
});
