/**
 * The parameter readers read a decoded record's numbers and strings in place, without the
 * views and cache entries of the general path: both must give the same values, for every
 * parameter type, empty and short values included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SyscallEvent } from '../event.js';
import { EventDecoder } from '../event-decoder.js';
import { conversionVerdict } from '../event-table-convert.js';
import { EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from '../event-table.js';
import { paramValue } from '../params.js';
import { bigintParam, numberParam, returnValue, stringParam } from './event-params.js';

/** A V2 record of event `code` holding `values`, as a capture or the probe writes it. */
function encodeEvent(code: number, values: Uint8Array[]): Uint8Array {
  const lengthSize = (EVENT_FLAGS[code] & EVENT_FLAG_BITS.LARGE_PAYLOAD) !== 0 ? 4 : 2;
  const valuesLength = values.reduce((sum, value) => sum + value.length, 0);
  const length = 26 + values.length * lengthSize + valuesLength;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, 1_700_000_000_000_000_000n, true);
  view.setBigUint64(8, 42n, true);
  view.setUint32(16, length, true);
  view.setUint16(20, code, true);
  view.setUint32(22, values.length, true);
  let at = 26;
  for (const value of values) {
    if (lengthSize === 2) view.setUint16(at, value.length, true);
    else view.setUint32(at, value.length, true);
    at += lengthSize;
  }
  for (const value of values) {
    bytes.set(value, at);
    at += value.length;
  }
  return bytes;
}

/** The same event as a plain object, which the readers decode through `paramValue`. */
function plainEvent(code: number, values: Uint8Array[]): SyscallEvent {
  return {
    source: 'syscall', num: 1, ts: 0n, tid: 42, cpu: 0, info: EVENT_TABLE[code],
    rawParams: values,
  }; // prettier-ignore
}

function decodeRecord(bytes: Uint8Array): SyscallEvent {
  const event = new EventDecoder().decode({ bytes, cpu: 0, flags: 0, hasParamCount: true });
  assert.ok(event !== undefined);
  return event;
}

/** Every reader on every parameter position, one more past the last. */
function readAll(event: SyscallEvent): unknown[] {
  const readings: unknown[] = [returnValue(event)];
  for (let index = 0; index <= event.info.params.length; index++) {
    readings.push(numberParam(event, index), bigintParam(event, index), stringParam(event, index));
  }
  return readings;
}

/** Today's exit events (their records need no conversion), which the parsers read. */
const EXIT_CODES = EVENT_TABLE.filter(
  (info) =>
    info.direction === 'exit' && conversionVerdict(info.code, info.params.length) === 'pass',
).map((info) => info.code);

test('records read in place give what the general path decodes, for every type and size', () => {
  const value = fc.uint8Array({ minLength: 0, maxLength: 10 });
  const event = fc.constantFrom(...EXIT_CODES).chain((code) =>
    fc.tuple(
      fc.constant(code),
      fc.array(value, {
        minLength: EVENT_TABLE[code].params.length,
        maxLength: EVENT_TABLE[code].params.length,
      }),
    ),
  );
  fc.assert(
    fc.property(event, ([code, values]) => {
      const record = decodeRecord(encodeEvent(code, values));
      assert.deepEqual(readAll(record), readAll(plainEvent(code, values)));
    }),
    { numRuns: 3000 },
  );
});

test('an openat exit reads the same numbers in place as decoded', () => {
  const openat = EVENT_TABLE.find(
    (info) => info.name === 'openat' && EXIT_CODES.includes(info.code),
  );
  assert.ok(openat !== undefined);
  const int64 = (value: bigint) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, value, true);
    return bytes;
  };
  const uint32 = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);
  const values = [
    int64(-2n), int64(-100n), new TextEncoder().encode('f1.txt\0'), uint32(0x4001),
    uint32(0o644), uint32(0xfe00), int64(-1n),
  ]; // prettier-ignore
  const record = decodeRecord(encodeEvent(openat.code, values));
  assert.equal(returnValue(record), -2);
  assert.equal(numberParam(record, 1), -100);
  assert.equal(stringParam(record, 2), 'f1.txt');
  assert.equal(numberParam(record, 3), 0x4001);
  assert.equal(numberParam(record, 5), 0xfe00);
  assert.equal(bigintParam(record, 6), 2n ** 64n - 1n);
  assert.equal(numberParam(record, 6), -1);
  assert.equal(numberParam(record, 7), 0);
});

test('a value decoded before is read from the cache, as the general path reads it', () => {
  const close = EVENT_TABLE.find((info) => info.name === 'close' && EXIT_CODES.includes(info.code));
  assert.ok(close !== undefined);
  const record = decodeRecord(encodeEvent(close.code, [new Uint8Array(8), new Uint8Array(8)]));
  assert.equal(paramValue(record, 1), 0);
  record.decodedParams![1] = 7;
  assert.equal(numberParam(record, 1), 7);
});
