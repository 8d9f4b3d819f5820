import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatenatePaths } from './paths.js';

test('joins relative paths to the directory and normalises them as libsinsp', () => {
  assert.equal(concatenatePaths('/home/user/', 'file.txt'), '/home/user/file.txt');
  assert.equal(concatenatePaths('/home/user/', './a/../b//c/'), '/home/user/b/c');
  assert.equal(concatenatePaths('/home/user/', '../../../etc'), '/etc');
  assert.equal(concatenatePaths('/home/', '..'), '/');
});

test('ignores the directory for absolute paths but still normalises them', () => {
  assert.equal(concatenatePaths('/home/', '/etc//passwd'), '/etc/passwd');
  assert.equal(concatenatePaths('/x/', '/a/./b/../c'), '/a/c');
  assert.equal(concatenatePaths('', '/'), '/');
});
