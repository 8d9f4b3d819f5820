import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stopping-signals.js');

/** A process that is "stopping" (the handler on, 300 ms of work left) and gets `signals`. */
function stoppingProcess(signals: string[]) {
  const script = `
    const { handleSignalsWhileStopping } = await import(${JSON.stringify(MODULE)});
    handleSignalsWhileStopping('record', 'the capture and the counters');
    for (const signal of ${JSON.stringify(signals)}) {
      process.kill(process.pid, signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    setTimeout(() => { process.stderr.write('stopped cleanly\\n'); }, 300);
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

test('one interrupt while stopping only says what is going on; the stop goes on', () => {
  const result = stoppingProcess(['SIGINT']);
  assert.equal(result.status, 0);
  assert.equal(
    result.stderr,
    'harrier record: stopping: writing out the capture and the counters; interrupt again to exit at once, without them\nstopped cleanly\n',
  );
});

test('a second interrupt (SIGINT or SIGTERM) while stopping exits at once with 130', () => {
  const result = stoppingProcess(['SIGTERM', 'SIGINT']);
  assert.equal(result.status, 130);
  assert.doesNotMatch(result.stderr, /stopped cleanly/);
  assert.match(result.stderr, /interrupt again to exit at once/);
});
