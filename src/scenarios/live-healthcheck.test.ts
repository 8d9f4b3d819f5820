/**
 * Container health checks under the default rules: `podman healthcheck run` executes the
 * container's `--health-cmd` through `runc exec`, as `podman exec` does, every interval. The
 * run must not raise "Root process executed into container" for it, while an exec by hand
 * still does, and a replay of the recording judges both the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { rulePathsOrDefault } from '../cli/default-rules.js';
import { containerSkipReason, podman, podmanApiSkipReason } from './containers.js';
import { harrierBin, HarrierProcess, liveSkipReason } from './harrier-process.js';

const RULE = 'Root process executed into container';

const skip = liveSkipReason() ?? containerSkipReason() ?? podmanApiSkipReason();
if (skip !== undefined) console.log(`# live health check test skipped: ${skip}`);

const name = `harrier-hc-${process.pid}`;
const PROBE_RULE = 'health check exec';
/** Shows that the checks were seen, and as what: the category and the container's probe. */
const PROBE_RULES = `- rule: ${PROBE_RULE}
  desc: an exec the state engine took for the container's health check
  condition: evt.type = execve and evt.dir = < and proc.is_container_healthcheck = true and container.name = "${name}"
  output: "%proc.cmdline %container.healthcheck %proc.is_container_liveness_probe"
  priority: INFO
`;

interface SeenAlert {
  rule: string;
  output: string;
  outputFields: Record<string, unknown>;
}

/** The root-exec alerts' command lines and the probe rule's outputs, for this container. */
function judged(alerts: readonly SeenAlert[]): { rootExecs: string[]; probes: string[] } {
  const ours = alerts.filter((alert) => alert.output.includes(name) || alert.rule === PROBE_RULE);
  return {
    rootExecs: ours
      .filter((alert) => alert.rule === RULE)
      .map((alert) => String(alert.outputFields['proc.cmdline'])),
    probes: ours
      .filter((alert) => alert.rule === PROBE_RULE)
      .map((alert) => alert.output.replace(/^\S+ Informational /, '')),
  };
}

test(
  'podman healthcheck run raises no root-exec alert, podman exec id does, live and in replay (needs root, eBPF and podman)',
  { skip: skip ?? false, timeout: 180_000 },
  async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'harrier-hc-'));
    const capture = path.join(scratch, 'run.scap');
    const probeRules = path.join(scratch, 'probe-rules.yaml');
    writeFileSync(probeRules, PROBE_RULES);
    const rules = [...rulePathsOrDefault(undefined), probeRules].flatMap((file) => ['-r', file]);
    try {
      // No timer: the test runs the check itself (podman needs systemd for the interval).
      await podman(['run', '-d', '--name', name, '--health-cmd', 'id', '--health-interval', 'disable',
        'localhost/harrier-busybox:latest', 'sleep', '600']); // prettier-ignore
      const harrier = await HarrierProcess.start(['run', ...rules, '--json', '--no-store', '-w', capture]); // prettier-ignore
      try {
        for (let run = 0; run < 3; run++) await podman(['healthcheck', 'run', name]);
        await podman(['exec', name, 'id']);
        const seen = await harrier.waitForAlert(
          (alert) => alert.rule === RULE && alert.output.includes(name),
          20_000,
        );
        assert.ok(seen, `no alert for podman exec:\n${harrier.stderr}`);
      } finally {
        const { code, stderr } = await harrier.stop();
        assert.equal(code, 0, `harrier run exited with ${code}:\n${stderr}`);
      }
      const live = judged(harrier.alerts);
      // Only the exec by hand: the three checks (`/bin/sh -c id`) raise nothing ...
      assert.deepEqual(live.rootExecs, ['id']);
      // ... because each was taken for the health check.
      assert.deepEqual(live.probes.slice(0, 3), Array(3).fill('sh -c id /bin/sh -c id false'));

      const { stdout } = await promisify(execFile)(
        process.execPath,
        [harrierBin, 'replay', ...rules, '--json', capture],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const replayed = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(
          (line) =>
            JSON.parse(line) as {
              rule: string;
              output: string;
              output_fields: Record<string, unknown>;
            },
        )
        .map((alert) => ({ ...alert, outputFields: alert.output_fields }));
      assert.deepEqual(judged(replayed), live);
    } finally {
      await podman(['rm', '-f', '-t', '0', name]).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
