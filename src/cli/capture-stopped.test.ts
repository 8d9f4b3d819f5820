import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAlertJson } from '../alerts/format.js';
import { CAPTURE_STOPPED_RULE, captureStoppedAlert } from './capture-stopped.js';

test('the capture-stopped alert is Critical and names the reason in its output and fields', () => {
  const alert = captureStoppedAlert('eBPF probe failed: loader killed by SIGKILL', {
    hostname: 'h1',
    timeFormat: 'iso8601',
    nowMs: Date.UTC(2026, 11, 4, 18, 20, 33, 250),
  });
  assert.equal(alert.rule, CAPTURE_STOPPED_RULE);
  assert.equal(alert.priority, 'Critical');
  assert.equal(alert.hostname, 'h1');
  assert.equal(alert.time, 1_796_408_433_250_000_000n);
  assert.equal(
    alert.output,
    '2026-12-04T18:20:33.250000000+0000: Critical Harrier internal: live capture stopped; ' +
      'syscall events are no longer watched (reason=eBPF probe failed: loader killed by SIGKILL)',
  );
  const json = JSON.parse(formatAlertJson(alert));
  assert.equal(json.rule, 'Harrier internal: live capture stopped');
  assert.equal(json.output_fields.reason, 'eBPF probe failed: loader killed by SIGKILL');
});
