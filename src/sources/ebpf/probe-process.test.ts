import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ProbeBinaryMissingError,
  ProbeFailedError,
  ProbeProcess,
  defaultProbeBinaryPath,
} from './probe-process.js';
import {
  countKernelDrops,
  type ProbeEventRecord,
  type ProbeRecord,
  type ProbeStatsRecord,
} from './frame-reader.js';
import { PROCEXIT_SLOT, SYSCALL_NUMBERS } from './syscall-selection.js';

const EXECVE_19_X = 293;
const OPENAT_2_X = 307;
const PROCEXIT_1_E = 186;
const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/build-probe.sh', import.meta.url));

/** Why the live tests cannot run here, or undefined when they can (building if needed). */
function liveProbeUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel has no BTF';
  if (existsSync(defaultProbeBinaryPath())) return undefined;
  try {
    execFileSync(BUILD_SCRIPT, { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? error);
    return `probe not built and scripts/build-probe.sh failed: ${output.trim().slice(-300)}`;
  }
}

const unavailable = liveProbeUnavailable();

function skipUnlessLive(t: TestContext): boolean {
  if (!unavailable) return false;
  console.log(`skipping eBPF test: ${unavailable}`);
  t.skip(unavailable);
  return true;
}

/** Parameter byte slices of a raw libscap event. */
function params(event: ProbeEventRecord): Buffer[] {
  const bytes = Buffer.from(
    event.rawBytes.buffer,
    event.rawBytes.byteOffset,
    event.rawBytes.length,
  );
  const count = bytes.readUInt32LE(22);
  const slices: Buffer[] = [];
  let offset = 26 + count * 2;
  for (let i = 0; i < count; i++) {
    const length = bytes.readUInt16LE(26 + i * 2);
    slices.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return slices;
}

const text = (bytes: Buffer | undefined): string =>
  (bytes ?? Buffer.alloc(0)).toString().replace(/\0$/, '');
const int64 = (bytes: Buffer | undefined): bigint => (bytes ? bytes.readBigInt64LE(0) : -1n);

/** Reads records into `sink` until `done` says so, or fails after `timeoutMs`. */
async function readUntil(
  probe: ProbeProcess,
  sink: ProbeRecord[],
  done: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const iterator = probe[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error('timed out waiting for probe records');
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), remaining)),
      ),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error('timed out waiting for probe records');
    if (next.done) return;
    sink.push(next.value);
  }
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('spawn', () => child.pid !== undefined && resolve(child.pid));
  });
}

const slot = (name: string): number => SYSCALL_NUMBERS.get(name) ?? -1;
const events = (records: ProbeRecord[]): ProbeEventRecord[] =>
  records.filter((record): record is ProbeEventRecord => record.kind === 'event');

test('reports execve, openat and procexit of /bin/cat with its tid (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({
    slots: [slot('execve'), slot('openat'), PROCEXIT_SLOT],
  });
  const records: ProbeRecord[] = [];
  try {
    const pid = await run('/bin/cat', ['/etc/hostname']);
    const mine = (code: number) => events(records).filter((e) => e.tid === pid && e.code === code);
    const opensHostname = (e: ProbeEventRecord) => text(params(e)[2]) === '/etc/hostname';
    await readUntil(
      probe,
      records,
      () =>
        mine(EXECVE_19_X).length > 0 &&
        mine(OPENAT_2_X).some(opensHostname) &&
        mine(PROCEXIT_1_E).length > 0,
    );

    const exec = params(mine(EXECVE_19_X)[0]!);
    assert.equal(exec.length, 31);
    assert.equal(int64(exec[0]), 0n); // res
    assert.equal(text(exec[1]), '/bin/cat'); // exe
    assert.equal(text(exec[2]), '/etc/hostname'); // args
    assert.equal(int64(exec[3]), BigInt(pid)); // tid
    assert.equal(int64(exec[4]), BigInt(pid)); // pid
    assert.equal(int64(exec[5]), BigInt(process.pid)); // ptid: this test's thread
    assert.equal(text(exec[13]), 'cat'); // comm
    assert.match(text(exec[27]), /\/cat$/); // trusted_exepath
    assert.equal(text(exec[30]), '/bin/cat'); // filename
    assert.equal(exec[26]?.readUInt32LE(0), 0); // uid (euid): root

    const open = params(mine(OPENAT_2_X).find(opensHostname)!);
    assert.equal(open.length, 7);
    assert.ok(int64(open[0]) >= 0n, 'openat returned a descriptor');
    assert.equal(int64(open[1]), -100n); // dirfd AT_FDCWD
    assert.equal((open[3]?.readUInt32LE(0) ?? 0) & 3, 1); // flags: O_RDONLY in scap's encoding
    assert.ok((open[6]?.readBigUInt64LE(0) ?? 0n) > 0n, 'inode number filled');

    const exit = params(mine(PROCEXIT_1_E)[0]!);
    assert.equal(int64(exit[1]), 0n); // ret: cat succeeded
  } finally {
    await probe.stop();
  }
});

