/**
 * Scenario behaviours on files: reads of sensitive files, writes below /etc and binary
 * directories, links over sensitive files, log and history clearing, permission bits. Every
 * path outside the scratch directory carries the behaviour's marker and is removed again in
 * `cleanup`; nothing existing is modified.
 * @internal
 */
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Behaviour, Place, RuleExpectation } from './scenario-types.js';

const everywhere: readonly Place[] = ['host', 'container'];

/** Creates an empty file without O_TRUNC (Node's 'w' flags carry it), so no "cleared" rule sees the set-up. */
function createEmpty(file: string): void {
  closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL));
}

/** A Falco expectation from the sandbox or incubating file rather than the stable one. */
function nonStable(file: 'sandbox' | 'incubating', expectation: RuleExpectation): RuleExpectation {
  return { ...expectation, note: `falco-${file}_rules.yaml` };
}

export const fileBehaviours: Behaviour[] = [
  {
    name: 'read-shadow',
    description: 'an untrusted program (head) opens /etc/shadow for reading (reads 0 bytes)',
    places: everywhere,
    falco: () => ({
      rule: 'Read sensitive file untrusted',
      fields: { 'proc.name': 'head', 'fd.name': '/etc/shadow' },
    }),
    harrier: () => ({
      rule: 'Sensitive file read by untrusted program',
      fields: { 'proc.name': 'head', 'fd.name': '/etc/shadow' },
    }),
    act: async (c) => {
      // A busybox image has no /etc/shadow; the container gets an empty one of its own.
      if (c.place !== 'host') await c.run(['sh', '-c', 'test -e /etc/shadow || touch /etc/shadow']);
      await c.run(['head', '-c', '0', '/etc/shadow', `${c.scratch}/${c.marker}-absent`]);
    },
  },
  {
    name: 'traversal-read',
    description: 'cat reads a (fake) private key through a path with ../ twice',
    places: everywhere,
    prepare: (scratch, marker) => {
      mkdirSync(path.join(scratch, marker, 'd'), { recursive: true });
      mkdirSync(path.join(scratch, marker, '.ssh'));
      writeFileSync(
        path.join(scratch, marker, '.ssh/id_rsa'),
        'not a key: harrier scenario file\n',
      );
    },
    falco: () => ({
      rule: 'Directory traversal monitored file read',
      fields: { 'proc.name': 'cat' },
    }),
    harrier: () => ({
      rule: 'SSH private key read by untrusted program',
      fields: { 'proc.name': 'cat' },
    }),
    act: async (c) => void (await c.run(['cat', `${c.scratch}/${c.marker}/d/../d/../.ssh/id_rsa`])),
  },
  {
    name: 'write-etc',
    description: 'touch creates a new file below /etc (removed right after)',
    places: everywhere,
    falco: () =>
      nonStable('sandbox', { rule: 'Write below etc', fields: { 'proc.name': 'touch' } }),
    harrier: () => ({ rule: 'Write below etc', fields: { 'proc.name': 'touch' } }),
    act: async (c) => void (await c.run(['touch', `/etc/${c.marker}`])),
    cleanup: async (c) => void (await c.run(['rm', '-f', `/etc/${c.marker}`])),
  },
  {
    name: 'write-bin',
    description: 'touch creates a new file in /usr/bin (removed right after)',
    places: everywhere,
    falco: () =>
      nonStable('sandbox', {
        rule: 'Write below binary dir',
        fields: { 'proc.name': 'touch', 'fd.name': /^\/usr\/bin\// },
      }),
    harrier: () => ({ rule: 'Write below binary directory', fields: { 'proc.name': 'touch' } }),
    act: async (c) => void (await c.run(['touch', `/usr/bin/${c.marker}`])),
    cleanup: async (c) => void (await c.run(['rm', '-f', `/usr/bin/${c.marker}`])),
  },
  {
    name: 'delete-bin',
    description: 'rm deletes a file from /usr/bin (one the behaviour created)',
    places: everywhere,
    falco: () =>
      nonStable('sandbox', { rule: 'Modify binary dirs', fields: { 'proc.name': 'rm' } }),
    harrier: () => ({
      rule: 'File deleted or renamed in binary directory',
      fields: { 'proc.name': 'rm' },
    }),
    act: async (c) => {
      await c.run(['touch', `/usr/bin/${c.marker}`]);
      await c.run(['rm', '-f', `/usr/bin/${c.marker}`]);
    },
  },
  {
    name: 'mkdir-bin',
    description: 'mkdir creates a directory in /usr/bin (removed right after)',
    places: everywhere,
    falco: () =>
      nonStable('sandbox', { rule: 'Mkdir binary dirs', fields: { 'proc.name': 'mkdir' } }),
    harrier: () => ({
      rule: 'Directory created below binary directory',
      fields: { 'proc.name': 'mkdir' },
    }),
    act: async (c) => void (await c.run(['mkdir', `/usr/bin/${c.marker}`])),
    cleanup: async (c) => void (await c.run(['rmdir', `/usr/bin/${c.marker}`])),
  },
  {
    name: 'symlink-shadow',
    description: 'ln -s makes a link in scratch pointing at /etc/shadow',
    places: everywhere,
    falco: () => ({
      rule: 'Create Symlink Over Sensitive Files',
      fields: { 'proc.name': 'ln', 'evt.arg.target': '/etc/shadow' },
    }),
    harrier: () => ({
      rule: 'Symlink created over a sensitive file',
      fields: { 'proc.name': 'ln' },
    }),
    act: async (c) =>
      void (await c.run(['ln', '-s', '/etc/shadow', `${c.scratch}/${c.marker}-link`])),
  },
  {
    name: 'hardlink-shadow',
    description: 'ln tries to hardlink /etc/shadow into /dev/shm (fails: another file system)',
    places: everywhere,
    falco: () => ({
      rule: 'Create Hardlink Over Sensitive Files',
      fields: { 'proc.name': 'ln', 'evt.arg.oldpath': '/etc/shadow' },
    }),
    harrier: () => ({
      rule: 'Hardlink created over a sensitive file',
      fields: { 'proc.name': 'ln' },
    }),
    act: async (c) => {
      // busybox ln checks the source first: without /etc/shadow it never calls link().
      if (c.place !== 'host') await c.run(['sh', '-c', 'test -e /etc/shadow || touch /etc/shadow']);
      await c.run(['ln', '/etc/shadow', `/dev/shm/${c.marker}-link`]);
    },
    cleanup: async (c) => void (await c.run(['rm', '-f', `/dev/shm/${c.marker}-link`])),
  },
  {
    name: 'clear-log',
    description: 'a shell truncates a log file it created in /var/log',
    places: everywhere,
    falco: () => ({ rule: 'Clear Log Activities', fields: { 'proc.name': 'sh' } }),
    harrier: () => ({ rule: 'Log file cleared', fields: { 'proc.name': 'sh' } }),
    act: async (c) => {
      await c.run(['mkdir', '-p', '/var/log']);
      await c.run(['touch', `/var/log/${c.marker}.log`]);
      await c.run(['sh', '-c', `: > /var/log/${c.marker}.log`]);
    },
    cleanup: async (c) => void (await c.run(['rm', '-f', `/var/log/${c.marker}.log`])),
  },
  {
    name: 'clear-history',
    description:
      "cp /dev/null over a .zsh_history in scratch (O_TRUNC; .bash_history would match Falco's shell configuration rule first)",
    places: everywhere,
    prepare: (scratch, marker) => {
      mkdirSync(path.join(scratch, marker));
      createEmpty(path.join(scratch, marker, '.zsh_history'));
    },
    falco: () =>
      nonStable('incubating', {
        rule: 'Delete or rename shell history',
        fields: { 'proc.name': 'cp' },
      }),
    harrier: () => ({ rule: 'Shell history tampered with', fields: { 'proc.name': 'cp' } }),
    act: async (c) =>
      void (await c.run(['cp', '/dev/null', `${c.scratch}/${c.marker}/.zsh_history`])),
  },
  {
    name: 'shell-config',
    description: 'touch writes a .bashrc in scratch',
    places: everywhere,
    prepare: (scratch, marker) => mkdirSync(path.join(scratch, marker)),
    falco: () =>
      nonStable('incubating', {
        rule: 'Modify Shell Configuration File',
        fields: { 'proc.name': 'touch' },
      }),
    harrier: () => ({
      rule: 'Shell configuration file modified',
      fields: { 'proc.name': 'touch' },
    }),
    act: async (c) => void (await c.run(['touch', `${c.scratch}/${c.marker}/.bashrc`])),
  },
  {
    name: 'hidden-file',
    description: 'touch creates a hidden file in scratch',
    places: everywhere,
    falco: () =>
      nonStable('sandbox', {
        rule: 'Create Hidden Files or Directories',
        fields: { 'proc.name': 'touch' },
        note: 'falco-sandbox_rules.yaml, disabled there: enabled by an override file',
      }),
    harrier: () => ({ rule: 'Hidden file or directory created', fields: { 'proc.name': 'touch' } }),
    act: async (c) => void (await c.run(['touch', `${c.scratch}/.${c.marker}`])),
  },
  {
    name: 'setuid-bit',
    description: 'chmod u+s on a scratch file',
    places: everywhere,
    prepare: (scratch, marker) => createEmpty(path.join(scratch, `${marker}-file`)),
    falco: () =>
      nonStable('incubating', {
        rule: 'Set Setuid or Setgid bit',
        fields: { 'proc.name': 'chmod' },
      }),
    harrier: () => ({ rule: 'Setuid or setgid bit set', fields: { 'proc.name': 'chmod' } }),
    act: async (c) => void (await c.run(['chmod', 'u+s', `${c.scratch}/${c.marker}-file`])),
  },
  {
    name: 'create-dev-file',
    description: 'touch creates a regular file in /dev (removed right after)',
    places: ['host'],
    falco: () =>
      nonStable('incubating', { rule: 'Create files below dev', fields: { 'proc.name': 'touch' } }),
    harrier: () => ({ rule: 'File created below /dev', fields: { 'proc.name': 'touch' } }),
    act: async (c) => void (await c.run(['touch', `/dev/${c.marker}`])),
    cleanup: async (c) => void (await c.run(['rm', '-f', `/dev/${c.marker}`])),
  },
  {
    name: 'remove-bulk-data',
    description: 'shred -u on a scratch file',
    places: ['host'],
    prepare: (scratch, marker) =>
      writeFileSync(path.join(scratch, `${marker}.bin`), 'scratch data\n'),
    falco: () => ({ rule: 'Remove Bulk Data from Disk', fields: { 'proc.name': 'shred' } }),
    harrier: () => ({ rule: 'Data destruction tool run', fields: { 'proc.name': 'shred' } }),
    act: async (c) => void (await c.run(['shred', '-u', `${c.scratch}/${c.marker}.bin`])),
  },
];
