import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EVENT_CODE_COUNT,
  EVENT_FLAG_BITS,
  EVENT_FLAGS,
  EVENT_TABLE,
  paramIndex,
} from './event-table.js';
import { conversionVerdict, EventConverter } from './event-table-convert.js';
import { CONVERSION_ROWS } from './event-table-conversions.js';

test('describes all 454 libscap event codes with direction from code parity', () => {
  assert.equal(EVENT_CODE_COUNT, 454);
  assert.equal(EVENT_TABLE.length, 454);
  const openat = EVENT_TABLE.filter((info) => info.name === 'openat' && info.direction === 'exit');
  assert.ok(openat.length >= 2);
});

test('gives parameters their types, formats and flag tables', () => {
  const open = EVENT_TABLE[3];
  assert.equal(open.name, 'open');
  assert.equal(open.category, 'file');
  assert.equal(
    open.params[paramIndex(open, 'flags')].flagNames?.find(([, name]) => name === 'O_TRUNC')?.[0],
    1 << 8, // PPM_O_TRUNC: libscap's portable value, not the host's
  );
  assert.equal(paramIndex(open, 'nonexistent'), -1);
  assert.ok(open.flags.has('CREATES_FD'));
  assert.notEqual(EVENT_FLAGS[3] & EVENT_FLAG_BITS.CREATES_FD, 0);
  const relative = EVENT_TABLE.flatMap((info) => info.params).filter(
    (param) => param.type === 'FSRELPATH',
  );
  assert.ok(relative.length > 0 && relative.every((param) => typeof param.dirfdParam === 'number'));
});

test('every conversion row targets an event code the table defines', () => {
  for (const [code, , action, newCode] of CONVERSION_ROWS) {
    assert.ok(code < EVENT_CODE_COUNT);
    if (action === 'changeType') assert.ok(newCode < EVENT_CODE_COUNT && newCode !== code);
  }
});

test('folds a read enter event into its old two-parameter exit, as libs converts it', () => {
  const converter = new EventConverter();
  const fd = Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0);
  const size = Uint8Array.of(0, 2, 0, 0);
  assert.equal(converter.convert(7, { code: 6, params: [fd, size] }), 'drop');
  const exit = {
    code: 7,
    params: [Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(1, 2, 3, 4, 5)],
  };
  assert.equal(converter.convert(7, exit), 'converted');
  assert.deepEqual(exit.params.slice(2), [fd, size]);
  assert.equal(conversionVerdict(7, 4), 'pass');
});

test('changes retired codes to their successors, with defaults when the enter is missing', () => {
  const converter = new EventConverter();
  const exit = { code: 11, params: [Uint8Array.of(0, 16, 0, 0, 0, 0, 0, 0)] }; // brk, layout 1
  assert.equal(converter.convert(1, exit), 'converted');
  assert.equal(exit.code, 159);
  assert.equal(exit.params.length, EVENT_TABLE[159].params.length);
  assert.equal(converter.missingEnterEvents, 1);
});
