/**
 * `harrier run` and `harrier record` on this host: real processes under the live probe.
 * These need root and eBPF; without them they are skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  execFile,
  spawn,
  spawnSync,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../testing/corpus.js';
import { preflightProblems } from './live-preflight.js';
import { formatCounters } from './run.js';
import type { LiveCounters } from './live-pipeline.js';

const execFileAsync = promisify(execFile);
const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const problems = preflightProblems();
const live =
  problems.length === 0 ? {} : { skip: problems.map((p) => `missing ${p.missing}`).join('; ') };
const ENV = { ...process.env, HARRIER_HOSTNAME: 'harrier-test-host' };

/** A running `harrier` with its output gathered. */
class Harrier {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    // A run's default store is the host's /var/lib/harrier: tests store only where they say.
    const named = args.includes('--store') || args.includes('-c') || args[0] !== 'run';
    const store = named ? [] : ['--no-store'];
    this.child = spawn(process.execPath, [HARRIER, ...args, ...store], { env: ENV });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Resolves once stderr matches `pattern` (at most `timeoutMs`). */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stderr)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in stderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** The pid of its probe loader (a child of this Harrier). */
  probePid(): number {
    const found = spawnSync('pgrep', ['-P', String(this.child.pid), '-x', 'harrier-probe'], {
      encoding: 'utf8',
    });
    const pid = Number(found.stdout.trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `no probe loader under ${this.child.pid}`);
    return pid;
  }

  async stop(): Promise<number | null> {
    await settle();
    this.child.kill('SIGINT');
    return this.exited;
  }

  /** The counters of the NDJSON 'stopped' log line that `--json` prints at the end. */
  stopped(): { counters: LiveCounters; failedReloads: number } {
    const line = this.stderr
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as { msg?: string })
      .find((entry) => entry.msg === 'stopped');
    assert.ok(line, `no 'stopped' line in stderr:\n${this.stderr}`);
    return line as unknown as { counters: LiveCounters; failedReloads: number };
  }

  /** The JSON alerts printed so far. */
  alerts(): Array<{ rule: string; output_fields: Record<string, unknown>; output: string }> {
    return this.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

/** Lets the probe's last events reach Harrier. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 700));

async function scratch(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'harrier-live-'));
}

async function ruleFile(directory: string, name: string, body: string): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, body);
  return file;
}

const openRule = (name: string, marker: string, output: string) => `
- rule: ${name}
  desc: an open of the test's marker file
  condition: evt.type in (open, openat, openat2) and fd.name = ${marker}
  output: "${output}"
  priority: WARNING
`;

test(
  'harrier run fires once for cat opening a marker file, with process and user fields (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule(
        'cat marker',
        marker,
        'open by %proc.name of %fd.name (parent=%proc.aname[1] user=%user.name)',
      ),
    );
    const harrier = new Harrier(['run', '-r', rules, '--json']);
    await harrier.waitFor(/live capture started/);
    await execFileAsync('cat', [marker]);
    assert.equal(await harrier.stop(), 0);

    const alerts = harrier.alerts();
    assert.equal(alerts.length, 1, harrier.stdout);
    assert.equal(alerts[0].rule, 'cat marker');
    assert.deepEqual(
      {
        name: alerts[0].output_fields['proc.name'],
        file: alerts[0].output_fields['fd.name'],
        parent: alerts[0].output_fields['proc.aname[1]'],
        user: alerts[0].output_fields['user.name'],
      },
      { name: 'cat', file: marker, parent: 'node', user: 'root' },
    );
    const { counters } = harrier.stopped();
    assert.equal(counters.alerts, 1);
    assert.equal(typeof counters.drops.byReason.buffer_full_process, 'number');
    assert.equal(typeof counters.drops.userspace, 'number');
  },
);

test(
  'harrier run names the captured syscalls this kernel has no tracepoint for, and sees them only with --watch-unimplemented-syscalls (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      `- rule: module load
  desc: an init_module call, refused or not
  condition: evt.type = init_module and proc.name = perl
  output: "init_module by %proc.name (res=%evt.res)"
  priority: WARNING
`,
    );
    // Without module support (this test machine) init_module has no tracepoint.
    const traced = existsSync('/sys/kernel/tracing/events/syscalls/sys_exit_init_module');
    for (const watch of [false, true]) {
      const flags = watch ? ['--watch-unimplemented-syscalls'] : [];
      const harrier = new Harrier(['run', '-r', rules, '--json', ...flags]);
      try {
        await harrier.waitFor(/live capture started/);
        // perl's syscall() writes into its string arguments: they must be variables
        await execFileAsync('perl', [
          '-e',
          'my ($i, $o) = ("garbage", ""); syscall(175, $i, 7, $o)',
        ]);
      } finally {
        assert.equal(await harrier.stop(), 0, harrier.stderr);
      }
      const warning = harrier.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; events?: string[] })
        .find((entry) => entry.msg?.startsWith('this kernel does not implement'));
      assert.deepEqual(warning?.events, traced || watch ? undefined : ['init_module']);
      assert.equal(
        harrier.stderr.includes('watched through the raw sys_exit tracepoint'),
        watch && !traced,
      );
      assert.deepEqual(
        harrier.alerts().map((alert) => alert.rule),
        traced || watch ? ['module load'] : [],
        harrier.stderr,
      );
    }
  },
);

test(
  'processes started before harrier run have their lineage from /proc (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    // The shell exists before Harrier; it opens the marker itself once told to.
    const shell = spawn('sh', ['-c', `read go; exec 3< ${marker}; echo done`]);
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule(
        'early shell',
        marker,
        '%proc.name %proc.pid %proc.ppid %proc.aname[1] %proc.aname[2] %proc.exepath',
      ),
    );
    const harrier = new Harrier(['run', '-r', rules, '--json']);
    await harrier.waitFor(/live capture started/);
    shell.stdin.write('go\n');
    await new Promise((resolve) => shell.on('close', resolve));
    await harrier.stop();

    const alerts = harrier.alerts();
    assert.equal(alerts.length, 1, harrier.stdout);
    const grandparent = readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim();
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(
        (index) =>
          alerts[0].output_fields[
            ['proc.name', 'proc.pid', 'proc.ppid', 'proc.aname[1]', 'proc.aname[2]'][index - 1]
          ],
      ),
      ['sh', shell.pid, process.pid, 'node', grandparent],
    );
    assert.match(String(alerts[0].output_fields['proc.exepath']), /\/(da|ba)?sh$/);
  },
);

test(
  'SIGHUP switches rules without stopping capture, and keeps them on a bad reload (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const [first, second] = [path.join(directory, 'first'), path.join(directory, 'second')];
    await writeFile(first, 'x');
    await writeFile(second, 'x');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule('first rule', first, '%fd.name'),
    );
    const harrier = new Harrier(['run', '-r', rules, '--json']);
    await harrier.waitFor(/live capture started/);
    await execFileAsync('cat', [first]);

    await writeFile(
      rules,
      `
- rule: second rule
  desc: a removal of the second marker, an event the first set did not capture
  condition: evt.type in (unlink, unlinkat) and evt.arg.name = ${second}
  output: "%proc.name removed %evt.arg.name"
  priority: NOTICE
`,
    );
    harrier.signal('SIGHUP');
    await harrier.waitFor(/rules reloaded/);
    await execFileAsync('cat', [first]);
    await execFileAsync('rm', [second]);
    await writeFile(rules, '- rule: [broken');
    harrier.signal('SIGHUP');
    await harrier.waitFor(/rule reload failed/);
    await writeFile(second, 'x');
    await execFileAsync('rm', [second]);
    await harrier.stop();

    assert.deepEqual(
      harrier.alerts().map((alert) => alert.rule),
      ['first rule', 'second rule', 'second rule'],
    );
    const stopped = harrier.stopped();
    assert.equal(stopped.counters.reloads, 1);
    assert.equal(stopped.failedReloads, 1);
    assert.match(harrier.stderr, /LOAD_ERR_YAML/);
  },
);

/**
 * A `-c` file whose line 3 is `priority:`, with `more` sections, and last the outputs: alerts to
 * stdout as JSON through the router.
 */
const reloadConfig = (state: string, rules: string, priority: string, more: string) =>
  `state_dir: ${state}
rules_files: [${rules}]
priority: ${priority}
store:
  enabled: false
${more}outputs:
  - name: out
    type: stdout
    format: json
`;

test(
  'SIGHUP re-reads the -c file: new rules_files, priority, rule_matching and append_output apply, a broken file is refused at its place, a changed outputs section is named for a restart (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const state = path.join(directory, 'state');
    await mkdir(state);
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const noticeRule = (name: string) => openRule(name, marker, '%fd.name').replace('WARNING', 'NOTICE');
    const first = await ruleFile(directory, 'first.yaml',
      openRule('first warning', marker, '%fd.name') + noticeRule('first notice'));
    const second = await ruleFile(directory, 'second.yaml',
      noticeRule('second notice') + openRule('second warning', marker, '%fd.name'));
    const appending = (text: string) => `append_output:\n  - extra_output: "${text}"\n`;
    const config = await ruleFile(directory, 'harrier.yaml',
      reloadConfig(state, first, 'warning', appending('appended-one')));
    const harrier = new Harrier(['run', '-c', config, '--json']);
    await harrier.waitFor(/live capture started/);
    await execFileAsync('cat', [marker]);

    // 'first' matching stops at 'second notice' unless rule_matching and priority both apply.
    const renewed = reloadConfig(state, second, 'notice',
      `rule_matching: all\n${appending('appended-two')}`);
    await writeFile(config, renewed);
    harrier.signal('SIGHUP');
    await harrier.waitFor(/rules reloaded/);
    await execFileAsync('cat', [marker]);

    await writeFile(config, reloadConfig(state, first, 'loud', appending('appended-three')));
    harrier.signal('SIGHUP');
    await harrier.waitFor(/configuration reload failed/);
    await execFileAsync('cat', [marker]);

    const alertsFile = path.join(directory, 'alerts.jsonl');
    await writeFile(config, `${renewed}  - name: file\n    type: file\n    path: ${alertsFile}\n`);
    harrier.signal('SIGHUP');
    await harrier.waitFor(/rules reloaded[\s\S]*rules reloaded/);
    await execFileAsync('cat', [marker]);
    assert.equal(await harrier.stop(), 0, harrier.stderr);

    const alerts = harrier.alerts().filter((alert) => /^(first|second) /.test(alert.rule));
    const twice = ['second notice', 'second warning'];
    assert.deepEqual(alerts.map((alert) => alert.rule), ['first warning', ...twice, ...twice, ...twice]);
    assert.deepEqual(
      alerts.map((alert) => / (appended-\w+)$/.exec(alert.output)?.[1]),
      ['appended-one', ...Array<string>(6).fill('appended-two')],
    );
    const logged = harrier.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const refused = logged.filter((entry) => entry.code === 'HARRIER_CONFIG_INVALID');
    assert.deepEqual(
      refused.map(({ file, line, column, key }) => ({ file, line, column, key })),
      [{ file: config, line: 3, column: 11, key: 'priority' }],
    );
    const restart = logged.filter((entry) => /apply only at start/.test(entry.msg));
    assert.deepEqual(restart.map((entry) => entry.sections), [['outputs']]);
    assert.equal(existsSync(alertsFile), false, 'the running outputs stay');
    const stopped = harrier.stopped();
    assert.equal(stopped.counters.reloads, 2);
    assert.equal(stopped.failedReloads, 1);
  },
); // prettier-ignore

