import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleFiles } from '../detect/index.js';
import { STATE_EVENT_NAMES } from '../sources/ebpf/syscall-selection.js';
import { DEFAULT_RECORD_EVENTS, syscallSetFor, unwatchedEvents } from './live-syscalls.js';

function ruleSetOf(...conditions: string[]) {
  const content = conditions
    .map(
      (condition, index) =>
        `- rule: r${index}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: INFO\n`,
    )
    .join('');
  const { ruleSet, diagnostics } = loadRuleFiles([{ name: 'r.yaml', content }]);
  assert.ok(ruleSet, diagnostics.map((d) => d.message).join('\n'));
  return ruleSet;
}

test('captures the rules event types plus what the state engine needs', () => {
  const set = syscallSetFor(ruleSetOf('evt.type in (unlinkat, ptrace) and proc.name = x'));
  assert.ok(set.names.includes('unlinkat') && set.names.includes('ptrace'));
  for (const name of STATE_EVENT_NAMES) assert.ok(set.names.includes(name), name);
  assert.equal(set.names.length, STATE_EVENT_NAMES.length + 2);
  assert.ok(set.slots.includes(101) && set.slots.includes(263) && set.slots.includes(512));
  assert.deepEqual(set.uncaptured, []);
});

test('names the event types the probe cannot capture', () => {
  const set = syscallSetFor(ruleSetOf('evt.type in (openat, mprotect, container)'));
  assert.deepEqual(set.uncaptured, ['container', 'mprotect']);
});

test('names the uncaptured event types of a rule even beside a rule that takes every type', () => {
  const set = syscallSetFor(
    ruleSetOf(
      'evt.type = mprotect and proc.name = x',
      'evt.type in (ioctl, openat)',
      'proc.name = zzzz',
    ),
  );
  assert.deepEqual(set.uncaptured, ['ioctl', 'mprotect']);
  assert.ok(set.names.includes('openat') && set.names.includes('execve'));
  assert.ok(!set.names.includes('mprotect'));
});

test("record's default set is every handled event but file reads and writes and receives", () => {
  for (const name of ['read', 'write', 'pread', 'writev', 'recvfrom', 'recvmsg'])
    assert.ok(!DEFAULT_RECORD_EVENTS.includes(name), name);
  for (const name of ['execve', 'sendto', 'kill', 'truncate'])
    assert.ok(DEFAULT_RECORD_EVENTS.includes(name), name);
});

test('names the captured syscalls without a tracepoint as unwatched, unless the raw path is on', () => {
  const names = ['execve', 'finit_module', 'init_module', 'openat', 'procexit'];
  const untracedSyscalls = [175, 313]; // init_module, finit_module
  assert.deepEqual(unwatchedEvents(names, { rawPath: false, untracedSyscalls }), [
    'finit_module',
    'init_module',
  ]);
  assert.deepEqual(unwatchedEvents(names, { rawPath: true, untracedSyscalls }), []);
  assert.deepEqual(unwatchedEvents(['openat'], { rawPath: false, untracedSyscalls }), []);
});
