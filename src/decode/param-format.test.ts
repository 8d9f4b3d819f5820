import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from './event.js';
import { EVENT_TABLE } from './event-table.js';
import {
  eventTypeName,
  flagText,
  formatArgs,
  formatParam,
  formatShortestFloat,
} from './param-format.js';
import { FLAG_TABLES } from './flag-names.js';

const le = (value: bigint, size: number): number[] =>
  Array.from({ length: size }, (_, i) =>
    Number((BigInt.asUintN(size * 8, value) >> BigInt(8 * i)) & 0xffn),
  );

function event(code: number, params: number[][]): SyscallEvent {
  const info = EVENT_TABLE[code];
  assert.ok(info !== undefined);
  return {
    source: 'syscall',
    num: 1,
    ts: 0n,
    tid: 1,
    cpu: 0,
    info,
    rawParams: params.map((p) => Uint8Array.from(p)),
  };
}

test('renders open exit arguments as sysdig does, fd left unresolved without state', () => {
  const name = [...Buffer.from('/etc/ld.so.cache\0')];
  const open = event(3, [le(3n, 8), name, le(4097n, 4), le(0n, 4), le(0x803n, 4), le(1234n, 8)]);
  assert.equal(
    formatArgs(open),
    'fd=3 name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 ino=1234',
  );
});

test('resolves errno, AT_FDCWD and state through the resolver', () => {
  const close = event(5, [le(-9n, 8), le(-100n, 8)]);
  assert.deepEqual(formatParam(close, 0), { value: '-9', resolved: 'EBADF' });
  assert.deepEqual(formatParam(close, 1), { value: '-100', resolved: 'AT_FDCWD' });
  const read = event(7, [le(2n, 8), [0x41, 0x00, 0x0a], le(4n, 8), le(3n, 4)]);
  const resolver = { fdName: (_: SyscallEvent, fd: number) => (fd === 4 ? '<f>/tmp/x' : '') };
  assert.equal(formatArgs(read, { resolver }), 'res=2 data=A.. fd=4(<f>/tmp/x) size=3');
});

test('prints empty parameters as <NA>, or NULL for buffer-like types', () => {
  const read = event(7, [le(0n, 8), [], [], []]);
  assert.equal(formatArgs(read), 'res=0 data=NULL fd=<NA> size=<NA>');
});

test('cuts long buffers at the configured length with an ellipsis', () => {
  const write = event(9, [le(100n, 8), new Array(100).fill(0x61), le(1n, 8), le(100n, 4)]);
  assert.equal(formatParam(write, 1, { maxBufferLength: 10 })?.value, 'aaaaaaa...');
});

test('matches flags in table order, removing matched bits, and enum flags exactly', () => {
  assert.equal(flagText(3, FLAG_TABLES.protFlags, false), 'PROT_READ|PROT_WRITE');
  assert.equal(flagText(0, FLAG_TABLES.protFlags, false), 'PROT_NONE');
  assert.equal(flagText(1, FLAG_TABLES.socketFamilies, true), 'AF_LOCAL|AF_UNIX');
});

test('formats relative times like printf %lg', () => {
  assert.equal(formatShortestFloat(0.5), '0.5');
  assert.equal(formatShortestFloat(1e-6), '1e-06');
  assert.equal(formatShortestFloat(123.456789), '123.457');
  assert.equal(formatShortestFloat(1234567), '1.23457e+06');
});

test('a generic event is named by its libscap syscall code, past the unassigned 382', () => {
  const generic = (code: number): SyscallEvent => event(1, [le(BigInt(code), 2), le(0n, 2)]);
  assert.equal(eventTypeName(generic(381)), 'create_module');
  assert.equal(eventTypeName(generic(383)), 'sched_getattr');
  assert.equal(eventTypeName(generic(451)), 'listns');
  // an unassigned code keeps the event's own name
  assert.equal(eventTypeName(generic(382)), 'syscall');
});
