import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContainerInfo, HOST_CONTAINER_INFO, type ContainerInfo } from './container-info.js';
import { ContainerMetadata } from './container-metadata.js';
import type { ContainerRuntimeClient, ContainerRuntimeKind } from './docker-api.js';

/** A runtime that knows `known` and answers after `delayMs`; counts questions. */
class FakeRuntime implements ContainerRuntimeClient {
  readonly endpoint = 'fake';
  asked: string[] = [];
  closed = false;
  constructor(
    private readonly known: Record<string, string>,
    private readonly delayMs = 0,
    private readonly failure?: Error,
    readonly kind: ContainerRuntimeKind = 'docker-api',
  ) {}
  async inspect(id: string): Promise<ContainerInfo | undefined> {
    this.asked.push(id);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failure !== undefined) throw this.failure;
    const name = this.known[id];
    return name === undefined ? undefined : emptyContainerInfo({ id, name, type: 'podman' });
  }
  close(): void {
    this.closed = true;
  }
}

test('a lookup waits for the runtime, and a second one is a cache hit', async () => {
  const runtime = new FakeRuntime({ aaaaaaaaaaaa: 'web' }, 10);
  const metadata = new ContainerMetadata({ clients: [runtime] });
  assert.equal((await metadata.lookup('aaaaaaaaaaaa', { waitMs: 1000 }))?.name, 'web');
  assert.equal((await metadata.lookup('aaaaaaaaaaaa'))?.name, 'web');
  assert.equal(metadata.peek('aaaaaaaaaaaa')?.name, 'web');
  assert.deepEqual(runtime.asked, ['aaaaaaaaaaaa']);
  assert.equal(metadata.counters.hits, 1);
  assert.equal(metadata.counters.found, 1);
});

test('a wait that runs out answers undefined; the fetch still fills the cache', async () => {
  const runtime = new FakeRuntime({ bbbbbbbbbbbb: 'slow' }, 60);
  const metadata = new ContainerMetadata({ clients: [runtime] });
  const started = Date.now();
  assert.equal(await metadata.lookup('bbbbbbbbbbbb', { waitMs: 10 }), undefined);
  assert.ok(Date.now() - started < 50, 'the wait is bounded');
  assert.equal(metadata.counters.timeouts, 1);
  assert.equal((await metadata.lookup('bbbbbbbbbbbb', { waitMs: 1000 }))?.name, 'slow');
  assert.deepEqual(runtime.asked, ['bbbbbbbbbbbb']);
});

test('concurrent lookups of one container share one fetch', async () => {
  const runtime = new FakeRuntime({ cccccccccccc: 'c' }, 5);
  const metadata = new ContainerMetadata({ clients: [runtime] });
  const answers = await Promise.all(
    [1, 2, 3].map(() => metadata.lookup('cccccccccccc', { waitMs: 500 })),
  );
  assert.deepEqual(
    answers.map((info) => info?.name),
    ['c', 'c', 'c'],
  );
  assert.equal(metadata.counters.fetches, 1);
});

test('not found is cached until its time to live ends, then asked again', async () => {
  let now = 1000;
  const runtime = new FakeRuntime({});
  const metadata = new ContainerMetadata({
    clients: [runtime],
    notFoundTtlMs: 100,
    now: () => now,
  });
  assert.equal(await metadata.lookup('dddddddddddd', { waitMs: 100 }), undefined);
  assert.equal(await metadata.lookup('dddddddddddd', { waitMs: 100 }), undefined);
  assert.equal(runtime.asked.length, 1);
  assert.equal(metadata.counters.negativeHits, 1);
  now += 101;
  await metadata.lookup('dddddddddddd', { waitMs: 100 });
  assert.equal(runtime.asked.length, 2);
  assert.equal(metadata.counters.notFound, 2);
});

test('runtimes are asked in order; a failing one does not hide the next', async () => {
  const broken = new FakeRuntime({}, 0, new Error('connect ENOENT /var/run/docker.sock'));
  const podman = new FakeRuntime({ eeeeeeeeeeee: 'e' });
  const metadata = new ContainerMetadata({ clients: [broken, podman] });
  assert.equal((await metadata.lookup('eeeeeeeeeeee', { waitMs: 100 }))?.name, 'e');
  const onlyBroken = new ContainerMetadata({ clients: [broken], errorTtlMs: 1000 });
  assert.equal(await onlyBroken.lookup('ffffffffffff', { waitMs: 100 }), undefined);
  assert.equal(onlyBroken.counters.errors, 1);
  assert.match(onlyBroken.lastError?.message ?? '', /ENOENT/);
  metadata.close();
  assert.equal(podman.closed, true);
});

test('a lookup that prefers CRI asks the CRI runtime first, then the others', async () => {
  const podman = new FakeRuntime({ '0123456789ab': 'podman-one' });
  const cri = new FakeRuntime({ abcdefabcdef: 'pod-app' }, 0, undefined, 'cri');
  const metadata = new ContainerMetadata({ clients: [podman, cri] });
  const inPod = await metadata.lookup('abcdefabcdef', { waitMs: 100, prefer: 'cri' });
  assert.equal(inPod?.name, 'pod-app');
  assert.deepEqual(podman.asked, []);
  const notInCri = await metadata.lookup('0123456789ab', { waitMs: 100, prefer: 'cri' });
  assert.equal(notInCri?.name, 'podman-one');
  assert.deepEqual(cri.asked, ['abcdefabcdef', '0123456789ab']);
  await metadata.lookup('feedfeedfeed', { waitMs: 100 });
  assert.deepEqual(podman.asked, ['0123456789ab', 'feedfeedfeed']);
  assert.deepEqual(cri.asked, ['abcdefabcdef', '0123456789ab', 'feedfeedfeed']);
});

test('the cache keeps at most `limit` containers and counts evictions, oldest use first', async () => {
  const runtime = new FakeRuntime({ a: 'A', b: 'B', c: 'C' });
  const metadata = new ContainerMetadata({ clients: [runtime], limit: 2 });
  await metadata.lookup('a', { waitMs: 100 });
  await metadata.lookup('b', { waitMs: 100 });
  await metadata.lookup('a'); // a is now the most recently used
  await metadata.lookup('c', { waitMs: 100 });
  assert.equal(metadata.size, 2);
  assert.equal(metadata.counters.evictions, 1);
  assert.equal(metadata.peek('b'), undefined);
  assert.equal(metadata.peek('a')?.name, 'A');
});

test('host is answered at once; fetches past maxInFlight are skipped', async () => {
  const runtime = new FakeRuntime({}, 20);
  const metadata = new ContainerMetadata({ clients: [runtime], maxInFlight: 1 });
  assert.equal(await metadata.lookup('host'), HOST_CONTAINER_INFO);
  const first = metadata.lookup('111111111111', { waitMs: 100 });
  assert.equal(await metadata.lookup('222222222222', { waitMs: 100 }), undefined);
  assert.equal(metadata.counters.skipped, 1);
  await first;
  assert.deepEqual(runtime.asked, ['111111111111']);
  assert.throws(() => new ContainerMetadata({ clients: [], limit: 0 }), RangeError);
});
