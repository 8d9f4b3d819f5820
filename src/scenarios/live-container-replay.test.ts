/**
 * A recording keeps its containers: `harrier run -w` writes a container event for each
 * container it described (one running at start, one started after), and `harrier replay` of
 * the file prints the very alert lines the run printed, container.name and image included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  containerSkipReason,
  podman,
  podmanApiSkipReason,
  removeContainer,
  startContainer,
  type ScenarioContainer,
} from './containers.js';
import { harrierBin, HarrierProcess, liveSkipReason } from './harrier-process.js';

const skip = liveSkipReason() ?? containerSkipReason() ?? podmanApiSkipReason();
if (skip !== undefined) console.log(`# live container replay skipped: ${skip}`);

const marker = `harrier-ct-${process.pid}`;
const RULES = `- rule: marked exec in a container
  desc: an exec whose arguments carry the test's marker
  condition: evt.type = execve and evt.dir = < and container.id != host and proc.args contains "${marker}"
  output: "%proc.cmdline %container.id %container.name %container.image %container.image.repository %container.type"
  priority: WARNING
`;

test(
  'a replay of harrier run -w gives the live alert lines with container name and image (needs root, eBPF and podman)',
  { skip: skip ?? false, timeout: 180_000 },
  async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'harrier-ct-replay-'));
    const rules = path.join(scratch, 'rules.yaml');
    const capture = path.join(scratch, 'run.scap');
    writeFileSync(rules, RULES);
    const containers: ScenarioContainer[] = [];
    try {
      containers.push(await startContainer(`${marker}-early`, scratch, false));
      const harrier = await HarrierProcess.start(['run', '-r', rules, '--json', '--no-store', '-w', capture]); // prettier-ignore
      const lines: string[] = [];
      harrier.child.stdout!.setEncoding('utf8').on('data', (text: string) => lines.push(text));
      try {
        containers.push(await startContainer(`${marker}-late`, scratch, true));
        for (const container of containers)
          await podman(['exec', container.name, 'sh', '-c', `: ${marker}-${container.name}`]);
        const seen = await harrier.waitForAlert(
          (alert) => alert.output.includes(`${marker}-late `),
          20_000,
        );
        assert.ok(seen, `no alert for the late container:\n${harrier.stderr}`);
      } finally {
        const { code, stderr } = await harrier.stop();
        assert.equal(code, 0, `harrier run exited with ${code}:\n${stderr}`);
      }
      const live = alertLines(lines.join(''));
      assert.equal(live.length, 2, live.join('\n'));
      for (const container of containers) {
        const line = live.find((text) => text.includes(`${container.name} `));
        assert.ok(line?.includes(` ${container.name} localhost/harrier-busybox:latest `), line);
      }
      const args = [harrierBin, 'replay', '-r', rules, '--json', capture];
      const { stdout } = await promisify(execFile)(process.execPath, args);
      assert.deepEqual(alertLines(stdout), live);
    } finally {
      for (const container of containers) await removeContainer(container);
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);

/** The JSON alert lines of the marked rule, in order. */
function alertLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('{') && line.includes(marker));
}
