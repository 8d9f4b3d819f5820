import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScapWriter } from '../sources/scap/scap-writer.js';
import { emptyContainerInfo } from '../sources/container-runtime/index.js';
import { eventBytes, int64 } from '../testing/event-bytes.js';
import { replayCloses } from '../testing/replay-closes.js';
import { EventDecoder } from '../decode/event-decoder.js';
import { StateEngine } from '../decode/state/engine.js';
import { execveExit } from '../testing/state-driver.js';
import { containerJsonEvent } from './container-events.js';
import { RecordedContainers } from './recorded-containers.js';

const SECOND = 1_000_000_000n;
const START = 1_700_000_000n * SECOND;
/** PPME_SYSCALL_CLOSE_X: res, fd. */
const CLOSE_X = 5;
/** PPME_CONTAINER_JSON_E, the older container event (2-byte parameter lengths). */
const CONTAINER_JSON_E = 272;
const WEB_ID = 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258';
const DB_ID = '5c1b7c0f9a2e4d6b8a0c2e4f6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4f';

function at(bytes: Uint8Array, ts: bigint): Uint8Array {
  new DataView(bytes.buffer).setBigUint64(0, ts, true);
  return bytes;
}

function close(tid: number, ts: bigint): Uint8Array {
  return at(eventBytes(CLOSE_X, tid, [int64(0), int64(3)]), ts);
}

function oldContainerEvent(json: string, ts: bigint): Uint8Array {
  const bytes = eventBytes(CONTAINER_JSON_E, -1, [new TextEncoder().encode(`${json}\0`)]);
  return at(bytes, ts);
}

const web = emptyContainerInfo({
  id: WEB_ID.slice(0, 12), fullId: WEB_ID, type: 'podman', name: 'web',
  image: 'localhost/harrier-busybox:latest', labels: new Map([['tier', 'front']]),
}); // prettier-ignore

const thread = (tid: number, id: string) => ({
  tid, pid: tid, ptid: 1, comm: 'sh', exe: '/bin/sh', args: [],
  cgroups: [`cpu=/machine.slice/libpod-${id}.scope`],
}); // prettier-ignore

test('a replay reads container events into container.* fields, from the event after them on', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-containers-'));
  const capture = path.join(directory, 'containers.scap');
  const writer = await ScapWriter.create(capture, {
    threads: [thread(100, WEB_ID), thread(200, DB_ID), { tid: 300, pid: 300, ptid: 1, comm: 'init' }],
  }); // prettier-ignore
  const dbJson = JSON.stringify({
    container: { id: DB_ID.slice(0, 12), full_id: DB_ID, type: 0, name: 'db', image: 'postgres' },
  });
  for (const rawBytes of [
    close(100, START), // before web's record: <NA>
    containerJsonEvent(START + 1n, web),
    close(100, START + 2n),
    close(300, START + 3n), // a host process
    oldContainerEvent('{"container": {"id": "x", "name": 5}}', START + 4n),
    oldContainerEvent(dbJson, START + 5n),
    close(200, START + 6n),
  ])
    writer.writeEvent({ rawBytes });
  await writer.close();

  const { alerts, result } = await replayCloses(
    capture,
    '%evt.num %container.id %container.name %container.image %container.type %container.label[tier]',
  );
  assert.deepEqual(
    alerts.map((alert) => alert.output.replace(/^\S+ Notice /, '')),
    [
      `1 ${WEB_ID.slice(0, 12)} <NA> <NA> <NA> <NA>`,
      `3 ${WEB_ID.slice(0, 12)} web localhost/harrier-busybox:latest podman front`,
      '4 host host  host <NA>',
      `7 ${DB_ID.slice(0, 12)} db postgres docker <NA>`,
    ],
  );
  const [stats] = result.captures;
  assert.equal(stats.recordedContainers.events, 3);
  assert.deepEqual(stats.recordedContainers.warnings(capture), [
    `${capture}: 1 container event unreadable, skipped: their containers' fields read <NA> (the first, event 5: container.name: expected a string, found a number)`,
  ]);
});

test('a replayed exec whose argv is a recorded container health check is the health check', () => {
  const probed = {
    ...web,
    healthProbes: [{ type: 'healthcheck' as const, exe: '/bin/sh', args: ['-c', 'id'] }],
  };
  const containers = new RecordedContainers();
  const containerEvent = new EventDecoder().decode({
    bytes: containerJsonEvent(START, probed), cpu: 0, flags: 0, hasParamCount: true,
  }); // prettier-ignore
  assert.ok(containerEvent !== undefined && containers.take(containerEvent));

  const engine = new StateEngine();
  const exec = (tid: number, argv: string[]) => {
    const execing = engine.table.newThread(tid);
    const [exe, ...args] = argv;
    Object.assign(execing, { pid: tid, ptid: 1, vtid: 7, vpid: 7, exe, args });
    execing.cgroups = [['cpu', `/machine.slice/libpod-${WEB_ID}.scope`]];
    assert.ok(engine.table.add(execing));
    assert.equal(
      containers.take({ ...execveExit(tid, tid, 1, START + 1n), thread: execing }),
      false,
    );
    return execing;
  };
  const probe = exec(100, ['/bin/sh', '-c', 'id']);
  assert.equal(probe.container?.name, 'web');
  assert.equal(probe.category, 'healthcheck');
  assert.equal(exec(101, ['id']).category, 'none');
});
