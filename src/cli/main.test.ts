import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// prettier-ignore
for (const [args, message, hint] of [
  [['run', '--bogus'], "error: unknown option '--bogus'", '(see harrier run --help)'],
  [['run', '--min-priority'], "error: option '--min-priority <priority>' argument missing", '(see harrier run --help)'],
  [['run', '--store', 'x.db', '--no-store'], "error: option '--store <file>' cannot be used with option '--no-store'", '(see harrier run --help)'],
  [['rules', 'validate', '--bogus'], "error: unknown option '--bogus'", '(see harrier rules validate --help)'],
  [['rules', 'nosuch'], "error: unknown command 'nosuch'", '(see harrier rules --help)'],
  [['nosuch'], "error: unknown command 'nosuch'", '(see harrier --help)'],
  // an unknown option is named before a missing mandatory one
  [['record', '--bogus'], "error: unknown option '--bogus'", '(see harrier record --help)'],
  [['serve', '--bogus'], "error: unknown option '--bogus'", '(see harrier serve --help)'],
  [['record'], "error: required option '-w, --write <file>' not specified", '(see harrier record --help)'],
] as const) {
  test(`a usage error (${args.join(' ')}) is its line and where the help is, not the help page`, () => {
    const result = harrier(...args);
    assert.equal(result.status, 2);
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [message, hint]);
  });
}

test('--version prints the version package.json names, with status 0', () => {
  const { version } = JSON.parse(
    readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const result = harrier('--version');
  assert.equal(result.status, 0);
  assert.equal(result.stdout, `${version}\n`);
});

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

test('a FIFO named as an input is refused at once, naming it, by every command that reads one', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-fifo-'));
  const fifo = path.join(directory, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  try {
    for (const [args, status] of [
      [['run', '-r', fifo, '--no-store'], 1],
      [['run', '-c', fifo, '--no-store'], 2],
      [['replay', fifo], 1],
      [['events', fifo], 1],
      [['rules', 'validate', fifo], 1],
      [['rules', 'test', fifo], 1],
    ] as const) {
      // Before the check, opening the FIFO hung the process: the timeout only ends such a run.
      const result = spawnSync(process.execPath, [HARRIER, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      });
      assert.equal(result.status, status, `${args.join(' ')}: ${result.stderr}`);
      const named = new RegExp(`${fifo}.*is a FIFO \\(named pipe\\), expected`);
      // `rules test` reports its problems on stdout, with its results.
      assert.match(result.stderr + result.stdout, named, args.join(' '));
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
