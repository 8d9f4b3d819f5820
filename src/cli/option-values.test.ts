import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';
import {
  MAX_ENV_BYTES,
  readDurationSeconds,
  readEnvBytes,
  readMinPriority,
  readRingBufferMb,
  readTimeFormat,
} from './option-values.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

/** `harrier ARGS` with no probe loader: an option accepted by mistake would reach preflight. */
function harrier(args: string[]) {
  const env = { ...process.env, HARRIER_PROBE_PATH: '/nonexistent/harrier-probe' };
  const result = spawnSync(process.execPath, [HARRIER, ...args], { env, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

test('--env-bytes takes a whole number of bytes from 0 to 4096', () => {
  const problems: string[] = [];
  assert.equal(readEnvBytes('0', problems), 0);
  assert.equal(readEnvBytes('4096', problems), 4096);
  assert.equal(MAX_ENV_BYTES, 4096);
  assert.deepEqual(problems, []);
  for (const bad of ['abc', '-1', '1.5', '', '0x10', '1e3'])
    assert.equal(readEnvBytes(bad, problems), 0);
  assert.equal(problems.length, 6);
  assert.equal(problems[1], "--env-bytes takes a whole number of bytes from 0 to 4096, found '-1'");
});

test('--env-bytes above 4096 says why that is the most', () => {
  const problems: string[] = [];
  for (const big of ['4097', '1048576', '99999999999999999999']) readEnvBytes(big, problems);
  assert.deepEqual(problems, ['4097', '1048576', '99999999999999999999'].map((big) =>
    `--env-bytes takes at most 4096 bytes, the environment an exec event or a capture file carries per process, found '${big}'`));
}); // prettier-ignore

test('--ringbuf-mb takes a power of two from 1 to 2048', () => {
  const problems: string[] = [];
  assert.equal(readRingBufferMb(undefined, problems), undefined);
  assert.equal(readRingBufferMb('1', problems), 1);
  assert.equal(readRingBufferMb('2048', problems), 2048);
  assert.deepEqual(problems, []);
  for (const bad of ['3', '0', '4096', 'abc', '-2']) readRingBufferMb(bad, problems);
  assert.equal(problems.length, 5);
  assert.equal(problems[0], "--ringbuf-mb takes a power of two from 1 to 2048 (MiB), found '3'");
});

test('--duration takes a positive number of seconds', () => {
  const problems: string[] = [];
  assert.equal(readDurationSeconds('2.5', problems), 2.5);
  for (const bad of ['abc', '0', '-1', '', 'Infinity']) readDurationSeconds(bad, problems);
  assert.equal(problems.length, 5);
});

test('--min-priority names the accepted priorities and --time-format its own values', () => {
  const problems: string[] = [];
  assert.equal(readMinPriority('warning', problems), 'Warning');
  assert.equal(readTimeFormat('iso8601', problems), 'iso8601');
  readMinPriority('loud', problems);
  readTimeFormat('foo', problems);
  assert.deepEqual(problems, [
    "--min-priority takes one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug, found 'loud'",
    "--time-format takes local or iso8601, found 'foo'",
  ]);
});

test('harrier run refuses bad option values with status 2, each named, before preflight', () => {
  const result = harrier(
    ['run', '--no-store', '--env-bytes', 'abc', '--ringbuf-mb', '3', '--min-priority', 'loud',
      '--time-format', 'foo'],
  ); // prettier-ignore
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr,
    [
      "harrier run: --min-priority takes one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug, found 'loud'",
      "harrier run: --time-format takes local or iso8601, found 'foo'",
      "harrier run: --env-bytes takes a whole number of bytes from 0 to 4096, found 'abc'",
      "harrier run: --ringbuf-mb takes a power of two from 1 to 2048 (MiB), found '3'",
      '',
    ].join('\n'),
  );
});

test('harrier run refuses a bad --metrics address with status 2, before the rules load', () => {
  const result = harrier(['run', '--metrics', '127.0.0.1:99999', '-r', '/nonexistent/rules.yaml']);
  assert.equal(result.status, 2);
  assert.equal(result.stderr, "harrier run: --metrics: port 99999 is out of range (0 to 65535) in '127.0.0.1:99999'\n");
}); // prettier-ignore

test('harrier record refuses a negative --env-bytes and a bad --duration with status 2', () => {
  const result = harrier(['record', '-w', '/tmp/never.scap', '--env-bytes', '-5', '--duration', 'x']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^harrier record: --duration takes a positive number of seconds, found 'x'\n/);
  assert.match(result.stderr, /\nharrier record: --env-bytes takes a whole number of bytes from 0 to 4096, found '-5'\n$/);
}); // prettier-ignore

test('harrier run and record refuse --env-bytes above 4096 with status 2, before preflight', () => {
  for (const command of [['run', '--no-store'], ['record', '-w', '/tmp/never.scap']]) {
    const result = harrier([...command, '--env-bytes', '65536']);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `harrier ${command[0]}: --env-bytes takes at most 4096 bytes, the environment an exec event or a capture file carries per process, found '65536'\n`);
  }
}); // prettier-ignore

test('--help states the range of --env-bytes', () => {
  for (const command of ['run', 'record']) {
    const help = spawnSync(process.execPath, [HARRIER, command, '--help'], { encoding: 'utf8' });
    assert.match(help.stdout.replace(/\s+/g, ' '), /--env-bytes <n> bytes of each process environment read from \/proc at start, 0 to 4096 \(as much as exec events carry\)/);
  }
}); // prettier-ignore
