/**
 * Live check of the whole container path on this machine (needs root and podman): a container
 * started with podman (runc, cgroupfs manager, the local busybox image) is found from its
 * process's cgroups and named by the podman API.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ContainerMetadata, findRuntimeClients } from '../../sources/container-runtime/index.js';
import { parseCgroupLines } from './container-id.js';
import { containerFieldValue, containerIdFromCgroups } from './index.js';

const execFileAsync = promisify(execFile);
const setupScript = fileURLToPath(new URL('../../../scripts/container-setup.sh', import.meta.url));
const image = 'localhost/harrier-busybox:latest';
const podmanGlobal = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'podman is not installed (scripts/container-setup.sh installs it as root)';
  }
  return undefined;
}

async function podman(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('podman', [...podmanGlobal, ...args], { timeout: 60_000 });
  return stdout.trim();
}

/** Runs `sleep 30` in a new container; returns its full id, the sleep pid and the start time. */
async function startSleeper(name: string, privileged: boolean) {
  const started = performance.now();
  const fullId = await podman([
    'run',
    '-d',
    '--name',
    name,
    ...(privileged ? ['--privileged'] : []),
    image,
    'sleep',
    '30',
  ]);
  const startMs = performance.now() - started;
  const pid = Number(await podman(['inspect', '-f', '{{.State.Pid}}', fullId]));
  return { fullId, pid, startMs };
}

async function checkContainer(t: TestContext, metadata: ContainerMetadata, privileged: boolean) {
  const name = `harrier-test-${randomBytes(4).toString('hex')}`;
  try {
    const { fullId, pid, startMs } = await startSleeper(name, privileged);
    assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'sleep');
    const id = containerIdFromCgroups(
      parseCgroupLines(readFileSync(`/proc/${pid}/cgroup`, 'utf8')),
    );
    assert.equal(id, fullId.slice(0, 12));

    const asked = performance.now();
    const info = await metadata.lookup(id, { waitMs: 2000 });
    const lookupMs = performance.now() - asked;
    const cachedAt = performance.now();
    assert.equal(await metadata.lookup(id), info);
    const cachedMs = performance.now() - cachedAt;
    t.diagnostic(
      `${privileged ? 'privileged ' : ''}container ${name}: podman run ${startMs.toFixed(0)} ms, ` +
        `API lookup ${lookupMs.toFixed(1)} ms, cached lookup ${cachedMs.toFixed(3)} ms`,
    );

    assert.ok(info !== undefined, `the API knows container ${id}`);
    assert.equal(containerFieldValue('container.id', info), id);
    assert.equal(containerFieldValue('container.full_id', info), fullId);
    assert.equal(containerFieldValue('container.name', info), name);
    assert.equal(containerFieldValue('container.image', info), image);
    assert.equal(
      containerFieldValue('container.image.repository', info),
      'localhost/harrier-busybox',
    );
    assert.equal(containerFieldValue('container.image.tag', info), 'latest');
    assert.equal(containerFieldValue('container.type', info), 'podman');
    assert.equal(containerFieldValue('container.privileged', info), privileged);
    assert.match(String(containerFieldValue('container.ip', info)), /^\d+\.\d+\.\d+\.\d+$/);
  } finally {
    await podman(['rm', '-f', '-t', '0', name]).catch(() => undefined);
  }
}

test('a podman container is identified from its cgroups and named by the API (needs root and podman)', async (t) => {
  const reason = skipReason();
  if (reason !== undefined) {
    t.skip(reason);
    return;
  }
  execFileSync(setupScript, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });

  const { clients } = findRuntimeClients();
  assert.ok(clients.length > 0, 'the podman API socket exists after the set-up script');
  const metadata = new ContainerMetadata({ clients });
  try {
    await t.test('plain container', (sub) => checkContainer(sub, metadata, false));
    await t.test('privileged container', (sub) => checkContainer(sub, metadata, true));
    const hostId = containerIdFromCgroups(parseCgroupLines(readFileSync('/proc/1/cgroup', 'utf8')));
    assert.equal(hostId, 'host');
  } finally {
    metadata.close();
  }
});
