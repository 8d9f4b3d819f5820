/**
 * Live tests of the probe's syscall handlers: a C exerciser makes each call with known
 * arguments, and its events, decoded and run through the state engine exactly as `harrier run`
 * does, must read right through the rule fields (evt.type, evt.rawres, evt.arg.*, fd.name);
 * programs run as owners and non-owners, from a memfd and from a podman container's layers
 * must get the right proc.is_exe_* facts.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyscallEvent } from '../decode/event.js';
import { EventDecoder } from '../decode/event-decoder.js';
import { StateEngine } from '../decode/state/engine.js';
import {
  compileOutput,
  fieldTableFor,
  type FieldTable,
  type OutputFieldValue,
} from '../engine/index.js';
import type {
  ProbeEventRecord,
  ProbeReadyRecord,
  ProbeRecord,
} from '../sources/ebpf/frame-reader.js';
import {
  ProbeProcess,
  defaultProbeBinaryPath,
  type ProbeOptions,
} from '../sources/ebpf/probe-process.js';
import { PROCEXIT_SLOT, selectFilterSlots } from '../sources/ebpf/syscall-selection.js';
import { containerSkipReason, podman, removeContainer, startContainer } from './containers.js';
import { buildSyscallExerciser } from './syscall-exerciser.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-probe.sh', import.meta.url));
const PROCEXIT_1_E = 186;

function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel has no BTF';
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'gcc is missing (the exerciser is compiled at test time)';
  }
  if (existsSync(defaultProbeBinaryPath())) return undefined;
  try {
    execFileSync(BUILD_SCRIPT, { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `probe not built and scripts/build-probe.sh failed: ${String(error).slice(-300)}`;
  }
}

const unavailable = unavailableReason();

function skipUnlessLive(t: TestContext): boolean {
  if (unavailable === undefined) return false;
  t.skip(unavailable);
  return true;
}

let scratch = '';
let exerciser = '';
/** Events of the probe currently capturing. */
const records: ProbeEventRecord[] = [];
let current: ProbeProcess | undefined;
/** The READY record of the last probe started. */
let lastReady: ProbeReadyRecord | undefined;

before(() => {
  if (unavailable !== undefined) return;
  scratch = mkdtempSync(join(tmpdir(), 'harrier-syscalls-'));
  chmodSync(scratch, 0o755); // the exe tests run programs in it as the user daemon
  exerciser = buildSyscallExerciser(scratch);
});

after(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs `act` under a probe that captures only the events `names` and process exits: the
 * fewer events the host offers it, the less a busy host can overflow its ring buffer.
 */
async function capturing(
  names: string,
  act: () => Promise<void>,
  options: Pick<ProbeOptions, 'watchUnimplemented'> = {},
): Promise<void> {
  records.length = 0;
  const probe = await ProbeProcess.start({
    slots: [...selectFilterSlots(names.split(' ')).slots, PROCEXIT_SLOT],
    statsIntervalMs: 200,
    ...options,
  });
  current = probe;
  lastReady = probe.ready;
  const reading = (async () => {
    for await (const record of probe as AsyncIterable<ProbeRecord>)
      if (record.kind === 'event') records.push(record);
  })();
  try {
    await act();
  } finally {
    await probe.stop();
    await reading;
    current = undefined;
  }
}

/** Why events may be missing: the probe's drop counters, when any is non-zero. */
function dropNote(): string {
  const counters = current?.latestStats?.counters ?? {};
  const drops = Object.entries(counters).filter(
    ([name, value]) => name.startsWith('drop') && value,
  );
  return drops.length === 0 ? '' : ` (the probe dropped events: ${JSON.stringify(drops)})`;
}

/** Runs the exerciser with `args`; its pid and the `key=value` lines it printed. */
function exercise(args: string[]): Promise<{ pid: number; printed: Map<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = execFile(exerciser, args, (error, stdout) => {
      if (error) return reject(error);
      const printed = new Map(
        stdout
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => line.split('=', 2) as [string, string]),
      );
      resolve({ pid: child.pid!, printed });
    });
  });
}

