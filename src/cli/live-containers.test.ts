import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFieldValue } from '../decode/containers/index.js';
import type { SyscallEvent } from '../decode/event.js';
import { createThread } from '../decode/state/thread.js';
import type { StateView, ThreadInfo } from '../decode/state/types.js';
import { pino } from 'pino';
import { silentLogger } from '../log.js';
import {
  containerdPod,
  removeSocketDirectory,
  startFakeCri,
} from '../sources/container-runtime/cri-fake-runtime.js';
import { CONTAINER_ID, POD_UID } from '../sources/container-runtime/cri-fixtures.js';
import { runtimeContainerHook } from './live-containers.js';

/** A thread in the cgroup systemd gives a containerd container of a Kubernetes pod. */
function podThread(tid: number) {
  const thread = createThread({} as StateView, tid);
  const pod = `kubepods-besteffort-pod${POD_UID.replaceAll('-', '_')}.slice`;
  thread.cgroups = [
    [
      'cpu,cpuacct',
      `/kubepods.slice/kubepods-besteffort.slice/${pod}/cri-containerd-${CONTAINER_ID}.scope`,
    ],
  ];
  return thread;
}

/** An event of `thread` that is not an exec (a read exit), with only what the hook reads. */
function eventOf(thread: ThreadInfo): SyscallEvent {
  return { thread, info: { name: 'read', direction: 'exit' } } as unknown as SyscallEvent;
}

test('a containerd pod container is described over CRI before its event reaches the rules', async () => {
  const fake = await startFakeCri(containerdPod);
  const hook = runtimeContainerHook(silentLogger(), { criSockets: [fake.socketPath] });
  try {
    assert.ok(hook !== undefined);
    const first = podThread(100);
    await hook.prepare(eventOf(first));
    const field = (name: string, argument?: string) =>
      containerFieldValue(name, first.container, argument);
    assert.deepEqual(
      [
        'container.id',
        'container.name',
        'container.type',
        'container.image.repository',
        'container.image.tag',
        'container.privileged',
        'container.ip',
        'k8s.pod.name',
        'k8s.ns.name',
        'k8s.pod.uid',
        'k8s.pod.sandbox_id',
        'k8s.pod.labels',
        'k8s.pod.ip',
      ].map((name) => field(name)),
      [
        '3f9e8d7c6b5a',
        'nginx',
        'containerd',
        'docker.io/library/nginx',
        '1.25.3',
        false,
        '10.244.1.7',
        'web-7d4b9',
        'shop',
        POD_UID,
        'a1b2c3d4e5f6',
        'app:web, pod-template-hash:7d4b9',
        '10.244.1.7',
      ],
    );
    assert.equal(field('k8s.pod.label', 'app'), 'web');

    // Another thread of the same container is served from the cache, without waiting.
    const second = podThread(101);
    assert.equal(hook.prepare(eventOf(second)), undefined);
    assert.equal(second.container, first.container);
    assert.deepEqual(fake.calls, [
      'Version v1',
      'ContainerStatus 3f9e8d7c6b5a verbose=true',
      'PodSandboxStatus a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90 verbose=true',
    ]);
  } finally {
    hook?.close();
    fake.stop();
    removeSocketDirectory(fake.socketPath);
  }
});

test('a --cri path that is not a socket is named in a warning', () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = { write: (text: string) => void lines.push(JSON.parse(text)) };
  const missing = '/nonexistent/harrier-test/cri.sock';
  const hook = runtimeContainerHook(pino({ level: 'info' }, stream), { criSockets: [missing] });
  hook?.close();
  const warnings = lines.filter((line) => line.level === 40);
  assert.deepEqual(
    warnings.map((line) => [line.msg, line.socket]),
    [
      [
        '--cri path is not a socket (missing or another kind of file); pod containers are not described from it',
        missing,
      ],
    ],
  );
});
