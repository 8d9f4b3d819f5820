import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unknownEventTypeProblem } from './event-type-names.js';

test('evt.type takes event names and libscap syscall names, and nothing else', () => {
  assert.equal(unknownEventTypeProblem('openat'), undefined);
  assert.equal(unknownEventTypeProblem('sched_getattr'), undefined);
  assert.equal(unknownEventTypeProblem('rseq_slice_yield'), undefined);
  assert.equal(unknownEventTypeProblem('nosuchcall'), 'unknown event type nosuchcall');
  // the unassigned code 382 has no name to accept
  assert.equal(unknownEventTypeProblem(''), 'unknown event type ');
});
