/**
 * Which filter slots to switch on in the probe's kernel filter, from event names as rules write
 * them in `evt.type` (`openat`, `execve`, `procexit`). Slots below 512 are x86_64 syscall
 * numbers; slot 512 is process exit. Everything not selected is dropped in the kernel.
 */
import { X86_64_SYSCALL_RUNS } from './syscall-numbers.js';

/** Filter slot of `procexit` (the sched_process_exit tracepoint). */
export const PROCEXIT_SLOT = 512;

/** Event names that differ from the name of the syscall behind them (libscap's `pread`). */
const EVENT_SYSCALL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['pread', 'pread64'],
  ['pwrite', 'pwrite64'],
];

/** x86_64 syscall number by name, and by event name where the two differ. */
export const SYSCALL_NUMBERS: ReadonlyMap<string, number> = (() => {
  const numbers = new Map(
    X86_64_SYSCALL_RUNS.flatMap(({ first, names }) =>
      names.split(' ').map((name, index) => [name, first + index] as const),
    ),
  );
  for (const [event, syscall] of EVENT_SYSCALL_NAMES) numbers.set(event, numbers.get(syscall)!);
  return numbers;
})();

/**
 * Syscalls the probe builds events for. A selected syscall outside this set passes the filter
 * but produces nothing; the probe counts it as `noHandler`.
 */
export const HANDLED_EVENT_NAMES: ReadonlySet<string> = new Set(
  (
    'execve execveat clone clone3 fork vfork open openat openat2 creat close dup dup2 dup3 ' +
    'unlink unlinkat rename renameat renameat2 link linkat symlink symlinkat mkdir mkdirat ' +
    'rmdir chmod fchmod fchmodat chown lchown fchown fchownat chdir fchdir mount umount2 ' +
    'init_module finit_module memfd_create read write pread pwrite readv writev preadv ' +
    'pwritev socket bind listen connect accept accept4 sendto recvfrom sendmsg recvmsg ' +
    'sendmmsg recvmmsg ptrace setuid setgid setreuid setregid setresuid setresgid kill tkill ' +
    'tgkill setns unshare bpf userfaultfd prctl procexit ' +
    // generic events: libscap has no event of their own for these, evt.type is the syscall
    'truncate ftruncate futimesat utimensat fchmodat2'
  ).split(' '),
);

/**
 * Events the state engine needs whatever the rules say: process lifecycle (so lineage and
 * credentials stay right; prctl marks the child subreapers that adopt orphans), descriptor
 * lifecycle (so `fd.name` is right), and the working directory (so relative paths resolve).
 */
export const STATE_EVENT_NAMES: readonly string[] = (
  'execve execveat clone clone3 fork vfork procexit prctl open openat openat2 creat close dup ' +
  'dup2 dup3 socket connect accept accept4 bind memfd_create chdir fchdir setuid setgid ' +
  'setreuid setregid setresuid setresgid'
).split(' ');

/**
 * Syscalls whose failed calls (result < 0) leave the state engine as it was: a failed open
 * adds no descriptor, a failed close removes none, a failed exec changes no process. The probe
 * may skip their failures when no rule can match them either (see `cli/failed-calls.ts`).
 */
export const STATE_IGNORES_FAILED: ReadonlySet<string> = new Set(
  'open openat openat2 creat close execve execveat'.split(' '),
);

/** The slots to enable, and the names that are neither syscalls nor `procexit`. */
export interface SlotSelection {
  slots: number[];
  unknown: string[];
}

/**
 * Maps event names to filter slots, sorted and without duplicates. Unknown names (for example
 * plugin or meta events) are returned apart rather than thrown, so a caller can warn once.
 *
 * @example
 * selectFilterSlots(['openat', 'execve', 'procexit']) // { slots: [59, 257, 512], unknown: [] }
 */
export function selectFilterSlots(names: Iterable<string>): SlotSelection {
  const slots = new Set<number>();
  const unknown: string[] = [];

  for (const name of names) {
    const slot = name === 'procexit' ? PROCEXIT_SLOT : SYSCALL_NUMBERS.get(name);
    if (slot === undefined) unknown.push(name);
    else slots.add(slot);
  }
  return { slots: [...slots].sort((a, b) => a - b), unknown };
}
