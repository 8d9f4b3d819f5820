/**
 * `harrier rules validate | show | parse` as a user runs them: the real CLI in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';

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

test('rules validate and replay list the errors of a rules file alike, by line and column', (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-order-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const rules = path.join(directory, 'broken.yaml');
  // Errors found by different stages: conditions compile after every item was read.
  writeFileSync(
    rules,
    [
      '- rule: unclosed list',
      '  desc: d',
      '  condition: proc.name in (bash, sh',
      '  output: o',
      '  priority: WARNING',
      '- rule: bad priority',
      '  desc: d',
      '  condition: evt.type = open',
      '  output: o',
      '  priority: SUPERBAD',
      '- macro: doubled_operator',
      '  condition: evt.type = = open',
      '- rule: no output',
      '  desc: d',
      '  condition: evt.type = open',
      '  priority: WARNING',
      '',
    ].join('\n'),
  );
  const headers = (text: string) =>
    text.split('\n').filter((line) => line.startsWith(`${rules}:`) && / error /.test(line));
  const validated = harrier(['rules', 'validate', rules]);
  const capture = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
  const replayed = harrier(['replay', '--no-progress', '-r', rules, capture]);

  assert.deepEqual(
    headers(validated.stdout).map((line) => /:(\d+:\d+): error (\w+)/.exec(line)?.slice(1)),
    [
      ['3:36', 'LOAD_ERR_COMPILE_CONDITION'],
      ['10:13', 'LOAD_ERR_YAML_VALIDATE'],
      ['12:25', 'LOAD_ERR_COMPILE_CONDITION'],
      ['13:3', 'LOAD_ERR_YAML_VALIDATE'],
    ],
  );
  assert.deepEqual(headers(replayed.stderr), headers(validated.stdout));
  assert.deepEqual([validated.status, replayed.status], [1, 1]);
});
