import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  handOverStartupSignals,
  latchStartupSignals,
  releaseStartupSignals,
} from './startup-signals.js';

test('the latch hands signals over only once the new listeners are in, and reports those that came', () => {
  const before = process.listenerCount('SIGTERM');
  latchStartupSignals();
  process.emit('SIGHUP', 'SIGHUP');
  const stop = () => {};
  let latchedDuringListen = 0;
  const early = handOverStartupSignals(() => {
    process.once('SIGTERM', stop);
    // the latch still listens: no moment without a SIGTERM listener, in which Node would
    // drop a signal it has taken but not yet dispatched
    latchedDuringListen = process.listenerCount('SIGTERM') - before;
  });
  try {
    assert.equal(latchedDuringListen, 2);
    assert.equal(process.listenerCount('SIGTERM') - before, 1, 'only the new listener is left');
    assert.deepEqual([...early], ['SIGHUP']);
  } finally {
    process.off('SIGTERM', stop);
    releaseStartupSignals();
  }
});