/** Waits until the exit of process `pid` has come through. */
async function exitSeen(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!records.some((record) => record.tid === pid && record.code === PROCEXIT_1_E)) {
    if (Date.now() > deadline) throw new Error(`no exit event of ${pid} within 10 s${dropNote()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs the exerciser with `args` while the events `names` are captured; the field rows of its
 * events and the lines it printed.
 */
async function exerciseCaptured(
  names: string,
  args: string[],
  options: Pick<ProbeOptions, 'watchUnimplemented'> = {},
): Promise<{ rows: Row[]; printed: Map<string, string> }> {
  let result = { pid: 0, printed: new Map<string, string>() };
  await capturing(
    names,
    async () => {
      result = await exercise(args);
      await exitSeen(result.pid);
    },
    options,
  );
  return {
    rows: rowsOf(records.filter((record) => record.tid === result.pid)),
    printed: result.printed,
  };
}

const FIELDS = [
  'evt.type', 'evt.rawres', 'evt.res', 'fd.name', 'evt.arg.data', 'evt.arg.size', 'evt.arg.pos',
  'evt.rawarg.pid', 'evt.rawarg.tid', 'evt.arg.sig', 'evt.arg.tuple', 'evt.arg.flags', 'evt.arg.nstype',
  'evt.rawarg.flags', 'evt.arg.cmd',
]; // prettier-ignore

type Row = Record<string, OutputFieldValue>;

const formatter = (() => {
  const compiled = compileOutput(
    FIELDS.map((name) => `%${name}`).join(' '),
    fieldTableFor('syscall') as FieldTable<SyscallEvent>,
  );
  if (!compiled.ok) throw new Error(compiled.error.message);
  return compiled.formatter;
})();

/** The events decoded and applied to fresh state in arrival order, as rows of field values. */
function rowsOf(events: readonly ProbeEventRecord[]): Row[] {
  const decoder = new EventDecoder();
  const engine = new StateEngine();
  const rows: Row[] = [];
  for (const record of events) {
    const event = decoder.decode({ bytes: record.rawBytes, cpu: 0, flags: 0, hasParamCount: true });
    assert.ok(event, `event of code ${record.code} decodes`);
    engine.processEvent(event);
    rows.push(Object.fromEntries(formatter.format(event).fields));
  }
  return rows;
}

/** Only the named fields of each row, for exact comparison. */
function pick(rows: readonly Row[], names: readonly string[]): Row[] {
  return rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name]])));
}

test('pread, pwrite, readv, writev, preadv and pwritev carry data, sizes, positions and the file (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const { rows } = await exerciseCaptured('openat close pread pwrite readv writev preadv pwritev', [
    'file-io',
    scratch,
  ]);
  const file = join(scratch, 'data');
  const io = rows.filter(
    (row) =>
      row['fd.name'] === file &&
      /^p?(read|write)v?$/.test(String(row['evt.type'])) &&
      row['evt.type'] !== 'write',
  );
  assert.deepEqual(pick(io, ['evt.type', 'evt.rawres', 'evt.arg.data', 'evt.arg.size', 'evt.arg.pos', 'fd.name']), [
    { 'evt.type': 'pread', 'evt.rawres': 8, 'evt.arg.data': '456789ab', 'evt.arg.size': '8', 'evt.arg.pos': '4', 'fd.name': file },
    { 'evt.type': 'pwrite', 'evt.rawres': 3, 'evt.arg.data': 'XYZ', 'evt.arg.size': '3', 'evt.arg.pos': '2', 'fd.name': file },
    { 'evt.type': 'writev', 'evt.rawres': 11, 'evt.arg.data': 'hello world', 'evt.arg.size': '11', 'evt.arg.pos': null, 'fd.name': file },
    { 'evt.type': 'readv', 'evt.rawres': 12, 'evt.arg.data': '01XYZ56789ab', 'evt.arg.size': '12', 'evt.arg.pos': null, 'fd.name': file },
    { 'evt.type': 'preadv', 'evt.rawres': 12, 'evt.arg.data': '1XYZ56789abc', 'evt.arg.size': '12', 'evt.arg.pos': '1', 'fd.name': file },
    { 'evt.type': 'pwritev', 'evt.rawres': 11, 'evt.arg.data': 'hello world', 'evt.arg.size': '11', 'evt.arg.pos': '30', 'fd.name': file },
    { 'evt.type': 'pread', 'evt.rawres': 0, 'evt.arg.data': 'NULL', 'evt.arg.size': '8', 'evt.arg.pos': '1000', 'fd.name': file },
  ]); // prettier-ignore
});

test('truncate, ftruncate, utimensat, futimesat and fchmodat2 arrive as generic events named by evt.type (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const { rows } = await exerciseCaptured('truncate ftruncate utimensat futimesat fchmodat2', [
    'generic',
    scratch,
  ]);
  const generic = rows.filter((row) =>
    ['truncate', 'ftruncate', 'utimensat', 'futimesat', 'fchmodat2'].includes(
      String(row['evt.type']),
    ),
  );
  // libscap's generic events carry no result, so evt.rawres has no value
  assert.deepEqual(pick(generic, ['evt.type', 'evt.rawres']), [
    { 'evt.type': 'ftruncate', 'evt.rawres': null },
    { 'evt.type': 'truncate', 'evt.rawres': null },
    { 'evt.type': 'utimensat', 'evt.rawres': null },
    { 'evt.type': 'futimesat', 'evt.rawres': null },
    { 'evt.type': 'fchmodat2', 'evt.rawres': null },
  ]);
});

test('kill, tkill and tgkill carry the target and the signal (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const { rows, printed } = await exerciseCaptured('kill tkill tgkill', ['signals']);
  const child = Number(printed.get('child'));
  const signals = rows.filter((row) => /kill$/.test(String(row['evt.type'])));
  assert.deepEqual(pick(signals, ['evt.type', 'evt.res', 'evt.rawarg.pid', 'evt.rawarg.tid', 'evt.arg.sig']), [
    { 'evt.type': 'kill', 'evt.res': 'SUCCESS', 'evt.rawarg.pid': child, 'evt.rawarg.tid': null, 'evt.arg.sig': '0' },
    { 'evt.type': 'tkill', 'evt.res': 'SUCCESS', 'evt.rawarg.pid': null, 'evt.rawarg.tid': child, 'evt.arg.sig': 'SIGCONT' },
    { 'evt.type': 'tgkill', 'evt.res': 'SUCCESS', 'evt.rawarg.pid': child, 'evt.rawarg.tid': child, 'evt.arg.sig': 'SIGKILL' },
    { 'evt.type': 'kill', 'evt.res': 'ESRCH', 'evt.rawarg.pid': 0x3ffffff0, 'evt.rawarg.tid': null, 'evt.arg.sig': 'SIGTERM' },
  ]); // prettier-ignore
});

test('recvfrom, recvmsg, sendmmsg and recvmmsg carry data and the loopback tuple (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const { rows, printed } = await exerciseCaptured(
    'socket bind sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg',
    ['messages'],
  );
  const tuple = `127.0.0.1:${printed.get('client')}->127.0.0.1:${printed.get('server')}`;
  const messages = rows.filter((row) => /^(send|recv)/.test(String(row['evt.type'])));
  assert.deepEqual(pick(messages, ['evt.type', 'evt.rawres', 'evt.arg.data', 'evt.arg.size', 'evt.arg.tuple']), [
    { 'evt.type': 'sendto', 'evt.rawres': 4, 'evt.arg.data': 'ping', 'evt.arg.size': '4', 'evt.arg.tuple': tuple },
    { 'evt.type': 'recvfrom', 'evt.rawres': 4, 'evt.arg.data': 'ping', 'evt.arg.size': '64', 'evt.arg.tuple': tuple },
    { 'evt.type': 'sendmsg', 'evt.rawres': 4, 'evt.arg.data': 'abcd', 'evt.arg.size': '4', 'evt.arg.tuple': tuple },
    { 'evt.type': 'recvmsg', 'evt.rawres': 4, 'evt.arg.data': 'abcd', 'evt.arg.size': '4', 'evt.arg.tuple': tuple },
    { 'evt.type': 'sendmmsg', 'evt.rawres': 3, 'evt.arg.data': 'one', 'evt.arg.size': '3', 'evt.arg.tuple': tuple },
    { 'evt.type': 'sendmmsg', 'evt.rawres': 5, 'evt.arg.data': 'three', 'evt.arg.size': '5', 'evt.arg.tuple': tuple },
    { 'evt.type': 'recvmmsg', 'evt.rawres': 3, 'evt.arg.data': 'one', 'evt.arg.size': '3', 'evt.arg.tuple': tuple },
    { 'evt.type': 'recvmmsg', 'evt.rawres': 5, 'evt.arg.data': 'three', 'evt.arg.size': '5', 'evt.arg.tuple': tuple },
  ]); // prettier-ignore
});

test('unshare, setns, bpf and userfaultfd carry their flags and commands (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const { rows } = await exerciseCaptured('openat setns unshare bpf userfaultfd', ['kernel']);
  const calls = rows.filter((row) =>
    ['unshare', 'setns', 'bpf', 'userfaultfd'].includes(String(row['evt.type'])),
  );
  const O_NONBLOCK = 0o4000;
  const O_CLOEXEC = 0o2000000;
  assert.deepEqual(pick(calls, ['evt.type', 'evt.arg.flags', 'evt.arg.nstype', 'fd.name', 'evt.arg.cmd']), [
    { 'evt.type': 'unshare', 'evt.arg.flags': 'CLONE_NEWUTS', 'evt.arg.nstype': null, 'fd.name': null, 'evt.arg.cmd': null },
    { 'evt.type': 'setns', 'evt.arg.flags': null, 'evt.arg.nstype': 'CLONE_NEWUTS', 'fd.name': '/proc/self/ns/uts', 'evt.arg.cmd': null },
    { 'evt.type': 'bpf', 'evt.arg.flags': null, 'evt.arg.nstype': null, 'fd.name': '', 'evt.arg.cmd': 'BPF_PROG_LOAD' },
    // libscap passes userfaultfd's flags through as Linux's bits, which its O_* table then
    // reads as something else: O_NONBLOCK's bit is its O_LARGEFILE, O_CLOEXEC's bit no flag
    { 'evt.type': 'userfaultfd', 'evt.arg.flags': 'O_LARGEFILE', 'evt.arg.nstype': null, 'fd.name': '', 'evt.arg.cmd': null },
  ]); // prettier-ignore
  assert.equal(calls[3]?.['evt.rawarg.flags'], O_CLOEXEC | O_NONBLOCK);
  assert.deepEqual(
    calls.map((row) => Number(row['evt.rawres']) >= 0),
    [true, true, false, true],
    'unshare, setns and userfaultfd succeed; a bpf call without attributes is refused',
  );
});

test('each syscall is watched through its own tracepoint; one this kernel has no tracepoint for is seen only with watchUnimplemented (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const target = join(scratch, 'module-source');
  writeFileSync(target, 'not a module');
  const syscalls = { openat: 257, init_module: 175, finit_module: 313 };
  const traced = (name: string) =>
    existsSync(`/sys/kernel/tracing/events/syscalls/sys_exit_${name}`);
  for (const watchUnimplemented of [false, true]) {
    const { rows, printed } = await exerciseCaptured(
      Object.keys(syscalls).join(' '),
      ['modules', target],
      { watchUnimplemented },
    );
    const ready = lastReady!;
    for (const [name, number] of Object.entries(syscalls)) {
      assert.equal(ready.untracedSyscalls.includes(number), !traced(name), `${name} untraced`);
    }
    assert.equal(ready.rawPath, watchUnimplemented && ready.untracedSyscalls.length > 0);
    const opens = rows.filter((row) => row['evt.type'] === 'openat' && row['fd.name'] === target);
    assert.equal(opens.length, 1, 'the openat comes once, through its own tracepoint only');
    const expected = ['init_module', 'finit_module']
      .filter((name) => traced(name) || watchUnimplemented)
      .map((name) => ({ 'evt.type': name, 'evt.rawres': Number(printed.get(name)) }));
    const attempts = rows.filter((row) => String(row['evt.type']).endsWith('init_module'));
    assert.deepEqual(pick(attempts, ['evt.type', 'evt.rawres']), expected);
  }
});

const EXE_FIELDS = [
  'proc.exepath', 'proc.cmdline', 'user.uid', 'proc.is_exe_writable', 'proc.is_exe_upper_layer',
  'proc.is_exe_lower_layer', 'proc.is_exe_from_memfd',
]; // prettier-ignore

const exeFormatter = (() => {
  const compiled = compileOutput(
    EXE_FIELDS.map((name) => `%${name}`).join(' '),
    fieldTableFor('syscall') as FieldTable<SyscallEvent>,
  );
  if (!compiled.ok) throw new Error(compiled.error.message);
  return compiled.formatter;
})();

/** Field rows of the successful execs so far whose command line contains `marker`. */
function execRowsWith(marker: string): Row[] {
  const decoder = new EventDecoder();
  const engine = new StateEngine();
  const rows: Row[] = [];
  for (const record of records) {
    const event = decoder.decode({ bytes: record.rawBytes, cpu: 0, flags: 0, hasParamCount: true });
    if (event === undefined) continue;
    engine.processEvent(event);
    if (!/^execve/.test(event.info.name) || event.info.direction !== 'exit') continue;
    const row: Row = Object.fromEntries(exeFormatter.format(event).fields);
    if (String(row['proc.cmdline']).includes(marker)) rows.push(row);
  }
  return rows;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(command, args, (error) => (error ? reject(error) : resolve())),
  );
}

/** Waits until `count` execs carrying `marker` of the programs `exes` have come through. */
async function waitForExecs(marker: string, exes: (exe: string) => boolean, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = execRowsWith(marker).filter((row) => exes(String(row['proc.exepath'])));
    if (rows.length >= count) return rows;
    if (Date.now() > deadline)
      throw new Error(`saw ${rows.length} of ${count} execs of ${marker}${dropNote()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const facts = ['proc.exepath', 'user.uid', 'proc.is_exe_writable', 'proc.is_exe_from_memfd'];

test('execve flags: the exe is writable for its owner, by group or other bits, not otherwise; a memfd is marked (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const marker = `exe${process.pid}`;
  const copy = (name: string, mode: number, gid = 0): string => {
    const file = join(scratch, name);
    copyFileSync('/bin/true', file);
    chownSync(file, 0, gid);
    chmodSync(file, mode);
    return file;
  };
  const owned = copy('owned', 0o755);
  const otherWritable = copy('other-writable', 0o757);
  const groupWritable = copy('group-writable', 0o775, 1); // group daemon, daemon's own group
  const programs = [owned, otherWritable, groupWritable];
  let rows: Row[] = [];
  await capturing('execve execveat', async () => {
    await run(owned, [marker, 'root']);
    await run('runuser', ['-u', 'daemon', '--', owned, marker, 'daemon']);
    await run('runuser', ['-u', 'daemon', '--', otherWritable, marker, 'daemon']);
    await run('runuser', ['-u', 'daemon', '--', groupWritable, marker, 'daemon']);
    await exercise(['memfd-exec', '/bin/true', `memfd-${marker}`]);
    const ours = (exe: string) => programs.includes(exe) || exe.startsWith('memfd:');
    rows = await waitForExecs(marker, ours, 5);
  });
  assert.deepEqual(pick(rows, facts), [
    { 'proc.exepath': owned, 'user.uid': 0, 'proc.is_exe_writable': true, 'proc.is_exe_from_memfd': false },
    { 'proc.exepath': owned, 'user.uid': 1, 'proc.is_exe_writable': false, 'proc.is_exe_from_memfd': false },
    { 'proc.exepath': otherWritable, 'user.uid': 1, 'proc.is_exe_writable': true, 'proc.is_exe_from_memfd': false },
    { 'proc.exepath': groupWritable, 'user.uid': 1, 'proc.is_exe_writable': true, 'proc.is_exe_from_memfd': false },
    { 'proc.exepath': `memfd:memfd-${marker}`, 'user.uid': 0, 'proc.is_exe_writable': true, 'proc.is_exe_from_memfd': true },
  ]); // prettier-ignore
  for (const row of rows) {
    assert.equal(row['proc.is_exe_upper_layer'], false);
    assert.equal(row['proc.is_exe_lower_layer'], false);
  }
});

test("execve flags: in a podman container, a program copied into the writable layer is upper, the image's is lower (needs root, eBPF and podman)", async (t) => {
  if (skipUnlessLive(t)) return;
  const skip = containerSkipReason();
  if (skip !== undefined) return t.skip(skip);
  const marker = `layer${process.pid}`;
  const container = await startContainer(`hsys-${marker}`, scratch, false);
  try {
    // named busybox-*, the copy takes its first argument as the applet to run
    const copy = `/tmp/busybox-${marker}`;
    let rows: Row[] = [];
    await capturing('execve execveat', async () => {
      await podman(['exec', container.name, 'cp', '/bin/busybox', copy]);
      await podman(['exec', container.name, copy, 'true', marker, 'upper']);
      await podman(['exec', container.name, '/bin/busybox', 'true', marker, 'lower']);
      rows = await waitForExecs(marker, (exe) => exe === copy || exe === '/bin/busybox', 3);
    });
    const layers = ['proc.exepath', 'proc.is_exe_upper_layer', 'proc.is_exe_lower_layer'];
    assert.deepEqual(pick(rows, layers), [
      { 'proc.exepath': '/bin/busybox', 'proc.is_exe_upper_layer': false, 'proc.is_exe_lower_layer': true },
      { 'proc.exepath': copy, 'proc.is_exe_upper_layer': true, 'proc.is_exe_lower_layer': false },
      { 'proc.exepath': '/bin/busybox', 'proc.is_exe_upper_layer': false, 'proc.is_exe_lower_layer': true },
    ]); // prettier-ignore
  } finally {
    await removeContainer(container);
  }
});
