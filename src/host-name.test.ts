import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { localHostname } from './host-name.js';
import { alertHostname } from './alerts/alert-factory.js';

test('alerts and evt.hostname name this machine: HARRIER_HOSTNAME, else FALCO_HOSTNAME, else the system', (t) => {
  const saved = { harrier: process.env.HARRIER_HOSTNAME, falco: process.env.FALCO_HOSTNAME };
  t.after(() => {
    if (saved.harrier === undefined) delete process.env.HARRIER_HOSTNAME;
    else process.env.HARRIER_HOSTNAME = saved.harrier;
    if (saved.falco === undefined) delete process.env.FALCO_HOSTNAME;
    else process.env.FALCO_HOSTNAME = saved.falco;
  });
  delete process.env.HARRIER_HOSTNAME;
  delete process.env.FALCO_HOSTNAME;
  assert.equal(localHostname(), hostname());
  process.env.FALCO_HOSTNAME = 'node-8';
  assert.deepEqual([localHostname(), alertHostname()], ['node-8', 'node-8']);
  process.env.HARRIER_HOSTNAME = 'node-7';
  assert.deepEqual(
    [localHostname(), alertHostname(), alertHostname('flag')],
    ['node-7', 'node-7', 'flag'],
  );
});
