/**
 * Live lineage: a program whose parent has exited belongs to the process the kernel gave it
 * to. `podman exec` is the case that matters: runc starts the program and exits, conmon (a
 * child subreaper) adopts it, and Falco's "Terminal shell in container" accepts conmon, not
 * init, as the parent of an entry shell.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { HarrierProcess, liveSkipReason } from './harrier-process.js';
import { buildHelper } from './helper-program.js';
import { makeScratch, newRunId } from './scenario-runner.js';

const liveSkip = liveSkipReason();
const scratch = liveSkip === undefined ? makeScratch() : undefined;

after(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

test(
  'a program orphaned under a child subreaper has the subreaper as its parent (needs root and eBPF)',
  { skip: liveSkip ?? false },
  async () => {
    const helper = buildHelper(scratch!);
    const marker = `hscn-orphan-${newRunId()}`;
    const rules = path.join(scratch!, 'lineage-rules.yaml');
    writeFileSync(
      rules,
      `- rule: Orphan program
  desc: The program the helper's orphaned grandchild runs.
  condition: evt.type in (execve, execveat) and proc.name = true and proc.cmdline contains "${marker}"
  output: "orphan run (parent=%proc.pname ppid=%proc.ppid command=%proc.cmdline)"
  priority: INFORMATIONAL
- rule: Subreaper set
  desc: The helper makes itself a child subreaper.
  condition: evt.type = prctl and proc.name = harrier-scn and proc.cmdline contains "${marker}"
  output: "subreaper (option=%evt.arg.option value=%evt.arg.arg2_int)"
  priority: INFORMATIONAL
`,
    );
    const harrier = await HarrierProcess.start(['run', '-r', rules, '--json']);
    try {
      const subreaper = spawn(helper, ['orphan-exec', '/bin/true', marker], { stdio: 'ignore' });
      const code = await new Promise((resolve) => subreaper.once('exit', resolve));
      assert.equal(code, 0, 'the helper ran the orphan');
      const seen = await harrier.waitForAlert((alert) => alert.output.includes(marker), 60_000);
      assert.ok(seen, 'the orphan exec raised its alert');
      const [alert] = harrier.alerts.filter((candidate) => candidate.rule === 'Orphan program');
      // The kernel's choice, not init (pid 1), which Harrier named before.
      assert.equal(alert.outputFields['proc.ppid'], subreaper.pid);
      assert.equal(alert.outputFields['proc.pname'], 'harrier-scn');
      // The prctl that made the helper a subreaper, which the state engine also reads.
      const prctl = harrier.alerts.filter((candidate) => candidate.rule === 'Subreaper set');
      assert.deepEqual(
        prctl.map((candidate) => candidate.output.replace(/^.*subreaper /, '')),
        ['(option=PR_SET_CHILD_SUBREAPER value=1)'],
      );
    } finally {
      const { code, stderr } = await harrier.stop();
      assert.equal(code, 0, `harrier run exited with ${code}:\n${stderr}`);
    }
  },
);
