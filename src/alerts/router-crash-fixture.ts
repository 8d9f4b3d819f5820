/**
 * A child process for the crash test of `router.test.ts`: runs a router with one webhook
 * output on a state dir, so the test can `kill -9` it and start it again.
 * Usage: `node router-crash-fixture.js STATE_DIR URL COUNT MODE` where MODE is `hold` (queue
 * COUNT alerts, print `queued`, then keep running) or `drain` (queue COUNT alerts, wait until
 * every queue is empty, print the stats as JSON and exit).
 * @internal
 */
import { AlertRouter } from './router.js';
import { sampleAlert } from '../testing/sample-alert.js';

const [stateDir, url, countText, mode] = process.argv.slice(2);
if (stateDir === undefined || url === undefined || countText === undefined) {
  throw new RangeError('usage: router-crash-fixture STATE_DIR URL COUNT hold|drain');
}
const router = new AlertRouter({
  stateDir,
  outputs: [
    {
      name: 'hook',
      type: 'webhook',
      options: { url },
      timeoutMs: 2000,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    },
  ],
});
for (let sequence = 0; sequence < Number(countText); sequence++)
  router.deliver(sampleAlert({ sequence }));
if (mode === 'drain') {
  await router.flush();
  const stats = router.stats();
  await router.close();
  process.stdout.write(`${JSON.stringify(stats.outputs)}\n`);
} else {
  process.stdout.write('queued\n');
  setInterval(() => {}, 60_000);
}
