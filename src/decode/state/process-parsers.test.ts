import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from '../event.js';
import { EventDecoder } from '../event-decoder.js';
import { StateEngine } from './engine.js';
import { createFd } from './fd-info.js';
import { PendingClones } from './pending-clones.js';
import { THREAD_FLAGS } from './thread.js';
import { eventBytes, int64 } from '../../testing/event-bytes.js';
import { cloneExit, type CloneIds } from '../../testing/state-driver.js';

/**
 * A forking server (busybox httpd, as a tester ran it in podman): it accepts fd 4, forks, closes
 * fd 4, and its child moves fd 4 onto stdin. Ids are the capture's.
 */
const SERVER = { tid: 11307, vtid: 1, ptid: 11297 } as const;
const CHILD = { tid: 18794, vtid: 24 } as const;
const CONNECTION = '127.0.0.1:53768->127.0.0.1:8080';
/** The capture's timestamps are all 2023 (eventBytes's fixed time); clones are a moment later. */
const T0 = 1_700_000_000_000_000_000n;

/** libscap codes: close exit (res, fd) and dup2 exit (res, oldfd, newfd). */
const CODE = { closeExit: 5, dup2Exit: 363 } as const;

function decoded(bytes: Uint8Array): SyscallEvent {
  const event = new EventDecoder().decode({ bytes, cpu: 0, flags: 0, hasParamCount: true });
  assert.ok(event, 'the event decodes');
  return event;
}

const close = (tid: number, fd: number) =>
  decoded(eventBytes(CODE.closeExit, tid, [int64(0), int64(fd)]));
const dup2 = (tid: number, oldFd: number, newFd: number) =>
  decoded(eventBytes(CODE.dup2Exit, tid, [int64(newFd), int64(oldFd), int64(newFd)]));

/** The server, in a pid namespace (vtid 1) or not, with /dev/null on 0, its listener and fd 4. */
function server(inContainer: boolean): StateEngine {
  const engine = new StateEngine();
  const thread = engine.table.newThread(SERVER.tid);
  const vtid = inContainer ? SERVER.vtid : SERVER.tid;
  Object.assign(thread, { pid: SERVER.tid, ptid: SERVER.ptid, vtid, vpid: vtid, comm: 'httpd' });
  assert.ok(engine.table.add(thread));
  const devNull = createFd('file');
  Object.assign(devNull, { name: '/dev/null', nameRaw: '/dev/null' });
  const listener = createFd('ipv6_server');
  Object.assign(listener, { name: ':::8080', l4Protocol: 'tcp', role: 'server' });
  const connection = createFd('ipv4');
  Object.assign(connection, { name: CONNECTION, l4Protocol: 'tcp', role: 'server' });
  assert.ok(engine.table.addFd(thread, 0, devNull));
  assert.ok(engine.table.addFd(thread, 3, listener));
  assert.ok(engine.table.addFd(thread, 4, connection));
  return engine;
}

/** The two exits of the server's fork (or other clone `flags`), as the kernel reports them. */
function forkExits(inContainer: boolean, flags = 0, at = T0) {
  const pidns = inContainer ? THREAD_FLAGS.CHILD_IN_PIDNS : 0;
  const isThread = (flags & THREAD_FLAGS.CLONE_THREAD) !== 0;
  const serverIds = inContainer ? { vtid: SERVER.vtid, vpid: SERVER.vtid } : {};
  const childVtid = inContainer ? CHILD.vtid : CHILD.tid;
  const caller: CloneIds = {
    pid: SERVER.tid,
    ptid: SERVER.ptid,
    flags: flags | pidns,
    ...serverIds,
  };
  // A thread's parent is its process's parent; its vpid is its process's.
  const child: CloneIds = isThread
    ? { ...caller, vtid: childVtid }
    : { pid: CHILD.tid, ptid: SERVER.tid, flags: flags | pidns, vtid: childVtid, vpid: childVtid };
  return {
    inCaller: cloneExit(SERVER.tid, childVtid, caller, at),
    inChild: cloneExit(CHILD.tid, 0, child, at + 1_000n),
  };
}

function run(engine: StateEngine, events: SyscallEvent[]): void {
  for (const event of events) engine.processEvent(event);
}

/** The child's fd `fd` by name, or undefined when the child or the fd is missing. */
function childFd(engine: StateEngine, fd: number): string | undefined {
  return engine.table.findThread(CHILD.tid)?.fds.get(fd)?.name;
}

