import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HANDLED_EVENT_NAMES,
  PROCEXIT_SLOT,
  STATE_EVENT_NAMES,
  SYSCALL_NUMBERS,
  selectFilterSlots,
} from './syscall-selection.js';

test('maps x86_64 syscall names to their numbers', () => {
  assert.equal(SYSCALL_NUMBERS.get('read'), 0);
  assert.equal(SYSCALL_NUMBERS.get('execve'), 59);
  assert.equal(SYSCALL_NUMBERS.get('openat'), 257);
  assert.equal(SYSCALL_NUMBERS.get('execveat'), 322);
  assert.equal(SYSCALL_NUMBERS.get('clone3'), 435);
  assert.equal(SYSCALL_NUMBERS.get('openat2'), 437);
  assert.equal(SYSCALL_NUMBERS.get('fchmodat2'), 452);
});

test('selects sorted unique slots, procexit as slot 512, and reports unknown names', () => {
  const selection = selectFilterSlots(['procexit', 'openat', 'execve', 'openat', 'container']);
  assert.deepEqual(selection.slots, [59, 257, PROCEXIT_SLOT]);
  assert.deepEqual(selection.unknown, ['container']);
});

test("maps event names that differ from their syscall's to its number", () => {
  const selection = selectFilterSlots(['pread', 'pwrite', 'pread64', 'truncate', 'fchmodat2']);
  assert.deepEqual(selection.slots, [17, 18, 76, 452]);
  assert.deepEqual(selection.unknown, []);
});

test('every handled and every state event name has a slot', () => {
  const names = [...HANDLED_EVENT_NAMES, ...STATE_EVENT_NAMES];
  assert.deepEqual(selectFilterSlots(names).unknown, []);
});
