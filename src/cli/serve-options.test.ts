import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  MAX_BODY_BYTES_LIMIT,
  readMaxBodyBytes,
  readMaxConnections,
  readRequestTimeout,
  readServeFlags,
  readWebhookPath,
  type ServeFlags,
} from './serve-options.js';
import { repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const RULES = path.join(repositoryRoot, 'rules');

const directory = mkdtempSync(path.join(tmpdir(), 'harrier-serve-options-'));
const inDirectory = (name: string) => path.join(directory, name);

interface Exit {
  /** Null when serve had not ended after 15 s and was killed. */
  status: number | null;
  stderr: string;
}

/** Runs `harrier serve -r rules ARGS`; kills it if it has not ended within 15 s. */
function serveExit(args: string[]): Promise<Exit> {
  const child = spawn(process.execPath, [HARRIER, 'serve', '-r', RULES, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    }),
  );
}

/** Asserts serve ended with status 2 and exactly `lines` on stderr: nothing started. */
async function assertUsageError(args: string[], lines: string[]): Promise<void> {
  // A free port, should the webhook start; --listen is itself refused with --no-webhook.
  const listen = args.includes('--no-webhook') ? [] : ['--listen', '127.0.0.1:0'];
  const { status, stderr } = await serveExit([...listen, ...args]);
  assert.equal(stderr, lines.map((line) => `harrier serve: ${line}\n`).join(''));
  assert.equal(status, 2);
}

test('--max-body-bytes takes a whole number of bytes from 1 to 256 MiB', () => {
  const problems: string[] = [];
  assert.equal(readMaxBodyBytes(undefined, problems), undefined);
  assert.equal(readMaxBodyBytes('1', problems), 1);
  assert.equal(readMaxBodyBytes(String(MAX_BODY_BYTES_LIMIT), problems), MAX_BODY_BYTES_LIMIT);
  for (const bad of ['abc', '0', '-1', '1.5', '', String(MAX_BODY_BYTES_LIMIT + 1)])
    assert.equal(readMaxBodyBytes(bad, problems), undefined);
  assert.equal(problems.length, 6);
  assert.equal(
    problems[0],
    "--max-body-bytes takes a whole number of bytes from 1 to 268435456 (256 MiB), found 'abc'",
  );
});

test('--max-connections takes 1 to 65536, --request-timeout whole seconds from 1 to 3600 (F6)', () => {
  const problems: string[] = [];
  assert.deepEqual(
    ['1', '65536', undefined].map((text) => readMaxConnections(text, problems)),
    [1, 65536, undefined],
  );
  assert.deepEqual(
    ['1', '3600', undefined].map((text) => readRequestTimeout(text, problems)),
    [1000, 3_600_000, undefined],
  );
  assert.deepEqual(problems, []);
  for (const bad of ['0', '65537', '1.5', 'many']) readMaxConnections(bad, problems);
  for (const bad of ['0', '3601', '30s']) readRequestTimeout(bad, problems);
  assert.deepEqual(problems, [
    "--max-connections takes a whole number from 1 to 65536, found '0'",
    "--max-connections takes a whole number from 1 to 65536, found '65537'",
    "--max-connections takes a whole number from 1 to 65536, found '1.5'",
    "--max-connections takes a whole number from 1 to 65536, found 'many'",
    "--request-timeout takes whole seconds from 1 to 3600, found '0'",
    "--request-timeout takes whole seconds from 1 to 3600, found '3601'",
    "--request-timeout takes whole seconds from 1 to 3600, found '30s'",
  ]);
});

