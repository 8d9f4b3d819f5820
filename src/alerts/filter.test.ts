import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passesFilter } from './filter.js';
import { retryDelay } from './backoff.js';
import { sampleAlert } from '../testing/sample-alert.js';

test('an alert passes only when it meets every filter that is set', () => {
  const alert = sampleAlert({ priority: 'Warning', tags: ['container', 'T1059'] });
  assert.equal(passesFilter({}, alert), true);
  assert.equal(passesFilter({ minPriority: 'Warning' }, alert), true);
  assert.equal(passesFilter({ minPriority: 'Error' }, alert), false);
  assert.equal(passesFilter({ rules: ['Terminal*'] }, alert), true);
  assert.equal(passesFilter({ rules: ['Write*', 'Read*'] }, alert), false);
  assert.equal(passesFilter({ tags: ['T1059', 'x'] }, alert), true);
  assert.equal(passesFilter({ tags: ['host'] }, alert), false);
  assert.equal(passesFilter({ sources: ['k8s_audit'] }, alert), false);
  assert.equal(
    passesFilter({ sources: ['syscall'], minPriority: 'Notice', tags: ['container'] }, alert),
    true,
  );
});

test('retry delays double up to the cap, jittered within the upper half', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    retryDelay(policy, 1, () => 0),
    50,
  );
  assert.equal(
    retryDelay(policy, 1, () => 1),
    100,
  );
  assert.equal(
    retryDelay(policy, 3, () => 1),
    400,
  );
  assert.equal(
    retryDelay(policy, 10, () => 1),
    1000,
  );
  assert.equal(
    retryDelay(policy, 10, () => 0),
    500,
  );
  assert.equal(
    retryDelay(policy, 1000, () => 0.5),
    750,
  );
});
