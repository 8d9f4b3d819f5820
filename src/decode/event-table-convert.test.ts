import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventConverter, type ConvertibleEvent } from './event-table-convert.js';

/** A read enter event (code 6, old two-parameter layout) whose fd parameter is `fd`. */
function readEnter(fd: number): ConvertibleEvent {
  const fdBytes = new Uint8Array(8);
  new DataView(fdBytes.buffer).setUint32(0, fd, true);
  return { code: 6, params: [fdBytes, Uint8Array.of(0, 1, 0, 0)] };
}

/** Converts a read exit (code 7, old layout) for `tid`; returns the fd taken from its enter. */
function readExitFd(converter: EventConverter, tid: number): number | undefined {
  const exit = { code: 7, params: [new Uint8Array(8), Uint8Array.of(1)] };
  const missingBefore = converter.missingEnterEvents;
  assert.equal(converter.convert(tid, exit), 'converted');
  if (converter.missingEnterEvents > missingBefore) return undefined;
  return new DataView(exit.params[2].buffer, exit.params[2].byteOffset).getUint32(0, true);
}

test('an exit takes its enter once; the next exit of the thread finds none', () => {
  const converter = new EventConverter();
  assert.equal(converter.convert(5, readEnter(11)), 'drop');
  assert.equal(readExitFd(converter, 5), 11);
  assert.equal(readExitFd(converter, 5), undefined);
  assert.equal(converter.convert(5, readEnter(12)), 'drop');
  assert.equal(readExitFd(converter, 5), 12);
});

test('when full, the thread that stored least recently loses its enter event', () => {
  const converter = new EventConverter();
  const capacity = 65536;
  for (let tid = 1; tid <= capacity; tid++) converter.convert(tid, readEnter(tid));
  // Thread 1 stores again, so thread 2 is now the least recent; a new thread pushes it out.
  converter.convert(1, readEnter(100));
  converter.convert(capacity + 1, readEnter(7));
  assert.equal(readExitFd(converter, 2), undefined);
  assert.equal(readExitFd(converter, 1), 100);
  assert.equal(readExitFd(converter, 3), 3);
  assert.equal(readExitFd(converter, capacity + 1), 7);
});

test('slots emptied by exits do not count against the bound', () => {
  const converter = new EventConverter();
  for (let tid = 1; tid <= 200_000; tid++) {
    converter.convert(tid, readEnter(tid));
    assert.equal(readExitFd(converter, tid), tid);
  }
  converter.convert(1, readEnter(1));
  assert.equal(readExitFd(converter, 1), 1);
});