test(
  'harrier run -w records what it judged, and replaying the file gives the same alerts (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const capture = path.join(directory, 'session.scap');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule(
        'marker open',
        marker,
        '%proc.name %proc.cmdline %proc.aname[1] %proc.aname[2] %fd.name %user.name %evt.num',
      ),
    );
    const harrier = new Harrier([
      'run',
      '-r',
      rules,
      '--json',
      '--time-format',
      'iso8601',
      '-w',
      capture,
    ]);
    await harrier.waitFor(/live capture started/);
    await execFileAsync('cat', [marker]);
    await execFileAsync('sh', ['-c', `cat ${marker} > /dev/null; head -c1 ${marker}`]);
    await execFileAsync('grep', ['x', marker]);
    assert.equal(await harrier.stop(), 0);
    assert.equal(harrier.alerts().length, 4, harrier.stdout);

    const replayed = await execFileAsync(
      process.execPath,
      [HARRIER, 'replay', capture, '-r', rules, '--json', '--time-format', 'iso8601'],
      { env: ENV },
    );
    assert.equal(replayed.stdout, harrier.stdout);
  },
);

test(
  'harrier record writes a capture that replays to the alerts of its workload (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const capture = path.join(directory, 'recorded.scap.gz');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule('marker open', marker, '%proc.name %proc.aname[1] %fd.name'),
    );
    const recorder = new Harrier(['record', '-w', capture, '--duration', '4']);
    await recorder.waitFor(/live capture started/);
    await execFileAsync('sh', ['-c', `cat ${marker}; cat ${marker}`]);
    assert.equal(await recorder.exited, 0);
    assert.match(recorder.stderr, /recorded \d+ events to .*recorded\.scap\.gz/);
    assert.match(
      recorder.stderr,
      /\n {2}start-up state: \d+ threads, \d+ fds\n {2}threads at stop: \d+ \(removed as gone from \/proc, exit not seen: \d+; refused, table full: \d+\)\n/,
    );

    const replayed = await execFileAsync(
      process.execPath,
      [HARRIER, 'replay', capture, '-r', rules, '--json'],
      { env: ENV },
    );
    const alerts = replayed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      alerts.map((alert) => [
        alert.output_fields['proc.name'],
        alert.output_fields['proc.aname[1]'],
      ]),
      [
        ['cat', 'sh'],
        ['cat', 'sh'],
      ],
    );
  },
);