test('readServeFlags passes --max-connections and --request-timeout to the webhook, refuses them with --no-webhook', async () => {
  const problems: string[] = [];
  const base = { listen: '127.0.0.1:0', path: '/k8s-audit', auditLog: [], cloudtrail: [] };
  const setup = await readServeFlags(
    { ...base, webhook: true, maxConnections: '8', requestTimeout: '5' },
    problems,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual([setup.webhook?.maxConnections, setup.webhook?.requestTimeoutMs], [8, 5000]);
  await readServeFlags(
    {
      ...base,
      webhook: false,
      auditLog: [inDirectory('x.log')],
      maxConnections: '8',
      requestTimeout: '5',
    },
    problems,
    new Set(['maxConnections', 'requestTimeout']),
  );
  assert.deepEqual(problems, [
    '--max-connections, --request-timeout only apply to the webhook, which --no-webhook leaves out; drop them or --no-webhook',
  ]);
});

test('--path must start with / and hold no query, fragment or space', () => {
  const problems: string[] = [];
  assert.equal(readWebhookPath('/k8s-audit', problems), '/k8s-audit');
  readWebhookPath('noslash', problems);
  readWebhookPath('/audit?x=1', problems);
  assert.deepEqual(problems, [
    "--path takes a URL path starting with '/', found 'noslash'",
    "--path takes a URL path without '?', '#' or spaces, found '/audit?x=1'",
  ]);
});

const defaults: ServeFlags = {
  listen: '127.0.0.1:9765',
  path: '/k8s-audit',
  auditLog: [],
  cloudtrail: [],
  webhook: true,
};

test('readServeFlags reports every problem at once and leaves the webhook out with --no-webhook', async () => {
  const problems: string[] = [];
  const flags = { ...defaults, listen: 'x:99999', path: 'p', maxBodyBytes: '0', metrics: 'm:x' };
  await readServeFlags({ ...flags, webhook: false, cloudtrail: [inDirectory('gone')] }, problems);
  assert.deepEqual(problems, [
    "--listen: port 99999 is out of range (0 to 65535) in 'x:99999'",
    "--metrics: expected host:port, found 'm:x'",
    "--path takes a URL path starting with '/', found 'p'",
    "--max-body-bytes takes a whole number of bytes from 1 to 268435456 (256 MiB), found '0'",
    `--cloudtrail ${inDirectory('gone')}: no such file or directory`,
  ]);
  const setup = await readServeFlags({ ...defaults, webhook: false, auditLog: ['a.log'] }, []);
  assert.deepEqual(setup, { webhook: undefined, auditLogs: ['a.log'], cloudTrail: [] });
});

test('serve with a missing --cloudtrail path exits 2 naming it, before the store or webhook start', async () => {
  const store = inDirectory('a1.db');
  const missing = inDirectory('nonexistdir');
  await assertUsageError(
    ['--store', store, '--cloudtrail', missing],
    [`--cloudtrail ${missing}: no such file or directory`],
  );
  assert.equal(existsSync(store), false);
});

test('serve with a bad --max-body-bytes exits 2 with what it takes', async () => {
  for (const value of ['abc', '0'])
    await assertUsageError(
      ['--no-store', '--max-body-bytes', value],
      [
        `--max-body-bytes takes a whole number of bytes from 1 to 268435456 (256 MiB), found '${value}'`,
      ],
    );
});

test('serve with nothing to serve (--no-webhook and no log) is a usage error', async () => {
  await assertUsageError(
    ['--no-webhook', '--no-metrics', '--store', inDirectory('a4.db')],
    [
      'nothing to serve: --no-webhook leaves no source; give --audit-log or --cloudtrail, or drop --no-webhook',
    ],
  );
});

test('readServeFlags refuses webhook options given with --no-webhook, naming each', async () => {
  const problems: string[] = [];
  const flags = { ...defaults, webhook: false, auditLog: ['a.log'] };
  await readServeFlags(flags, problems, new Set(['auditLog', 'webhook']));
  assert.deepEqual(problems, []);
  await readServeFlags(flags, problems, new Set(['path', 'auditLog']));
  assert.deepEqual(problems, [
    '--path only applies to the webhook, which --no-webhook leaves out; drop it or --no-webhook',
  ]);
  // With the webhook on, the same options are what it takes.
  await readServeFlags({ ...flags, webhook: true }, problems, new Set(['listen', 'path']));
  assert.equal(problems.length, 1);
});

test('serve --no-webhook with --listen, --max-body-bytes or TLS files is a usage error naming them', async () => {
  const log = inDirectory('webhook-options.log');
  const store = inDirectory('a5.db');
  await assertUsageError(
    [
      '--no-webhook',
      '--audit-log',
      log,
      '--store',
      store,
      '--no-metrics',
      '--listen',
      '127.0.0.1:0',
    ],
    [
      '--listen only applies to the webhook, which --no-webhook leaves out; drop it or --no-webhook',
    ],
  );
  const missing = inDirectory('nonexist');
  await assertUsageError(
    ['--no-webhook', '--audit-log', log, '--no-store', '--max-body-bytes', '10'].concat([
      '--tls-cert',
      missing,
      '--tls-key',
      missing,
      '--token-file',
      missing,
      '--path',
      '/x',
    ]),
    [
      `--tls-cert ${missing}: no such file or directory`,
      `--tls-key ${missing}: no such file or directory`,
      `--token-file ${missing}: no such file or directory`,
      '--path, --max-body-bytes, --tls-cert, --tls-key, --token-file only apply to the webhook, which --no-webhook leaves out; drop them or --no-webhook',
    ],
  );
  assert.equal(existsSync(store), false);
});

test('serve with a directory as --audit-log exits 2 instead of retrying for ever', async () => {
  const logDirectory = inDirectory('audit-dir');
  mkdirSync(logDirectory);
  await assertUsageError(
    ['--no-store', '--audit-log', logDirectory],
    [`--audit-log ${logDirectory}: is a directory, expected an audit log file`],
  );
});

test('serve names the option and file of a bad TLS or token file', async () => {
  const missing = inDirectory('nonexist');
  await assertUsageError(
    ['--no-store', '--tls-cert', missing, '--tls-key', missing, '--token-file', directory],
    [
      `--tls-cert ${missing}: no such file or directory`,
      `--tls-key ${missing}: no such file or directory`,
      `--token-file ${directory}: is a directory, expected a file holding the bearer token`,
    ],
  );
});

test('serve refuses a FIFO as --tls-cert, --tls-key or --token-file instead of waiting on it', async () => {
  // Opening a FIFO for reading waits for a writer: before, serve hung there before starting.
  const fifo = inDirectory('pipe');
  execFileSync('mkfifo', [fifo]);
  await assertUsageError(
    ['--no-store', '--tls-cert', fifo, '--tls-key', fifo, '--token-file', fifo],
    [
      `--tls-cert ${fifo}: is not a regular file, expected a PEM certificate`,
      `--tls-key ${fifo}: is not a regular file, expected a PEM private key`,
      `--token-file ${fifo}: is not a regular file, expected a file holding the bearer token`,
    ],
  );
});

test('serve with a --path not starting with / exits 2', async () => {
  await assertUsageError(
    ['--no-store', '--path', 'noslash'],
    ["--path takes a URL path starting with '/', found 'noslash'"],
  );
});

test('serve with a rule file error ends by saying nothing is served, after the diagnostic', async () => {
  const missing = inDirectory('missing-rules.yaml');
  const child = spawn(process.execPath, [HARRIER, 'serve', '-r', missing, '--no-store'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(status, 1);
  assert.deepEqual(stderr.trimEnd().split('\n'), [
    `${missing}: error LOAD_ERR_FILE_READ: could not read rules file ${missing}: no such file or directory`,
    'harrier serve: the rule files have 1 error: nothing served',
  ]);
});