test('the environment of a failed execve is cut at 4096 bytes in all, as libscap keeps it (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({ slots: [slot('execve')] });
  const records: ProbeRecord[] = [];
  try {
    // perl's exec passes its environment as envp; the path does not exist, so execve fails
    // and the probe takes the environment from envp: two variables of 3,000 bytes each.
    const child = spawn('/usr/bin/perl', ['-e', 'exec("/nonexistent/harrier-env-cut")'], {
      stdio: 'ignore',
      env: { BIG_A: 'a'.repeat(3000), BIG_B: 'b'.repeat(3000) },
    });
    const pid = child.pid!;
    const failed = () =>
      events(records).filter(
        (e) => e.tid === pid && e.code === EXECVE_19_X && int64(params(e)[0]) < 0n,
      );
    await readUntil(probe, records, () => failed().length > 0);
    const env = params(failed()[0]!)[15]!;
    assert.equal(env.length, 4096);
    assert.ok(env.toString().startsWith(`BIG_A=${'a'.repeat(3000)}\0BIG_B=bbb`));
    assert.equal(env[4095], 0, 'the cut string still ends with its NUL');
  } finally {
    await probe.stop();
  }
});

test('drops syscalls that are not enabled, and attaches nothing for an enabled one without a handler (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  // Only getppid is enabled, and the probe has no handler for it, so no tracepoint is attached
  // for it: its calls never reach a program. execve, openat and exit are not enabled at all.
  const probe = await ProbeProcess.start({ slots: [slot('getppid')], statsIntervalMs: 100 });
  const records: ProbeRecord[] = [];
  try {
    await run('/usr/bin/perl', ['-e', 'getppid() for 1..2000; open(F, "/etc/hostname")']);
    probe.requestSync(7);
    await readUntil(probe, records, () =>
      records.some((record) => record.kind === 'stats' && record.token === 7),
    );
    const stats = records.filter((r): r is ProbeStatsRecord => r.kind === 'stats').at(-1)!;
    assert.equal(stats.counters.eventsSeen, 0);
    assert.equal(stats.counters.noHandler, 0);
    assert.deepEqual(events(records), []);
  } finally {
    await probe.stop();
  }
});

/** Pids of this process's children named harrier-probe (the loaders it started). */
function loaderPids(): number[] {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(
      (pid) => pid !== '' && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'harrier-probe',
    )
    .map(Number);
}

/** Open descriptors of `pid` that are perf events: one per attached syscall tracepoint. */
function perfEventFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[perf_event]';
    } catch {
      return false; // closed between listing and reading
    }
  }).length;
}

test('attach-only attaches the tracepoint of every listed syscall but builds no event (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({
    slots: [slot('openat'), slot('close'), slot('execve')],
    attachOnly: true,
  });
  const records: ProbeRecord[] = [];
  try {
    const [loader] = loaderPids();
    assert.ok(loader !== undefined, 'the loader is a child of this process');
    assert.equal(perfEventFds(loader), 3, 'one perf event per syscall tracepoint');
    await run('/bin/cat', ['/etc/hostname']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    probe.requestSync(3);
    await readUntil(probe, records, () =>
      records.some((record) => record.kind === 'stats' && record.token === 3),
    );
    const stats = records.filter((r): r is ProbeStatsRecord => r.kind === 'stats').at(-1)!;
    assert.equal(stats.counters.eventsSeen, 0);
    assert.deepEqual(events(records), []);
  } finally {
    await probe.stop();
  }
});