const hasSysdig = spawnSync('sysdig', ['--version']).status === 0;

test(
  'harrier record --legacy-layout writes a capture sysdig 0.29 reads, with the workload in it; the current layout it refuses (needs root, eBPF and sysdig)',
  { skip: live.skip ?? (!hasSysdig && 'sysdig is not installed (scripts/test.sh installs it)') },
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const read = (capture: string) =>
      spawnSync('sysdig', ['-r', capture, '-p', '%proc.name %fd.name', `fd.name=${marker}`], {
        encoding: 'utf8',
      });
    for (const layout of [[], ['--legacy-layout']]) {
      const capture = path.join(directory, `${layout.length ? 'legacy' : 'current'}.scap`);
      const recorder = new Harrier(['record', '-w', capture, '--duration', '3', ...layout]);
      await recorder.waitFor(/live capture started/);
      await execFileAsync('cat', [marker]);
      assert.equal(await recorder.exited, 0, recorder.stderr);
      const result = read(capture);
      if (layout.length === 0) {
        // the loader's own bpf descriptors are in the fd lists: a type sysdig 0.29 predates
        assert.notEqual(result.status, 0);
        assert.match(result.stderr + result.stdout, /wrong fd type/);
      } else {
        assert.equal(result.status, 0, result.stderr);
        assert.ok(result.stdout.split('\n').includes(`cat ${marker}`), result.stdout);
      }
    }
  },
);

