import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from './glob.js';

test('matches * and ? across slashes, as fnmatch without FNM_PATHNAME', () => {
  assert.equal(globMatch('/etc/*', '/etc/ssh/sshd_config'), true);
  assert.equal(globMatch('/etc/?asswd', '/etc/passwd'), true);
  assert.equal(globMatch('/etc/*.conf', '/etc/passwd'), false);
  assert.equal(globMatch('*', ''), true);
  assert.equal(globMatch('a*b*c', 'aXXbYYc'), true);
  assert.equal(globMatch('a*b*c', 'aXXbYY'), false);
});

test('matches bracket classes with ranges and negation', () => {
  assert.equal(globMatch('[a-c]at', 'bat'), true);
  assert.equal(globMatch('[!a-c]at', 'bat'), false);
  assert.equal(globMatch('[^a-c]at', 'rat'), true);
  assert.equal(globMatch('[]]x', ']x'), true);
  assert.equal(globMatch('[abc', '[abc'), true);
});

test('treats a backslash as an escape and can ignore case', () => {
  assert.equal(globMatch('a\\*b', 'a*b'), true);
  assert.equal(globMatch('a\\*b', 'aXb'), false);
  assert.equal(globMatch('MY*', 'mybash', true), true);
  assert.equal(globMatch('MY*', 'mybash'), false);
});

test('stays linear on patterns that make backtracking matchers explode', () => {
  const text = 'a'.repeat(5000);
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*b', text), false);
});