test('reports only the successful calls of a succeeded-only syscall and counts the failed ones (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const openat = slot('openat');
  const probe = await ProbeProcess.start({ slots: [openat], succeededOnly: [openat] });
  const records: ProbeRecord[] = [];
  const missing = join(mkdtempSync(join(tmpdir(), 'harrier-probe-')), 'missing');
  try {
    // cat opens the missing file (ENOENT), then /etc/hostname.
    const pid = await run('/bin/cat', [missing, '/etc/hostname']);
    const opens = () => events(records).filter((e) => e.tid === pid && e.code === OPENAT_2_X);
    await readUntil(probe, records, () =>
      opens().some((e) => text(params(e)[2]) === '/etc/hostname'),
    );
    probe.requestStats();
    await readUntil(probe, records, () => records.at(-1)?.kind === 'stats');
    assert.deepEqual(
      opens().filter((e) => int64(params(e)[0]) < 0n),
      [],
    );
    assert.ok(!opens().some((e) => text(params(e)[2]) === missing));
    const stats = records.filter((r): r is ProbeStatsRecord => r.kind === 'stats').at(-1);
    assert.ok((stats?.counters.skippedFailed ?? 0) >= 1, 'the failed open is counted');
  } finally {
    await probe.stop();
  }
});

test('switches syscalls on at run time through the control line (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({ slots: [] });
  const records: ProbeRecord[] = [];
  try {
    const first = await run('/bin/cat', ['/etc/hostname']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    probe.setSlots([slot('openat')]);
    probe.requestStats(); // the loader handles lines in order: the filter is set before this frame
    await readUntil(probe, records, () => records.some((r) => r.kind === 'stats'));
    const second = await run('/bin/cat', ['/etc/hostname']);
    await readUntil(probe, records, () => events(records).some((e) => e.tid === second));
    assert.deepEqual(
      events(records).filter((e) => e.tid === first),
      [],
    );
    assert.ok(events(records).every((e) => e.code === OPENAT_2_X));
  } finally {
    await probe.stop();
  }
});

