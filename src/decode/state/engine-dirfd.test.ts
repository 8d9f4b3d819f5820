import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder } from '../event-decoder.js';
import { StateEngine } from './engine.js';
import { createFd } from './fd-info.js';
import { eventBytes, int64 } from '../../testing/event-bytes.js';

/** libscap's PPME_SYSCALL_UNLINKAT_2_X: res, dirfd, name, flags. */
const UNLINKAT_EXIT = 303;
const AT_FDCWD = -100;

/** `tid` calling unlinkat(dirfd, name, 0) with success. */
function unlinkat(tid: number, dirfd: number, name: string): Uint8Array {
  const path = new TextEncoder().encode(`${name}\0`);
  return eventBytes(UNLINKAT_EXIT, tid, [int64(0), int64(dirfd), path, new Uint8Array(4)]);
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
