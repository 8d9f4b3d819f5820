import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from '../event.js';
import { emptyContainerInfo } from '../../sources/container-runtime/index.js';
import { cloneExit, execveExit } from '../../testing/state-driver.js';
import { StateEngine } from './engine.js';
import { identifyCategory, identifyCategoryAtExec } from './thread-category.js';
import type { ThreadInfo } from './types.js';

const FULL_ID = 'c0ffee'.repeat(10) + 'abcd';
const CGROUPS: ThreadInfo['cgroups'] = [['cpu', `/machine.slice/libpod-${FULL_ID}.scope`]];
const T0 = 1_700_000_000_000_000_000n;

/** A podman container whose health check is `--health-cmd 'id'` (CMD-SHELL). */
const CONTAINER = emptyContainerInfo({
  id: FULL_ID.slice(0, 12),
  fullId: FULL_ID,
  type: 'podman',
  healthProbes: [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'id'] }],
});

/**
 * runc on the host (100), the container's init (200, vpid 1, below conmon 150) and a shell of
 * the container's own (210, vpid 5), as a snapshot leaves them: no category yet.
 */
function world(): StateEngine {
  const engine = new StateEngine();
  add(engine, { tid: 150, ptid: 1, vpid: 150, exe: 'conmon' });
  add(engine, { tid: 100, ptid: 150, vpid: 100, exe: 'runc' });
  add(engine, { tid: 200, ptid: 150, vpid: 1, exe: 'sleep', cgroups: CGROUPS });
  add(engine, { tid: 210, ptid: 200, vpid: 5, exe: 'sh', cgroups: CGROUPS });
  return engine;
}

function add(
  engine: StateEngine,
  fields: { tid: number; ptid: number; vpid: number; exe: string; cgroups?: ThreadInfo['cgroups'] },
): ThreadInfo {
  const thread = engine.table.newThread(fields.tid);
  const { tid, ptid, vpid, exe, cgroups = [] } = fields;
  Object.assign(thread, { pid: tid, ptid, vtid: vpid, vpid, exe, comm: exe, cgroups });
  assert.ok(engine.table.add(thread));
  return thread;
}

/** Thread `tid` (child of `ptid`) in the container execs `exe args`, its container attached. */
function execInContainer(
  engine: StateEngine,
  tid: number,
  ptid: number,
  argv: string[],
): ThreadInfo {
  const thread = engine.table.findThread(tid) ?? add(engine, { tid, ptid, vpid: 12, exe: 'runc' });
  const [exe, ...args] = argv;
  Object.assign(thread, { exe: exe!, args, cgroups: CGROUPS, container: CONTAINER });
  const event: SyscallEvent = { ...execveExit(tid, tid, ptid, T0), thread };
  identifyCategoryAtExec(event);
  return thread;
}

test('an exec from outside the container whose argv is the health check is the health check', () => {
  const engine = world();
  const probe = execInContainer(engine, 300, 100, ['/bin/sh', '-c', 'id']);
  assert.equal(probe.category, 'healthcheck');
});

test('a health check child takes its category at clone and keeps it through its own exec', () => {
  const engine = world();
  execInContainer(engine, 300, 100, ['/bin/sh', '-c', 'id']);
  // The child's own exit: in the container's pid namespace, the caller's is not matched.
  const fork = cloneExit(301, 0, { pid: 301, ptid: 300, flags: 0, vtid: 13, vpid: 13 }, T0 + 1n);
  const cgroupText = new TextEncoder().encode(`cpu=${CGROUPS[0]![1]}\0`);
  const rawParams = fork.rawParams.map((param, index) => (index === 14 ? cgroupText : param));
  engine.processEvent({ ...fork, rawParams });
  const child = engine.table.findThread(301);
  assert.equal(child?.category, 'healthcheck');
  execInContainer(engine, 301, 300, ['id']);
  assert.equal(child.category, 'healthcheck');
});

test('a single-command health check keeps its category when sh execs the command itself', () => {
  const engine = world();
  const probe = execInContainer(engine, 300, 100, ['/bin/sh', '-c', 'id']);
  execInContainer(engine, 300, 100, ['id']);
  assert.equal(probe.category, 'healthcheck');
});

test('another exec into the same container is not a probe', () => {
  const engine = world();
  assert.equal(execInContainer(engine, 400, 100, ['id']).category, 'none');
  assert.equal(execInContainer(engine, 401, 100, ['/bin/sh', '-c', 'id ']).category, 'none');
  assert.equal(execInContainer(engine, 402, 100, ['sh', '-c', 'id']).category, 'none');
});

test("an exec whose parent is inside the container is the container's own, even with the probe's argv", () => {
  const engine = world();
  // The shell came from the snapshot without a category: the container's init above it decides.
  assert.equal(execInContainer(engine, 220, 210, ['/bin/sh', '-c', 'id']).category, 'none');
  // Below the init, a category-holding parent passes `container` on.
  identifyCategory(engine.table.findThread(200)!);
  assert.equal(engine.table.findThread(200)?.category, 'container');
  identifyCategory(engine.table.findThread(210)!);
  assert.equal(execInContainer(engine, 221, 210, ['/bin/sh', '-c', 'id']).category, 'container');
});

test('a host process, a container not yet described and a failed exec stay without a category', () => {
  const engine = world();
  const host = add(engine, { tid: 500, ptid: 100, vpid: 500, exe: '/bin/sh' });
  host.args = ['-c', 'id'];
  host.container = CONTAINER;
  identifyCategoryAtExec({ ...execveExit(500, 500, 100, T0), thread: host });
  assert.equal(host.category, 'none');

  const undescribed = add(engine, {
    tid: 501,
    ptid: 100,
    vpid: 13,
    exe: '/bin/sh',
    cgroups: CGROUPS,
  });
  undescribed.args = ['-c', 'id'];
  identifyCategoryAtExec({ ...execveExit(501, 501, 100, T0), thread: undescribed });
  assert.equal(undescribed.category, 'none');

  const failed = add(engine, { tid: 502, ptid: 100, vpid: 14, exe: '/bin/sh', cgroups: CGROUPS });
  Object.assign(failed, { args: ['-c', 'id'], container: CONTAINER });
  const failedExit = execveExit(502, 502, 100, T0);
  const errno = new Uint8Array(8);
  new DataView(errno.buffer).setBigInt64(0, -2n, true);
  const rawParams = failedExit.rawParams.map((param, index) => (index === 0 ? errno : param));
  identifyCategoryAtExec({ ...failedExit, rawParams, thread: failed });
  assert.equal(failed.category, 'none');
});