test('stopping builds no more events: nothing is dropped while the loader detaches, even under a flood (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  // A 1 MiB ring holds about 10,000 opens: a flood of 100,000+ a second overflows it within
  // 0.1 s of any pause. The loader must turn the probe off before its (slow) detaches.
  // Forty tracepoints, as Falco's rules need: their detaches, one after another, took seconds.
  const names = (
    'openat open openat2 creat close dup dup2 dup3 socket connect accept accept4 bind listen ' +
    'sendto sendmsg execve execveat clone clone3 fork vfork chdir fchdir setuid setgid ' +
    'setreuid setregid setresuid setresgid prctl ptrace link linkat symlink symlinkat ' +
    'memfd_create unlink unlinkat rename'
  ).split(' ');
  const probe = await ProbeProcess.start({ slots: names.map(slot), ringBufferMb: 1 });
  const flood = spawn('perl', ['-e', 'while (1) { open(F, "/etc/hostname") and close(F) }'], {
    stdio: 'ignore',
  });
  try {
    let lastDrops = 0;
    const reading = (async () => {
      for await (const batch of probe.batches())
        for (const record of batch.records)
          if (record.kind === 'stats') lastDrops = countKernelDrops(record.counters);
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    probe.requestSync(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const beforeStop = lastDrops;
    const exit = await probe.stop();
    await reading;
    const finalDrops = countKernelDrops(exit.finalStats!.counters);
    // Drops between the sync and the stop are allowed (the reader may lag the flood), but not
    // the tens of thousands a ring left full during the detaches would give.
    assert.ok(finalDrops - beforeStop < 5000, `dropped ${finalDrops - beforeStop} while stopping`);
  } finally {
    flood.kill('SIGKILL');
  }
});

test('writes periodic stats frames and a final one that counts every frame (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({ slots: [slot('openat')], statsIntervalMs: 100 });
  const records: ProbeRecord[] = [];
  const stats = () => records.filter((r): r is ProbeStatsRecord => r.kind === 'stats');
  await readUntil(probe, records, () => stats().length >= 3);
  const exit = await probe.stop();
  for await (const record of probe) records.push(record);

  const [a, b] = stats();
  assert.ok(a && b && b.ts > a.ts, 'stats timestamps increase');
  assert.ok(b.counters.eventsSeen >= a.counters.eventsSeen);
  assert.equal(exit.code, 0);
  const final = exit.finalStats;
  assert.ok(final, 'a final stats frame arrived');
  // every frame written before the final one reached us: ready, events and earlier stats
  assert.equal(final.counters.framesWritten, 1 + records.length - 1);
  assert.equal(final.counters.eventsSent, events(records).length);
  assert.equal(final.counters.eventsSeen, final.counters.eventsSent);
});

test('names the build script when the loader binary is missing', async () => {
  await assert.rejects(
    ProbeProcess.start({ slots: [], binaryPath: '/nonexistent/harrier-probe' }),
    (error: unknown) =>
      error instanceof ProbeBinaryMissingError && /scripts\/build-probe\.sh/.test(error.message),
  );
});

test("reports the loader's one-line error when it cannot start", async () => {
  const fake = join(mkdtempSync(join(tmpdir(), 'harrier-probe-')), 'fake-probe');
  writeFileSync(fake, '#!/bin/sh\necho "harrier-probe: error: must run as root" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
  await assert.rejects(
    ProbeProcess.start({ slots: [], binaryPath: fake }),
    (error: unknown) => error instanceof ProbeFailedError && error.reason === 'must run as root',
  );
});

/**
 * A stand-in loader: writes a READY frame, then `stderrLines`, and exits 0 as the loader does
 * after a signal or the end of its stdin.
 */
function fakeLoader(stderrLines: string[]): string {
  const fake = join(mkdtempSync(join(tmpdir(), 'harrier-probe-')), 'fake-probe');
  const script = `#!${process.execPath}
const frame = Buffer.alloc(8 + 84);
frame.writeUInt32LE(84, 0);
frame.writeUInt32LE(3, 4);
process.stdout.write(frame, () => {
  process.stderr.write(${JSON.stringify(stderrLines.map((line) => `${line}\n`).join(''))});
  setTimeout(() => process.exit(0), 50);
});
`;
  writeFileSync(fake, script);
  chmodSync(fake, 0o755);
  return fake;
}

/** The error the iteration ends with, or undefined when it ends cleanly. */
async function iterationError(probe: ProbeProcess): Promise<unknown> {
  try {
    let records = 0;
    for await (const record of probe) if (record) records++;
    return records === 0 ? undefined : new Error(`a fake loader sent ${records} records`);
  } catch (error) {
    return error;
  }
}

test('a loader stopped by a signal Harrier did not send fails the iteration naming the signal', async () => {
  const probe = await ProbeProcess.start({
    slots: [],
    binaryPath: fakeLoader([
      'harrier-probe: stopped: events_seen=0',
      'harrier-probe: stopped by SIGTERM',
    ]),
  });
  const error = await iterationError(probe);
  assert.ok(error instanceof ProbeFailedError, String(error));
  assert.equal(error.reason, 'loader stopped by SIGTERM, which Harrier did not send');
});

test('a loader that ends with status 0 and no signal ends the iteration cleanly', async () => {
  const probe = await ProbeProcess.start({
    slots: [],
    binaryPath: fakeLoader(['harrier-probe: stopped: events_seen=0']),
  });
  assert.equal(await iterationError(probe), undefined);
});

test('a sync frame follows every event captured before it was asked for (needs root and eBPF)', async (t) => {
  if (skipUnlessLive(t)) return;
  const probe = await ProbeProcess.start({ slots: [slot('openat')], statsIntervalMs: 60_000 });
  const records: ProbeRecord[] = [];
  try {
    // cat's opens are in the kernel ring when the sync is asked for, before any poll read them.
    const child = spawn('/bin/cat', ['/etc/hostname', '/etc/os-release'], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const pid = child.pid;
    probe.requestSync(7);
    await readUntil(probe, records, () => records.some((r) => r.kind === 'stats' && r.token === 7));
    const barrier = records.findIndex((r) => r.kind === 'stats' && r.token === 7);
    const opened = records
      .slice(0, barrier)
      .filter((r): r is ProbeEventRecord => r.kind === 'event' && r.tid === pid && r.code === OPENAT_2_X)
      .map((event) => text(params(event)[2]));
    assert.ok(opened.includes('/etc/hostname') && opened.includes('/etc/os-release'), opened.join());
    const periodic = records.filter((r) => r.kind === 'stats' && r.token === 0).length;
    assert.equal(periodic, 0, 'the interval is a minute: the frame is the sync answer');
  } finally {
    await probe.stop();
  }
}); // prettier-ignore
