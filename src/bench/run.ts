/**
 * `npm run bench`: runs every benchmark script in turn, each in its own process so one's
 * memory and JIT state do not colour the next, and prints their reports.
 * A benchmark prints ratios against a reference measured in the same run, since the machine
 * is shared and noisy; absolute numbers are shown for context only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Benchmark scripts in the order they run; a missing one is reported, not skipped silently. */
const benchmarks = ['rules.js', 'replay.js', 'json-sources.js', 'alerts.js', 'live.js'];

let failures = 0;
for (const name of benchmarks) {
  const script = path.join(here, name);
  process.stdout.write(`\n== ${name.replace(/\.js$/, '')} ==\n`);
  if (!existsSync(script)) {
    process.stdout.write(`missing: ${script} was not built\n`);
    failures++;
    continue;
  }
  const result = spawnSync(process.execPath, ['--expose-gc', script, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stdout.write(`failed: exit status ${result.status ?? result.signal}\n`);
    failures++;
  }
}
process.exitCode = failures ? 1 : 0;
