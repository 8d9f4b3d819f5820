import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { liveSkipReason } from '../scenarios/harrier-process.js';
import { ProbeProcess } from '../sources/ebpf/probe-process.js';
import { SYSCALL_NUMBERS } from '../sources/ebpf/syscall-selection.js';
import { loaderPidOf, programCosts, withBpfStats } from './bpf-program-costs.js';

const skip = liveSkipReason();

test(
  "the kernel's BPF statistics give each probe program that ran its runs and time per run, and the switch is put back (needs root and eBPF)",
  { skip },
  async () => {
    const before = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8');
    const openat = SYSCALL_NUMBERS.get('openat')!;
    const close = SYSCALL_NUMBERS.get('close')!;
    const costs = await withBpfStats(async () => {
      assert.equal(readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim(), '1');
      const probe = await ProbeProcess.start({ slots: [openat, close] });
      try {
        const loader = loaderPidOf(process.pid);
        assert.ok(loader !== undefined, 'the loader is a child of this process');
        for (let i = 0; i < 20; i++) execFileSync('/bin/cat', ['/etc/hostname']);
        return programCosts(loader);
      } finally {
        await probe.stop();
      }
    });
    assert.equal(readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8'), before);
    const byName = new Map(costs.map((cost) => [cost.name, cost]));
    // Each cat opens its libraries and the file: at least 20 runs of each program.
    for (const name of ['exit_openat', 'exit_close']) {
      const cost = byName.get(name);
      assert.ok(cost !== undefined, `${name} in ${JSON.stringify(costs)}`);
      assert.ok(cost.runs >= 20, `${name} ran ${cost.runs} times`);
      assert.ok(cost.nsPerRun > 0);
    }
    // Programs of syscalls nobody selected never ran, so they are not listed.
    assert.equal(byName.has('exit_execve'), false);
  },
);
