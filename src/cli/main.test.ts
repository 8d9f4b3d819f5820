import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

function harrier(...args: string[]) {
  return spawnSync(process.execPath, [HARRIER, ...args], { encoding: 'utf8' });
}

for (const [what, args, message] of [
  ['a missing argument', ['replay'], "missing required argument 'paths'"],
  ['an unknown option', ['rules', 'show', '--bogus'], "unknown option '--bogus'"],
  ['an unknown command', ['nosuch'], "unknown command 'nosuch'"],
  ['a bad option value', ['replay', '--time-format', 'x', '/dev/null'], "found 'x'"],
] as const) {
  test(`${what} is a usage error: status 2 and the problem on stderr`, () => {
    const result = harrier(...args);
    assert.equal(result.status, 2);
    assert.ok(result.stderr.includes(message), result.stderr);
  });
}

test('--help ends with status 0', () => {
  const result = harrier('replay', '--help');
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^Usage: harrier replay/);
});

test('under --json a usage error is one NDJSON line without the usage text', () => {
  const result = harrier('rules', 'show', '--json', '--bogus');
  assert.equal(result.status, 2);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(entry.level, 50);
  assert.equal(entry.msg, "unknown option '--bogus'");
});
