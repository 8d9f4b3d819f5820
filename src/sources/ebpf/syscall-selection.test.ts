import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HANDLED_EVENT_NAMES,
  PROCEXIT_SLOT,
  STATE_EVENT_NAMES,
  SYSCALL_NUMBERS,
  selectFilterSlots,
} from './syscall-selection.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../../testing/corpus.js';

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

test("the handled events are the probe's handler table (probe/syscall_handlers.h) plus procexit", () => {
  const table = readFileSync(path.join(repositoryRoot, 'probe/syscall_handlers.h'), 'utf8');
  const syscalls = [...table.matchAll(/^\tX\((\w+), \w+, \w+\)/gm)].map((row) => row[1]!);
  // libscap names pread64 and pwrite64's events pread and pwrite
  const events = syscalls.map((name) => name.replace(/^(pread|pwrite)64$/, '$1'));
  assert.equal(syscalls.length, 80);
  assert.deepEqual([...events, 'procexit'].sort(), [...HANDLED_EVENT_NAMES].sort());
});
