import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder } from './event-decoder.js';
import { decodeParam, formatIpv6, paramValue, rawParamLengthOf, rawParamOf } from './params.js';
import { EVENT_TABLE } from './event-table.js';
import type { SyscallEvent } from './event.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('decodes integers by width and sign, 64-bit ids as numbers', () => {
  assert.equal(decodeParam('INT8', bytes(0xff)), -1);
  assert.equal(decodeParam('UINT16', bytes(0x34, 0x12)), 0x1234);
  assert.equal(decodeParam('ERRNO', bytes(0xfe, ...new Array(7).fill(0xff))), -2);
  assert.equal(decodeParam('FD', bytes(3, 0, 0, 0, 0, 0, 0, 0)), 3);
  assert.equal(decodeParam('UINT64', bytes(...new Array(8).fill(0xff))), 0xffffffffffffffffn);
  assert.equal(decodeParam('UINT32', bytes(1, 2)), null, 'short values decode to null');
  assert.equal(decodeParam('CHARBUF', bytes()), null, 'empty parameters decode to null');
});

test('decodes strings up to their NUL and keeps byte buffers as views', () => {
  assert.equal(
    decodeParam('FSPATH', Uint8Array.from(Buffer.from('/etc/passwd\0junk'))),
    '/etc/passwd',
  );
  const buffer = bytes(1, 2, 3);
  assert.equal(decodeParam('BYTEBUF', buffer), buffer);
});

test('decodes IPv4 and IPv6 socket tuples and addresses', () => {
  const tuple = bytes(2, 127, 0, 0, 1, 0x50, 0, 10, 0, 0, 2, 0xbb, 0x01);
  assert.deepEqual(decodeParam('SOCKTUPLE', tuple), {
    family: 'inet', sourceAddress: '127.0.0.1', sourcePort: 80, destinationAddress: '10.0.0.2', destinationPort: 443,
  }); // prettier-ignore
  const address = bytes(10, 0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1, 0x35, 0);
  assert.deepEqual(decodeParam('SOCKADDR', address), {
    family: 'inet6',
    address: '2001:db8::1',
    port: 53,
  });
  assert.deepEqual(decodeParam('SOCKADDR', bytes(1, 0x2f, 0x74, 0)), {
    family: 'unix',
    path: '/t',
  });
});

test('formats IPv6 as inet_ntop does, IPv4-mapped addresses included', () => {
  assert.equal(formatIpv6(bytes(...new Array(15).fill(0), 1)), '::1');
  assert.equal(
    formatIpv6(bytes(...new Array(10).fill(0), 0xff, 0xff, 192, 168, 0, 1)),
    '::ffff:192.168.0.1',
  );
  assert.equal(
    formatIpv6(bytes(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1)),
    'fe80::1:0:0:1',
  );
});

test('decodes fd lists and DYN values through their index byte', () => {
  assert.deepEqual(decodeParam('FDLIST', bytes(1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0x41, 0)), [
    [4, 0x41],
  ]);
  const setsockoptValue = EVENT_TABLE[45].params.find((param) => param.name === 'val');
  assert.equal(setsockoptValue?.type, 'DYN');
  assert.equal(decodeParam('DYN', bytes(2, 7, 0, 0, 0), setsockoptValue), 7);
});

test('paramValue decodes once and caches, null past the last parameter', () => {
  const info = EVENT_TABLE[3];
  const event = { info, rawParams: [bytes(5, 0, 0, 0, 0, 0, 0, 0)] } as unknown as SyscallEvent;
  assert.equal(paramValue(event, 0), 5);
  assert.equal(event.decodedParams?.[0], 5);
  assert.equal(paramValue(event, 1), null);
});

test('parameter lengths read from the length table match the parameters sliced', () => {
  // An openat exit: fd, dirfd, name, flags, mode, dev, ino (lengths 8, 8, 5, 4, 4, 4, 8).
  const lengths = [8, 8, 5, 4, 4, 4, 8];
  const size = 26 + lengths.length * 2 + lengths.reduce((sum, length) => sum + length, 0);
  const record = Buffer.alloc(size);
  record.writeUInt32LE(size, 16);
  record.writeUInt16LE(307, 20);
  record.writeUInt32LE(lengths.length, 22);
  lengths.forEach((length, index) => record.writeUInt16LE(length, 26 + index * 2));
  const event = new EventDecoder().decode({ bytes: record, cpu: 0, flags: 0, hasParamCount: true });
  assert.ok(event !== undefined);
  for (let index = 0; index < lengths.length; index++) {
    assert.equal(rawParamLengthOf(event, index), lengths[index]);
    assert.equal(rawParamOf(event, index)?.length, lengths[index]);
  }
  assert.equal(rawParamLengthOf(event, lengths.length), 0);
  assert.equal(rawParamLengthOf(event, -1), 0);
});