test('harrier run names a missing probe loader and exits 2', async () => {
  const result = spawnSync(process.execPath, [HARRIER, 'run'], {
    env: { ...ENV, HARRIER_PROBE_PATH: '/nonexistent/harrier-probe' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /cannot start live capture:\n.*missing the eBPF probe loader at \/nonexistent\/harrier-probe: build it with scripts\/build-probe\.sh/,
  );
  assert.equal(result.stdout, '');
});

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file));
const asNobody =
  setpriv !== undefined && process.geteuid?.() === 0
    ? {}
    : { skip: 'needs root and setpriv to drop to nobody' };

test('harrier run as a non-root user says root is missing and exits 2', asNobody, async () => {
  const args = [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    process.execPath,
    HARRIER,
    'run',
  ];
  const result = spawnSync(setpriv ?? '', args, { env: ENV, encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /missing root privileges \(loading eBPF programs needs them\): run it as root/,
  );
});

test('harrier record without root or probe exits 2 with the same message', async () => {
  const result = spawnSync(process.execPath, [HARRIER, 'record', '-w', '/tmp/never.scap'], {
    env: { ...ENV, HARRIER_PROBE_PATH: '/nonexistent/probe' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^harrier record: cannot start live capture:/);
  assert.ok(!existsSync('/tmp/never.scap'));
});

/**
 * Overflows the probe's ring (run with `--ringbuf-mb 1`) with opens of `file`, then waits for
 * the STATS frame that counts the drops. Harrier is stopped meanwhile: the loader blocks on the
 * full pipe, so the burst overflows the ring however fast Harrier would have read it.
 */
async function overflowRing(harrier: Harrier, file: string): Promise<void> {
  const burst = `const fs = require('fs'); for (let i = 0; i < 200000; i++) fs.closeSync(fs.openSync(${JSON.stringify(file)}, 'r'));`;
  harrier.signal('SIGSTOP');
  try {
    await execFileAsync(process.execPath, ['-e', burst]);
  } finally {
    harrier.signal('SIGCONT');
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

test(
  "kernel drops raise the syscall event drop alert, delivered to the configuration's outputs whatever its priority, and are counted at exit (needs root and eBPF)",
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule('never', '/nonexistent/marker', '%fd.name'),
    );
    // `priority` selects the rules to load; the Debug drop alert must still reach the file.
    const alertsFile = path.join(directory, 'alerts.jsonl');
    await mkdir(path.join(directory, 'state'));
    const config = await ruleFile(
      directory,
      'harrier.yaml',
      `priority: notice
state_dir: ${directory}/state
outputs:
  - name: file
    type: file
    path: ${alertsFile}
    format: json
`,
    );
    const harrier = new Harrier(['run', '-r', rules, '-c', config, '--ringbuf-mb', '1']);
    await harrier.waitFor(/live capture started/);
    await overflowRing(harrier, marker);
    await harrier.stop();

    const delivered = readFileSync(alertsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      delivered.map((alert) => [alert.rule, alert.priority]),
      [['Falco internal: syscall event drop', 'Debug']],
    );
    assert.match(
      delivered[0].output,
      /: Debug Falco internal: syscall event drop\. \d+ system calls dropped in last second\.$/,
    );
    const kernel = Number(/kernel drops: (\d+) \(/.exec(harrier.stderr)?.[1]);
    assert.ok(kernel > 0, harrier.stderr);
    assert.match(
      harrier.stderr,
      / WARN \S+: syscall events dropped; detection goes on without them/,
    );
    assert.match(harrier.stderr, /drop alerts: 1\n/);
  },
);

test(
  'a recording keeps the live drops: its replay raises the same drop alert, numbers later events alike and warns of the gap (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    const burstFile = path.join(directory, 'burst');
    await writeFile(marker, 'x');
    await writeFile(burstFile, 'x');
    const capture = path.join(directory, 'session.scap');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule('marker open', marker, '%proc.name %fd.name %evt.num'),
    );
    const args = ['-r', rules, '--json', '--time-format', 'iso8601'];
    const harrier = new Harrier(['run', ...args, '-w', capture, '--ringbuf-mb', '1', '--no-store']);
    await harrier.waitFor(/live capture started/);
    await overflowRing(harrier, burstFile);
    // Harrier may still be catching up (and dropping) on a busy machine: open the marker until
    // one open is judged, so the recording holds events after the gap.
    for (let tries = 0; tries < 20 && !harrier.stdout.includes('"marker open"'); tries++) {
      await execFileAsync('cat', [marker]);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(await harrier.stop(), 0);
    const fired = harrier.alerts().map((alert) => alert.rule);
    assert.equal(fired[0], 'Falco internal: syscall event drop', harrier.stdout);
    assert.ok(fired.includes('marker open'), harrier.stdout);
    const kernel = harrier.stopped().counters.drops.kernel;
    assert.ok(kernel > 0, harrier.stderr);

    const replayed = await execFileAsync(
      process.execPath,
      [HARRIER, 'replay', capture, ...args, '--no-store'],
      { env: ENV },
    );
    assert.equal(replayed.stdout, harrier.stdout);
    const warning = replayed.stderr
      .split('\n')
      .map((line) => (line.startsWith('{') ? JSON.parse(line) : {}))
      .find((line) => line.kernelDrops !== undefined);
    assert.equal(warning?.kernelDrops, kernel, replayed.stderr);
    assert.match(
      warning.msg,
      /the live capture lost \d+ events while this was recorded \(buffer_full/,
    );
  },
);

test(
  'a probe loader stopped by SIGTERM from elsewhere is named before the counters and alerted to the outputs as Critical (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const rules = await ruleFile(directory, 'rules.yaml', openRule('never', '/nonexistent', '%fd.name'));
    const alertsFile = path.join(directory, 'alerts.jsonl');
    await mkdir(path.join(directory, 'state'));
    const config = await ruleFile(
      directory,
      'harrier.yaml',
      `priority: error\nstate_dir: ${directory}/state\noutputs:\n  - name: file\n    type: file\n    path: ${alertsFile}\n    format: json\n`,
    );
    const harrier = new Harrier(['run', '-r', rules, '-c', config]);
    await harrier.waitFor(/live capture started/);
    process.kill(harrier.probePid(), 'SIGTERM');
    assert.equal(await harrier.exited, 1);

    const failure = /ERROR cli\.run: live capture failed; stopping \(err="([^"]*)"/.exec(harrier.stderr);
    assert.equal(failure?.[1], 'eBPF probe failed: loader stopped by SIGTERM, which Harrier did not send', harrier.stderr);
    assert.ok(harrier.stderr.indexOf(failure[0]) < harrier.stderr.indexOf('harrier: stopped after'));
    assert.match(harrier.stderr, /\n {2}Harrier internal: live capture stopped: 1\n/);
    assert.match(harrier.stderr, /\n {2}capture stopped alerts: 1\n/);
    const [alert, ...others] = readFileSync(alertsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(others, []);
    assert.deepEqual(
      [alert.rule, alert.priority, alert.output_fields.reason],
      ['Harrier internal: live capture stopped', 'Critical', failure[1]],
    );
  },
); // prettier-ignore

test(
  'Ctrl-C on a terminal (SIGINT to the process group) reaches harrier run alone: the loader has its own group, and the stop is clean (needs root and eBPF)',
  live,
  async () => {
    // Harrier leads its own process group here, as a shell's foreground job does.
    const child = spawn(process.execPath, [HARRIER, 'run', '--no-store'], {
      env: ENV,
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 15_000;
    while (!/live capture started/.test(stderr) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const loader = Number(
      spawnSync('pgrep', ['-P', String(child.pid), '-x', 'harrier-probe'], { encoding: 'utf8' })
        .stdout,
    );
    // field 5 of /proc/PID/stat, after the parenthesised command name
    const group = (pid: number) =>
      Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    assert.equal(group(child.pid!), child.pid);
    assert.equal(group(loader), loader, 'the loader leads a group of its own');
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.doesNotMatch(stderr, /live capture failed|live capture stopped/);
    assert.match(stderr, /harrier: stopped after/);
  },
);

test(
  'a SIGHUP while harrier run starts is kept: capture starts, then the rules reload (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const rules = await ruleFile(directory, 'rules.yaml', openRule('early', '/nonexistent', '%fd.name'));
    const harrier = new Harrier(['run', '-r', rules]);
    await new Promise((resolve) => setTimeout(resolve, 400)); // still loading, probe not attached
    assert.doesNotMatch(harrier.stderr, /live capture started/);
    harrier.signal('SIGHUP');
    await harrier.waitFor(/rules reloaded; capture went on/);
    assert.equal(await harrier.stop(), 0, harrier.stderr);
    assert.match(harrier.stderr, /rule reloads: 1\n/);
  },
); // prettier-ignore

test(
  'with a configuration that has outputs, alerts go through the router, not stdout (needs root and eBPF)',
  live,
  async () => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const rules = await ruleFile(
      directory,
      'rules.yaml',
      openRule('routed', marker, '%proc.name %fd.name'),
    );
    const alertsFile = path.join(directory, 'alerts.jsonl');
    await mkdir(path.join(directory, 'state'));
    const config = await ruleFile(
      directory,
      'harrier.yaml',
      `state_dir: ${directory}/state
outputs:
  - name: file
    type: file
    path: ${alertsFile}
    format: json
`,
    );
    const harrier = new Harrier(['run', '-r', rules, '-c', config]);
    await harrier.waitFor(/live capture started/);
    await execFileAsync('cat', [marker]);
    assert.equal(await harrier.stop(), 0);

    assert.equal(harrier.stdout, '');
    const delivered = readFileSync(alertsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Other tests running beside this one can flood the host with opens: the drop alert that
    // then comes is delivered too, and is the only other alert allowed.
    const routed = delivered.filter((alert) => alert.rule === 'routed');
    assert.deepEqual(
      routed.map((alert) => alert.output_fields['fd.name']),
      [marker],
    );
    const others = new Set(delivered.filter((alert) => alert.rule !== 'routed').map((a) => a.rule));
    assert.deepEqual([...others], others.size === 0 ? [] : ['Falco internal: syscall event drop']);
  },
);

test(
  'harrier run stores each alert with its lineage and recent events and counts it on /metrics (needs root and eBPF)',
  live,
  async (t) => {
    const directory = await scratch();
    const marker = path.join(directory, 'marker');
    await writeFile(marker, 'x');
    const rules = await ruleFile(directory, 'rules.yaml', openRule('stored', marker, '%fd.name'));
    const database = path.join(directory, 'alerts.db');
    const harrier = new Harrier(
      ['run', '-r', rules, '--json', '--store', database, '--metrics', '127.0.0.1:0'],
    ); // prettier-ignore
    t.after(() => harrier.signal('SIGKILL'));
    await harrier.waitFor(/live capture started/);
    const url = /"url":"([^"]+)"[^\n]*metrics endpoint listening/.exec(harrier.stderr)?.[1];
    assert.ok(url, harrier.stderr);
    await execFileAsync('cat', [marker]);
    // Harrier may be behind when other tests flood the host with events: wait for the alert.
    const counted = /^harrier_alerts_total\{rule="stored",priority="Warning"\} 1$/m;
    let page = '';
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await settle()) {
      page = await (await fetch(url)).text();
      if (counted.test(page)) break;
    }
    assert.match(page, counted);
    assert.match(page, /^harrier_events_total\{source="syscall",type="openat"\} [1-9]\d*$/m);
    assert.match(
      page,
      /^harrier_events_dropped_total\{source="syscall",reason="undecodable"\} 0$/m,
    );
    assert.equal(await harrier.stop(), 0);

    const found = await execFileAsync(process.execPath, [
      HARRIER,
      'alerts',
      '--store',
      database,
      '--json',
    ]);
    const stored = found.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(stored.length, 1, found.stdout);
    const [{ alert, lineage, recent }] = stored;
    assert.equal(alert.output_fields['fd.name'], marker);
    assert.deepEqual(
      lineage
        .slice(0, 2)
        .map((entry: Record<string, unknown>) => [entry['proc.name'], entry['proc.pid']]),
      [
        ['cat', lineage[0]['proc.pid']],
        ['node', process.pid],
      ],
    );
    assert.equal(lineage[0]['proc.cmdline'], `cat ${marker}`);
    assert.ok(recent.length > 0);
    assert.ok(
      recent.every(
        (event: Record<string, unknown>) => event['proc.pid'] === lineage[0]['proc.pid'],
      ),
    );
  },
);

test('the stop counters print the failed rule reloads beside the applied ones', () => {
  const counters: LiveCounters = {
    events: 10, kernelEventsSeen: 12, kernelEventsSent: 11, alerts: 1, dropAlerts: 0,
    noHandler: 0, reloads: 2, snapshotThreads: 3, snapshotFds: 4, recorded: 0,
    drops: { kernel: 0, userspace: 0, byReason: {} },
    threads: 5, threadsReapedGone: 6, threadsDroppedTableFull: 7, fdsDroppedTableFull: 8,
    pendingClonesDropped: 9,
  }; // prettier-ignore
  const text = formatCounters(counters, new Map([['r', 1]]), 1500, 3);
  assert.match(text, /^harrier: stopped after 1\.5 s\n/);
  assert.match(text, /\n {2}rule reloads: 2\n {2}failed rule reloads: 3\n/);
  assert.match(text, /\n {2}drop alerts: 0\n {2}capture stopped alerts: 0\n/);
  assert.match(
    text,
    /\n {2}threads at stop: 5 \(removed as gone from \/proc, exit not seen: 6; refused, table full: 7\)\n/,
  );
});

test(
  'harrier run with a rule file error ends by saying nothing is monitored, after the diagnostics (needs root)',
  {
    skip: process.geteuid?.() !== 0 && 'needs root (the start-up checks come first)',
  },
  async () => {
    const rules = path.join(await scratch(), 'badprio.yaml');
    await writeFile(
      rules,
      '- rule: bad priority\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: SUPERBAD\n' +
        '- rule: every type\n  desc: d\n  condition: proc.name=cat\n  output: o\n  priority: WARNING\n',
    );
    const failure = await execFileAsync(process.execPath, [
      HARRIER,
      'run',
      '--no-store',
      '-r',
      rules,
    ]).then(
      () => assert.fail('exit status 0'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failure.code, 1);
    const lines = failure.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /badprio\.yaml:5:13: error LOAD_ERR_YAML_VALIDATE/);
    assert.equal(lines.at(-1), 'harrier run: the rule files have 1 error: nothing monitored');
  },
);
