/**
 * Scenario behaviours on processes and sockets: shells from services and terminals, ptrace,
 * programs run from /dev/shm, a memfd or the container's writable layer, a module load attempt,
 * a reverse shell and netcat over loopback, a packet socket, key searches, user management.
 * Network traffic stays on 127.0.0.1 of the host or of the container's own namespace.
 * @internal
 */
import { mkdirSync, symlinkSync, copyFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { Behaviour, Place, RuleExpectation, ScenarioContext } from './scenario-types.js';

const everywhere: readonly Place[] = ['host', 'container'];
const helperName = 'harrier-scn';

/** A directory `marker/` in scratch holding a link named `name` to the helper. */
function helperAlias(scratch: string, marker: string, name: string): void {
  mkdirSync(path.join(scratch, marker), { recursive: true, mode: 0o755 });
  symlinkSync(`../${helperName}`, path.join(scratch, marker, name));
}

const inContainer = (place: Place) => place !== 'host';

function sandbox(expectation: RuleExpectation): RuleExpectation {
  return { ...expectation, note: 'falco-sandbox_rules.yaml' };
}

export const processBehaviours: Behaviour[] = [
  {
    name: 'shell-from-service',
    description: 'a program named nginx forks a shell',
    places: everywhere,
    prepare: (scratch, marker) => helperAlias(scratch, marker, 'nginx'),
    falco: () => ({
      rule: 'Run shell untrusted',
      fields: { 'proc.name': 'sh', 'proc.pname': 'nginx' },
    }),
    harrier: (place) => ({
      rule: inContainer(place)
        ? 'Shell spawned by a containerized application'
        : 'Shell spawned by a service',
      fields: { 'proc.name': 'sh', 'proc.pname': 'nginx' },
    }),
    act: async (c) =>
      void (await c.run([`${c.scratch}/${c.marker}/nginx`, 'spawn-shell', `true ${c.marker}`])),
  },
  {
    name: 'terminal-shell',
    description:
      'a shell with a terminal: on the host a program run by script(1) as its $SHELL forks sh; podman exec -it sh in a container',
    places: everywhere,
    prepare: (scratch, marker) => helperAlias(scratch, marker, 'tool'),
    falco: (place) =>
      inContainer(place)
        ? { rule: 'Terminal shell in container', fields: { 'proc.name': 'sh' } }
        : undefined,
    harrier: (place) => ({
      rule: inContainer(place)
        ? 'Terminal shell in container'
        : 'Terminal shell from an unusual parent',
      fields: { 'proc.name': 'sh' },
    }),
    act: async (c) => {
      if (c.place === 'host')
        await c.run([`true ${c.marker}`], {
          terminal: true,
          shell: `${c.scratch}/${c.marker}/tool`,
        });
      else await c.run(['sh', '-c', `true ${c.marker}`], { terminal: true });
    },
  },
  {
    name: 'recon-terminal',
    description: 'whoami run from an interactive terminal (script -qc)',
    places: ['host'],
    falco: () =>
      sandbox({ rule: 'Basic Interactive Reconnaissance', fields: { 'proc.name': 'whoami' } }),
    act: async (c) => void (await c.run(['whoami', c.marker], { terminal: true })),
  },
  {
    name: 'system-user-login',
    description: 'a program named login runs as the system user daemon',
    places: ['host'],
    prepare: (scratch, marker) => helperAlias(scratch, marker, 'login'),
    falco: () => ({
      rule: 'System user interactive',
      fields: { 'proc.name': 'login', 'user.name': 'daemon' },
    }),
    act: async (c) =>
      void (await c.run([`${c.scratch}/${c.marker}/login`, 'sleep', '0', c.marker], {
        user: 'daemon',
      })),
  },
  {
    name: 'ptrace-attach',
    description: 'PTRACE_ATTACH to a child of the helper',
    places: everywhere,
    falco: () => ({ rule: 'PTRACE attached to process', fields: { 'proc.name': helperName } }),
    harrier: () => ({ rule: 'Ptrace attached to a process', fields: { 'proc.name': helperName } }),
    act: async (c) => void (await c.run([c.helper, 'ptrace-attach', c.marker])),
  },
  {
    name: 'ptrace-traceme',
    description: 'PTRACE_TRACEME (anti-debugging)',
    places: everywhere,
    falco: () => ({ rule: 'PTRACE anti-debug attempt', fields: { 'proc.name': helperName } }),
    harrier: () => ({ rule: 'Ptrace anti-debugging', fields: { 'proc.name': helperName } }),
    act: async (c) => void (await c.run([c.helper, 'traceme', c.marker])),
  },
  {
    name: 'exec-dev-shm',
    description: 'a copy of true run from /dev/shm',
    places: ['host'],
    prepare: (_scratch, marker) => {
      copyFileSync('/bin/true', `/dev/shm/${marker}`);
      chmodSync(`/dev/shm/${marker}`, 0o755);
    },
    falco: () => ({ rule: 'Execution from /dev/shm', fields: { 'proc.exepath': /^\/dev\/shm\// } }),
    harrier: () => ({
      rule: 'Program run from /dev/shm',
      fields: { 'proc.exepath': /^\/dev\/shm\// },
    }),
    act: async (c) => void (await c.run([`/dev/shm/${c.marker}`])),
    cleanup: async (c) => void (await c.run(['rm', '-f', `/dev/shm/${c.marker}`])),
  },
  {
    name: 'exec-dev-shm-script',
    description: 'a shell runs a script from /dev/shm',
    places: ['container'],
    falco: () => ({ rule: 'Execution from /dev/shm', fields: { 'proc.name': 'sh' } }),
    act: async (c) => {
      await c.run(['sh', '-c', `echo true > /dev/shm/${c.marker}.sh`]);
      await c.run(['sh', `/dev/shm/${c.marker}.sh`]);
    },
  },
  {
    name: 'memfd-exec',
    description: 'a program copied into a memfd and run with fexecve',
    places: everywhere,
    falco: () => ({ rule: 'Fileless execution via memfd_create' }),
    harrier: () => ({ rule: 'Fileless program run from memory' }),
    act: async (c) => {
      const argv =
        c.place === 'host'
          ? ['/bin/true', 'true', c.marker]
          : ['/bin/busybox', 'busybox', 'true', c.marker];
      await c.run([c.helper, 'memfd-exec', ...argv]);
    },
  },
  {
    name: 'drop-and-exec',
    description: "a copy of busybox written to the container's writable layer and run",
    places: ['container'],
    // The run: the probe reports the exe as coming from the overlay upper layer.
    falco: () => ({
      rule: 'Drop and execute new binary in container',
      fields: { 'proc.exepath': /^\/tmp\/busybox-/ },
    }),
    harrier: () => ({
      rule: 'Program not in the image executed in container',
      fields: { 'proc.exepath': /^\/tmp\/busybox-/ },
    }),
    act: async (c) => {
      await c.run(['cp', '/bin/busybox', `/tmp/busybox-${c.marker}`]);
      await c.run([`/tmp/busybox-${c.marker}`, 'true']);
    },
  },
  {
    name: 'executable-written',
    description: "a copy of busybox written to the container's writable layer, not run",
    places: ['container'],
    harrier: () => ({
      rule: 'Executable file created in container',
      fields: { 'proc.name': 'cp' },
    }),
    act: async (c) => void (await c.run(['cp', '/bin/busybox', `/tmp/busybox-${c.marker}`])),
  },
  {
    name: 'module-load',
    description: 'init_module with a garbage buffer (refused by the kernel)',
    places: ['host', 'privileged-container'],
    falco: (place) =>
      inContainer(place)
        ? { rule: 'Linux Kernel Module Injection Detected', fields: { 'proc.name': helperName } }
        : undefined,
    harrier: () => ({ rule: 'Kernel module load attempted', fields: { 'proc.name': helperName } }),
    act: async (c) => void (await c.run([c.helper, 'init-module', c.marker])),
  },
  {
    name: 'release-agent',
    description:
      'a privileged container writes a file named release_agent (a scratch file, not a cgroup)',
    places: ['privileged-container'],
    falco: () => ({
      rule: 'Detect release_agent File Container Escapes',
      fields: { 'proc.name': 'touch' },
    }),
    harrier: () => ({
      rule: 'Container escape through a kernel interface',
      fields: { 'proc.name': 'touch' },
    }),
    act: async (c) => {
      await c.run(['mkdir', '-p', `/tmp/${c.marker}`]);
      await c.run(['touch', `/tmp/${c.marker}/release_agent`]);
    },
  },
  {
    name: 'debugfs',
    description: 'a program named debugfs run in a privileged container',
    places: ['privileged-container'],
    falco: () => ({
      rule: 'Debugfs Launched in Privileged Container',
      fields: { 'proc.name': 'debugfs' },
    }),
    harrier: () => ({
      rule: 'Namespace or host access tool run in container',
      fields: { 'proc.name': 'debugfs' },
    }),
    act: async (c) => {
      await c.run(['mkdir', '-p', `/tmp/${c.marker}`]);
      await c.run(['ln', '-s', '/bin/busybox', `/tmp/${c.marker}/debugfs`]);
      await c.run([`/tmp/${c.marker}/debugfs`, c.marker]);
    },
  },
  {
    name: 'reverse-shell',
    description: 'a shell whose stdin, stdout and stderr are a TCP socket to a loopback listener',
    places: everywhere,
    falco: (place) =>
      inContainer(place)
        ? {
            rule: 'Redirect STDOUT/STDIN to Network Connection in Container',
            count: 3,
            note: 'one alert per dup2 onto fd 0, 1 and 2',
          }
        : undefined,
    harrier: () => ({
      rule: 'Standard input redirected to a network socket',
      fields: { 'proc.name': helperName },
    }),
    act: async (c) => void (await c.run([c.helper, 'reverse-shell', `true ${c.marker}`])),
  },
  {
    name: 'netcat-exec',
    description: 'busybox nc with -e (connection refused on loopback port 9)',
    places: everywhere,
    prepare: (scratch, marker) => {
      mkdirSync(path.join(scratch, marker), { recursive: true });
      symlinkSync('/bin/busybox', path.join(scratch, marker, 'nc'));
    },
    falco: (place) =>
      inContainer(place)
        ? { rule: 'Netcat Remote Code Execution in Container', fields: { 'proc.name': 'nc' } }
        : {
            rule: 'Launch Suspicious Network Tool on Host',
            fields: { 'proc.name': 'nc' },
            note: "falco-incubating_rules.yaml; it is loaded before the sandbox file's netcat rule, and the first matching rule wins",
          },
    harrier: () => ({
      rule: 'Netcat or socat with program execution',
      fields: { 'proc.name': 'nc' },
    }),
    act: async (c) => {
      const nc = c.place === 'host' ? `${c.scratch}/${c.marker}/nc` : 'nc';
      await c.run([nc, '-e', `/${c.marker}`, '127.0.0.1', '9']);
    },
  },
  {
    name: 'packet-socket',
    description: 'socket(AF_PACKET, SOCK_RAW)',
    places: everywhere,
    falco: (place) =>
      inContainer(place)
        ? { rule: 'Packet socket created in container', fields: { 'proc.name': helperName } }
        : undefined,
    harrier: () => ({ rule: 'Packet socket created', fields: { 'proc.name': helperName } }),
    act: async (c) => void (await c.run([c.helper, 'packet-socket', c.marker])),
  },
  {
    name: 'search-private-keys',
    description: 'grep -r for a private key header in scratch',
    places: everywhere,
    falco: () => ({ rule: 'Search Private Keys or Passwords', fields: { 'proc.name': 'grep' } }),
    harrier: () => ({
      rule: 'Search for private keys or credentials',
      fields: { 'proc.name': 'grep' },
    }),
    act: async (c) =>
      void (await c.run(['grep', '-r', 'BEGIN RSA PRIVATE', `${c.scratch}/${c.marker}-absent`])),
  },
  {
    name: 'find-aws-credentials',
    description: 'grep for aws_secret_access_key in scratch',
    places: everywhere,
    falco: () => ({ rule: 'Find AWS Credentials', fields: { 'proc.name': 'grep' } }),
    harrier: () => ({
      rule: 'Search for private keys or credentials',
      fields: { 'proc.name': 'grep' },
    }),
    act: async (c) =>
      void (await c.run([
        'grep',
        '-r',
        'aws_secret_access_key',
        `${c.scratch}/${c.marker}-absent`,
      ])),
  },
  {
    name: 'user-management',
    description: 'groupadd --help (a user management binary; changes nothing)',
    places: ['host'],
    falco: () => ({
      rule: 'User mgmt binaries',
      fields: { 'proc.name': 'groupadd' },
      note: 'falco-incubating_rules.yaml',
    }),
    harrier: () => ({ rule: 'User account created', fields: { 'proc.name': 'groupadd' } }),
    act: async (c: ScenarioContext) => void (await c.run(['groupadd', '--help', c.marker])),
  },
  {
    name: 'account-removal',
    description: 'userdel --help (an account removal tool; changes nothing)',
    places: ['host'],
    falco: () => ({
      rule: 'User mgmt binaries',
      fields: { 'proc.name': 'userdel' },
      note: 'falco-incubating_rules.yaml',
    }),
    harrier: () => ({ rule: 'User account removed or locked', fields: { 'proc.name': 'userdel' } }),
    act: async (c: ScenarioContext) => void (await c.run(['userdel', '--help', c.marker])),
  },
];
