import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from './parser.js';
import { eventTypesOf } from './event-types.js';

const universe = new Set(['open', 'openat', 'execve', 'connect', 'close']);

function typesOf(condition: string): string[] | null {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok, condition);
  const types = eventTypesOf(parsed.ast, universe);
  return types === null ? null : [...types].sort();
}

test('takes the types named by evt.type checks, intersecting across and', () => {
  assert.deepEqual(typesOf('evt.type in (open, openat) and proc.name = cat'), ['open', 'openat']);
  assert.deepEqual(typesOf('evt.type = open and evt.type = execve'), []);
});

test('unites across or, and a neutral check makes the rule match any type', () => {
  assert.deepEqual(typesOf('evt.type = open or evt.type = execve'), ['execve', 'open']);
  assert.equal(typesOf('evt.type = open or proc.name = cat'), null);
  assert.equal(typesOf('proc.name = cat'), null);
});

test('pushes negation down to the checks and leaves neutral checks alone', () => {
  assert.deepEqual(typesOf('not evt.type = open and not evt.type = openat'), [
    'close',
    'connect',
    'execve',
  ]);
  assert.deepEqual(typesOf('evt.type != open and proc.name = cat'), [
    'close',
    'connect',
    'execve',
    'openat',
  ]);
  assert.deepEqual(typesOf('not (evt.type = open or proc.name = cat)'), [
    'close',
    'connect',
    'execve',
    'openat',
  ]);
  assert.deepEqual(typesOf('not not evt.type = execve'), ['execve']);
});

test('resolves evt.num checks that can never or always hold', () => {
  assert.deepEqual(typesOf('evt.num = 0'), []);
  assert.equal(typesOf('evt.num > 0'), null);
  assert.deepEqual(typesOf('evt.type = open and evt.num >= 1'), ['open']);
});

test('without a universe, a condition that excludes types matches any', () => {
  const parsed = parseCondition('evt.type != open');
  assert.ok(parsed.ok);
  assert.equal(eventTypesOf(parsed.ast), null);
});
