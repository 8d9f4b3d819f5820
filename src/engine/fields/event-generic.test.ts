import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { fieldTableFor } from './index.js';
import { isoTimeText, timeText } from './event-generic.js';

const event = {
  source: 'aws_cloudtrail',
  ts: 1394140974123456789n,
  num: 3n,
  raw: { eventName: 'StartInstances', sourceIPAddress: '1.2.3.4', userIdentity: { type: 'Root' } },
};

function read(source: string, name: string): unknown {
  return fieldTableFor(source)?.fields.get(name)?.extract?.(event, undefined);
}

test('plugin sources carry the generic evt fields with libsinsp values', () => {
  assert.equal(read('aws_cloudtrail', 'evt.num'), 3n);
  assert.equal(read('aws_cloudtrail', 'evt.rawtime'), 1394140974123456789n);
  assert.equal(read('aws_cloudtrail', 'evt.rawtime.s'), 1394140974n);
  assert.equal(read('aws_cloudtrail', 'evt.rawtime.ns'), 123456789n);
  assert.equal(read('aws_cloudtrail', 'evt.time.iso8601'), '2014-03-06T21:22:54.123456789+0000');
  assert.equal(read('aws_cloudtrail', 'evt.source'), 'aws_cloudtrail');
  assert.equal(read('aws_cloudtrail', 'evt.pluginname'), 'cloudtrail');
  assert.equal(read('k8s_audit', 'evt.pluginname'), 'k8saudit');
  assert.equal(read('k8s_audit', 'evt.plugininfo'), JSON.stringify(event.raw));
  assert.equal(read('aws_cloudtrail', 'evt.plugininfo'), read('aws_cloudtrail', 'ct.info'));
});

test('time text follows ts_to_string: local time of day, with date and nanoseconds on demand', () => {
  const offset = -new Date().getTimezoneOffset() * 60_000;
  const local = new Date(1394140974123 + offset).toISOString();
  assert.equal(timeText(1394140974123456789n, false, true), `${local.slice(11, 19)}.123456789`);
  assert.equal(
    timeText(1394140974123456789n, true, false),
    `${local.slice(0, 10)} ${local.slice(11, 19)}`,
  );
  assert.equal(isoTimeText(5n), '1970-01-01T00:00:00.000000005+0000');
});

test('evt.hostname of a plugin event is this machine, or HARRIER_HOSTNAME, else FALCO_HOSTNAME', (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const name of ['FALCO_HOSTNAME', 'HARRIER_HOSTNAME', 'HOSTNAME']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  delete process.env.FALCO_HOSTNAME;
  delete process.env.HARRIER_HOSTNAME;
  // a shell variable services do not have; it must not stand in for the machine's name
  process.env.HOSTNAME = 'not-this-machine';
  assert.equal(read('k8s_audit', 'evt.hostname'), hostname());
  process.env.FALCO_HOSTNAME = 'node-8';
  assert.equal(read('aws_cloudtrail', 'evt.hostname'), 'node-8');
  process.env.HARRIER_HOSTNAME = 'node-7';
  assert.equal(read('aws_cloudtrail', 'evt.hostname'), 'node-7');
});