for (const inContainer of [true, false]) {
  const where = inContainer ? 'in a pid namespace' : 'on the host';

  test(`${where}, a fork child keeps fd 4 its parent closed before the child's clone exit`, () => {
    const engine = server(inContainer);
    const { inCaller, inChild } = forkExits(inContainer);
    run(engine, [inCaller, close(SERVER.tid, 4), inChild]);
    assert.equal(engine.table.findThread(SERVER.tid)?.fds.has(4), false, 'the parent closed it');
    assert.equal(childFd(engine, 4), CONNECTION);

    const moved = dup2(CHILD.tid, 4, 0);
    engine.processEvent(moved);
    assert.equal(moved.fd?.name, CONNECTION, 'dup2 sees the socket as its fd');
    const stdin = engine.table.findThread(CHILD.tid)?.fds.get(0);
    assert.equal(stdin?.kind, 'ipv4');
    assert.equal(stdin?.name, CONNECTION);
    assert.equal(engine.table.pendingClones.size, 0);
  });

  test(`${where}, a fork child whose clone exit comes first copies fd 4 and stdin gets it`, () => {
    const engine = server(inContainer);
    const { inCaller, inChild } = forkExits(inContainer);
    run(engine, [inChild, inCaller, close(SERVER.tid, 4), dup2(CHILD.tid, 4, 0)]);
    assert.equal(childFd(engine, 4), CONNECTION);
    assert.equal(childFd(engine, 0), CONNECTION);
    assert.equal(engine.table.pendingClones.size, 0, "the caller's exit kept nothing");
  });
}

test('a thread shares its process table: the parent close removes fd 4 for it too', () => {
  const engine = server(true);
  const flags = THREAD_FLAGS.CLONE_THREAD | THREAD_FLAGS.CLONE_FILES;
  const { inCaller, inChild } = forkExits(true, flags);
  run(engine, [inCaller, close(SERVER.tid, 4), inChild, dup2(CHILD.tid, 3, 5)]);
  const thread = engine.table.findThread(CHILD.tid);
  assert.equal(thread?.pid, SERVER.tid);
  assert.equal(engine.table.findThread(SERVER.tid)?.fds.has(4), false);
  assert.equal(engine.table.findThread(SERVER.tid)?.fds.get(5)?.name, ':::8080', 'one table');
  assert.equal(engine.table.pendingClones.size, 0);
});

test('a CLONE_FILES process shares the table, so it copies it at its own exit, as libsinsp', () => {
  const engine = server(true);
  const { inCaller, inChild } = forkExits(true, THREAD_FLAGS.CLONE_FILES);
  run(engine, [inCaller, close(SERVER.tid, 4), inChild]);
  assert.equal(childFd(engine, 3), ':::8080');
  assert.equal(childFd(engine, 4), undefined);
  assert.equal(engine.table.pendingClones.size, 0);
});

test('a vfork child in a pid namespace copies its parent at its own exit; nothing is kept', () => {
  const engine = server(true);
  const { inCaller, inChild } = forkExits(true, THREAD_FLAGS.CLONE_VFORK);
  run(engine, [inChild, inCaller]);
  assert.equal(childFd(engine, 4), CONNECTION);
  assert.equal(engine.table.pendingClones.size, 0);
});

test("a child's exit more than 2 s after its caller's copies the parent as it is then", () => {
  const engine = server(true);
  const { inCaller } = forkExits(true);
  const { inChild } = forkExits(true, 0, T0 + 3_000_000_000n);
  run(engine, [inCaller, close(SERVER.tid, 4), inChild]);
  assert.equal(childFd(engine, 3), ':::8080');
  assert.equal(childFd(engine, 4), undefined);
  assert.equal(engine.table.pendingClones.size, 1, "the child's mark waits for a caller");
});

test('pending clones are bounded: the oldest is dropped and counted', () => {
  const pending = new PendingClones(2);
  const copy = () => ({ fds: new Map(), cwd: '/', env: [] });
  for (const vtid of [10, 11, 12]) pending.keepForChild(SERVER.tid, vtid, T0, copy);
  assert.equal(pending.size, 2);
  assert.equal(pending.dropped, 1);
  assert.equal(pending.takeForChild(SERVER.tid, 10, T0), undefined, 'the oldest left');
  assert.ok(pending.takeForChild(SERVER.tid, 12, T0));
});
