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

test('paths already normal come out as the full normalisation gives them', () => {
  const paths = ['/etc/passwd', 'a', '.bashrc', 'a/..b/c.', '/x/...', '/', 'dir/file'];
  for (const directory of ['/home/user/', '', 'rel', '/a//b/']) {
    for (const path of paths) {
      // A final '/' is dropped by the normalisation, so it takes the full path through it.
      const slow = concatenatePaths(directory, path === '/' ? '//' : `${path}/`);
      assert.equal(concatenatePaths(directory, path), slow, `${directory} + ${path}`);
    }
  }
  assert.equal(concatenatePaths('/home/user/', '.bashrc'), '/home/user/.bashrc');
  assert.equal(concatenatePaths('/tmp/', 'a/./b'), '/tmp/a/b');
});
