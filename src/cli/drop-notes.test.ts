import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventDecoder } from '../decode/event-decoder.js';
import { eventBytes } from '../testing/event-bytes.js';
import type { ProbeCounters } from '../sources/ebpf/frame-reader.js';
import {
  asyncEvent,
  DropNoteError,
  dropNoteEvent,
  readDropNote,
  type DropNote,
} from './drop-notes.js';

const counters = (drops: number): ProbeCounters => ({
  eventsSeen: 1000 + drops, eventsSent: 1000, dropsFullProcess: 0, dropsFullFile: drops,
  dropsFullNetwork: 0, dropsFullClose: 0, dropsFullOther: 0, dropsTooLarge: 0, dropsNoScratch: 0,
  noHandler: 0, skippedFailed: 3, framesWritten: 1200,
}); // prettier-ignore

function decode(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new EventDecoder().decodeAt(bytes, view, 0, bytes.length, 0, 0, true)!;
}

test('a drop note is an asyncevent named harrier_drops that reads back as written', () => {
  const note: DropNote = {
    ts: 1_700_000_001_000_000_000n,
    previous: counters(2),
    counters: counters(9),
    userspace: 4,
  };
  const event = decode(dropNoteEvent(note));
  assert.equal(event.info.name, 'asyncevent');
  assert.equal(event.tid, -1);
  assert.equal(event.ts, note.ts);
  assert.deepEqual(readDropNote(event), note);
  // The first frame has no previous counters.
  assert.deepEqual(readDropNote(decode(dropNoteEvent({ ...note, previous: undefined }))), {
    ...note,
    previous: undefined,
  });
});

test('other events, and async events of another name, are no drop note', () => {
  const text = new TextEncoder();
  const plugin = decode(asyncEvent(1n, text.encode('container\0'), text.encode('{}')));
  assert.equal(readDropNote(plugin), undefined);
  const close = decode(eventBytes(3, 7, [new Uint8Array(8)]));
  assert.equal(readDropNote(close), undefined);
});

test('a harrier_drops event without the counters is a precise DropNoteError', () => {
  const text = new TextEncoder();
  const noteWith = (data: string) =>
    decode(asyncEvent(1n, text.encode('harrier_drops\0'), text.encode(data)));
  const cases: Array<[string, RegExp]> = [
    ['{', /^harrier_drops event: not JSON: /],
    ['null', /expected a number at "userspace"/],
    [
      '{"userspace": 1, "previous": null, "counters": []}',
      /expected a count at "counters.eventsSeen"/,
    ],
    [
      JSON.stringify({
        userspace: 1,
        previous: null,
        counters: { ...counters(1), dropsFullFile: -1 },
      }),
      /expected a count at "counters.dropsFullFile"/,
    ],
    [
      JSON.stringify({ userspace: 1, previous: 5, counters: counters(1) }),
      /expected an object at "previous"/,
    ],
  ];
  for (const [data, message] of cases)
    assert.throws(
      () => readDropNote(noteWith(data)),
      (error: Error) => {
        assert.ok(error instanceof DropNoteError);
        assert.match(error.message, message);
        return true;
      },
    );
});
