import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder } from '../event-decoder.js';
import { StateEngine } from './engine.js';
import { createFd } from './fd-info.js';

/** libscap's PPME_SYSCALL_UNLINKAT_2_X: res, dirfd, name, flags. */
const UNLINKAT_EXIT = 303;
const AT_FDCWD = -100;

function int64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return bytes;
}

/** `tid` calling unlinkat(dirfd, name, 0) with success, in the V2 layout. */
function unlinkat(tid: number, dirfd: number, name: string): Uint8Array {
  const params = [int64(0), int64(dirfd), new TextEncoder().encode(`${name}\0`), new Uint8Array(4)];
  const length = 26 + params.length * 2 + params.reduce((sum, param) => sum + param.length, 0);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, 1_700_000_000_000_000_000n, true);
  view.setBigInt64(8, BigInt(tid), true);
  view.setUint32(16, length, true);
  view.setUint16(20, UNLINKAT_EXIT, true);
  view.setUint32(22, params.length, true);
  let at = 26 + params.length * 2;
  params.forEach((param, i) => {
    view.setUint16(26 + i * 2, param.length, true);
    bytes.set(param, at);
    at += param.length;
  });
  return bytes;
}

/** A process (tid 40, cwd /root) whose fd 5 is the directory /tmp/work. */
function processWithDirectory(): StateEngine {
  const engine = new StateEngine();
  const thread = engine.table.newThread(40);
  Object.assign(thread, { pid: 40, comm: 'rm', exe: 'rm' });
  assert.ok(engine.table.add(thread));
  const directory = createFd('directory');
  Object.assign(directory, { name: '/tmp/work', nameRaw: '/tmp/work' });
  assert.ok(engine.table.addFd(thread, 5, directory));
  return engine;
}

function judge(engine: StateEngine, bytes: Uint8Array) {
  const event = new EventDecoder().decode({ bytes, cpu: 0, flags: 0, hasParamCount: true });
  assert.ok(event, 'the event decodes');
  engine.processEvent(event);
  return event;
}

test('unlinkat relative to a directory fd has that directory as its fd, as libsinsp gives it', () => {
  const event = judge(processWithDirectory(), unlinkat(40, 5, 'old.log'));
  assert.equal(event.fd?.name, '/tmp/work');
  assert.equal(event.fd?.kind, 'directory');
});

test('unlinkat relative to the cwd (AT_FDCWD) has no fd', () => {
  const event = judge(processWithDirectory(), unlinkat(40, AT_FDCWD, 'old.log'));
  assert.equal(event.fd, undefined);
});
