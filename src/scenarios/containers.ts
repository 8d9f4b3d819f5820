/**
 * The podman containers the scenario suite acts in: one plain and one privileged, both from the
 * local busybox image, run with runc and the cgroupfs manager, with the scratch directory
 * mounted at /scn. They only sleep until the suite execs behaviours into them.
 * @internal
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The local image scripts/container-setup.sh builds from busybox-static. */
const scenarioImage = 'localhost/harrier-busybox:latest';
/** The image repository a rule sees (`container.image.repository`). */
export const scenarioImageRepository = 'localhost/harrier-busybox';

const podmanGlobal = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];

/** One running scenario container. */
export interface ScenarioContainer {
  name: string;
  /** The full 64-hex id; rules see its first 12 characters as `container.id`. */
  id: string;
  privileged: boolean;
}

/** Runs podman with the suite's runtime settings; resolves with stdout, throws on failure. */
export async function podman(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await execFileAsync('podman', [...podmanGlobal, ...args], {
    timeout: timeoutMs,
  });
  return stdout;
}

/** The podman API socket scripts/container-setup.sh serves, which container metadata reads. */
const PODMAN_SOCKET = '/run/podman/podman.sock';

/** Why the podman API cannot be asked here, or undefined when it answers. */
export function podmanApiSkipReason(): string | undefined {
  try {
    const answer = execFileSync(
      'curl',
      ['-s', '--max-time', '2', '--unix-socket', PODMAN_SOCKET, 'http://d/_ping'],
      { encoding: 'utf8' },
    );
    if (answer.includes('OK')) return undefined;
  } catch {
    // reported below
  }
  return `the podman API does not answer on ${PODMAN_SOCKET} (scripts/container-setup.sh starts it)`;
}

/** Why containers cannot run here, or undefined when podman and the image are present. */
export function containerSkipReason(): string | undefined {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'podman is not installed (scripts/container-setup.sh installs it)';
  }
  try {
    execFileSync('podman', ['image', 'exists', scenarioImage], { stdio: 'ignore' });
  } catch {
    return `the image ${scenarioImage} is missing (scripts/container-setup.sh builds it)`;
  }
  return undefined;
}

/** Starts a sleeping container named `name` with `scratch` at /scn. */
export async function startContainer(
  name: string,
  scratch: string,
  privileged: boolean,
): Promise<ScenarioContainer> {
  const flags = privileged ? ['--privileged'] : [];
  const args = [
    'run',
    '-d',
    '--name',
    name,
    ...flags,
    '-v',
    `${scratch}:/scn`,
    scenarioImage,
    'sleep',
    '3600',
  ];
  try {
    const id = (await podman(args)).trim();
    return { name, id, privileged };
  } catch (error) {
    // A container that was created but failed to start would outlive the suite.
    await podman(['rm', '-f', '-t', '0', name]).catch(() => undefined);
    throw error;
  }
}

/** Removes the container at once; never throws (cleanup path). */
export async function removeContainer(container: ScenarioContainer): Promise<void> {
  await podman(['rm', '-f', '-t', '0', container.name]).catch(() => undefined);
}
