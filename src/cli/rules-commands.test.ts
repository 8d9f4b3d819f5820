/**
 * `harrier rules validate | show | parse` as a user runs them: the real CLI in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('rules validate of a directory without rule files fails and names the directory', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-empty-'));
  const result = harrier(['rules', 'validate', directory]);
  assert.equal(result.status, 1);
  assert.equal(
    result.stdout.split('\n')[0],
    `${directory}: error LOAD_ERR_FILE_READ: no rule files found in ${directory}`,
  );
});

test('rules validate of a missing path fails and names it', () => {
  const missing = path.join(tmpdir(), 'harrier-no-such-rules.yaml');
  const result = harrier(['rules', 'validate', '--json', missing]);
  assert.equal(result.status, 1);
  const [error] = (JSON.parse(result.stdout) as { errors: { message: string }[] }).errors;
  assert.equal(error?.message, `could not read rules file ${missing}: no such file or directory`);
});

test('rules parse errors read file:line:col: error: message, from arguments and stdin', () => {
  const fromArgument = harrier(['rules', 'parse', 'proc.name in (a']);
  assert.equal(fromArgument.status, 1);
  assert.deepEqual(fromArgument.stdout.split('\n'), [
    "<argument 1>:1:16: error: expected a ')' token",
    '  proc.name in (a',
    '                 ^',
    '',
  ]);
  const fromStdin = harrier(['rules', 'parse'], '"proc.name = a"\n[1]\nnot json\n');
  assert.equal(fromStdin.status, 1);
  assert.deepEqual(fromStdin.stdout.split('\n'), [
    'proc.name = a',
    '<stdin line 2>:1: error: expected a JSON string (one per line), found an array',
    "<stdin line 3>:1: error: expected a JSON string (one per line), found invalid JSON: unexpected 'n'",
    '',
  ]);
});

test('rules parse --json prints JSON for stdin lines that are not JSON strings', () => {
  const result = harrier(['rules', 'parse', '--json'], '"a = b" x\n');
  assert.deepEqual(JSON.parse(result.stdout), {
    ok: false,
    error: {
      message:
        "stdin line 1, column 9: expected a JSON string (one per line), found invalid JSON: unexpected text after the value: 'x'",
      line: 1,
      column: 9,
    },
  });
});

test('rules show of a name no rule has hints at the rule whose alerts carry that text, or its spelling', () => {
  const byText = harrier(['rules', 'show', 'Terminal shell started by an unusual parent']);
  assert.equal(byText.status, 1);
  assert.equal(
    byText.stderr,
    "harrier rules: no rule named 'Terminal shell started by an unusual parent'; alerts with that text come from 'Terminal shell from an unusual parent'\n",
  );
  const byCase = harrier(['rules', 'show', 'write below etc']);
  assert.equal(
    byCase.stderr,
    "harrier rules: no rule named 'write below etc'; did you mean 'Write below etc'?\n",
  );
  assert.equal(
    harrier(['rules', 'show', 'zq nothing']).stderr,
    "harrier rules: no rule named 'zq nothing'\n",
  );
});
