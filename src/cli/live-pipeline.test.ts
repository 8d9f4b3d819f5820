/**
 * The live pipeline on this host with the real probe. Needs root and eBPF; without them the
 * test is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Alert } from '../alerts/alert.js';
import { loadRuleFiles } from '../detect/index.js';
import { LivePipeline } from './live-pipeline.js';
import { preflightProblems } from './live-preflight.js';

const problems = preflightProblems();
const live =
  problems.length === 0 ? {} : { skip: problems.map((p) => `missing ${p.missing}`).join('; ') };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await pause(50))
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
}

/** The pid of the probe loader this test process started. */
function loaderPid(): number {
  const found = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'harrier-probe'], {
    encoding: 'utf8',
  });
  const pid = Number(found.stdout.trim());
  assert.ok(Number.isInteger(pid) && pid > 0, `no probe loader under ${process.pid}`);
  return pid;
}

/** Opens /dev/null from another process many times: events enough to fill a 1 MiB ring. */
function floodEvents(): void {
  const script =
    'const fs = require("fs"); for (let i = 0; i < 200000; i++) fs.closeSync(fs.openSync("/dev/null", "r"));';
  assert.equal(spawnSync(process.execPath, ['-e', script]).status, 0);
}

test(
  'a process whose exit the kernel dropped leaves the state once /proc shows it gone (needs root and eBPF)',
  live,
  async (t) => {
    const logs: Array<{ msg: string; threads?: number }> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line)) },
    );
    const pipeline = await LivePipeline.start({ logger, probe: { ringBufferMb: 1 } });
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    t.after(() => sleeper.kill('SIGKILL'));
    const pid = sleeper.pid!;
    await until(() => pipeline.engine.table.findThread(pid)?.comm === 'sleep', 'sleep is known');
    const known = pipeline.engine.table.findThread(pid);

    // With the loader stopped the ring fills, and the kernel drops the exit event of sleep.
    const loader = loaderPid();
    process.kill(loader, 'SIGSTOP');
    try {
      floodEvents();
      const exited = new Promise((resolve) => sleeper.once('exit', resolve));
      sleeper.kill('SIGKILL');
      await exited;
    } finally {
      process.kill(loader, 'SIGCONT');
    }
    await until(() => pipeline.counters.drops.kernel > 0, 'the kernel drops are reported');
    await pause(1000);
    assert.equal(pipeline.engine.table.findThread(pid), known, 'the exit of sleep was lost');

    const removed = await pipeline.removeGoneThreads();
    assert.ok(removed >= 1, `removed ${removed}`);
    assert.equal(pipeline.engine.table.findThread(pid), undefined);
    const line = logs.find((entry) => /whose exit was not seen were removed/.test(entry.msg));
    assert.equal(line?.threads, removed);
    const counters = await pipeline.stop();
    assert.ok(counters.threadsReapedGone >= removed, JSON.stringify(counters));
    assert.equal(counters.threads, pipeline.engine.table.size);
  },
);

test(
  'events of a gone process still queued when the check starts are judged with its thread (needs root and eBPF)',
  live,
  async (t) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'harrier-live-'));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    const marker = path.join(directory, 'marker');
    writeFileSync(marker, 'x');
    const { ruleSet } = loadRuleFiles([{ name: 'rules.yaml', content: `
- rule: marker open
  desc: the shell of the test opens its marker
  condition: evt.type in (open, openat, openat2) and fd.name = ${marker}
  output: "%proc.name"
  priority: WARNING
` }]); // prettier-ignore
    assert.ok(ruleSet);
    const alerts: Alert[] = [];
    const logger = pino({ level: 'silent' });
    const pipeline = await LivePipeline.start({ ruleSet, logger, onAlert: (a) => alerts.push(a) });
    // The shell itself opens the marker (a redirection), then exits: no new process.
    const shell = spawn('sh', ['-c', `read line; : < ${marker}`], { stdio: ['pipe', 'ignore', 'ignore'] }); // prettier-ignore
    t.after(() => shell.kill('SIGKILL'));
    const pid = shell.pid!;
    await until(() => pipeline.engine.table.findThread(pid)?.comm === 'sh', 'sh is known');

    // With the loader stopped, the open and the exit wait in the ring while the check runs.
    const loader = loaderPid();
    process.kill(loader, 'SIGSTOP');
    let removed: Promise<number>;
    try {
      const exited = new Promise((resolve) => shell.once('exit', resolve));
      shell.stdin.end('go\n');
      await exited;
      removed = pipeline.removeGoneThreads();
      assert.ok(pipeline.engine.table.findThread(pid), 'sh waits in the table for its events');
    } finally {
      process.kill(loader, 'SIGCONT');
    }
    await removed;
    assert.deepEqual(
      alerts.map((alert) => alert.outputFields.get('proc.name')),
      ['sh'],
    );
    assert.equal(pipeline.engine.table.findThread(pid), undefined, 'its exit removed it');
    await pipeline.stop();
  },
);
