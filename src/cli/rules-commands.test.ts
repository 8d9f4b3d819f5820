/**
 * `harrier rules validate | show | parse` as a user runs them: the real CLI in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

/** Runs `harrier ARGS...` with `input` on stdin; returns its exit status and output. */
function harrier(args: string[], input = '') {
  const result = spawnSync(process.execPath, [HARRIER, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('rules show without -r shows a rule of the bundled rules/ directory', () => {
  const result = harrier(['rules', 'show', '--json', 'Write below etc']);
  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);
  const shown = JSON.parse(result.stdout) as { name: string; source: string };
  assert.deepEqual([shown.name, shown.source], ['Write below etc', 'syscall']);
});
