import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkAuditLog,
  checkCloudTrailTargets,
  readTlsFiles,
  readTokenFile,
} from './serve-files.js';

const directory = mkdtempSync(path.join(tmpdir(), 'harrier-serve-files-'));
const inDirectory = (name: string) => path.join(directory, name);

/** Writes a self-signed certificate and its key as `name.crt` and `name.key`. */
function writeCertificate(name: string): { cert: string; key: string } {
  const cert = inDirectory(`${name}.crt`);
  const key = inDirectory(`${name}.key`);
  const subject = ['-subj', '/CN=127.0.0.1', '-days', '1'];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert];
  execFileSync('openssl', [...args, ...subject], { stdio: 'ignore' });
  return { cert, key };
}

const first = writeCertificate('first');
const second = writeCertificate('second');

async function tlsProblems(cert?: string, key?: string): Promise<string[]> {
  const problems: string[] = [];
  const tls = await readTlsFiles(cert, key, problems);
  if (problems.length > 0) assert.equal(tls, undefined);
  return problems;
}

test('a certificate with its own key is read, with no problem', async () => {
  const problems: string[] = [];
  const tls = await readTlsFiles(first.cert, first.key, problems);
  assert.deepEqual(problems, []);
  assert.match(tls!.cert.toString(), /^-----BEGIN CERTIFICATE-----/);
  assert.match(tls!.key.toString(), /^-----BEGIN PRIVATE KEY-----/);
});

test('a missing --tls-cert and --tls-key are named with the file, not as a raw ENOENT', async () => {
  const missing = inDirectory('nonexist');
  assert.deepEqual(await tlsProblems(missing, missing), [
    `--tls-cert ${missing}: no such file or directory`,
    `--tls-key ${missing}: no such file or directory`,
  ]);
  assert.deepEqual(await tlsProblems(first.cert, undefined), [
    '--tls-cert and --tls-key go together',
  ]);
});

test('a certificate and key given in each other’s place are both named, with a hint', async () => {
  assert.deepEqual(await tlsProblems(first.key, first.cert), [
    `--tls-cert ${first.key}: expected a PEM certificate (-----BEGIN CERTIFICATE-----), found a private key (are --tls-cert and --tls-key swapped?)`,
    `--tls-key ${first.cert}: expected a PEM private key, found a certificate (are --tls-cert and --tls-key swapped?)`,
  ]);
});

test('a key of another certificate, an encrypted key and a directory are refused', async () => {
  assert.deepEqual(await tlsProblems(first.cert, second.key), [
    `--tls-key ${second.key}: is not the private key of the --tls-cert ${first.cert}`,
  ]);
  const encrypted = inDirectory('encrypted.key');
  execFileSync(
    'openssl',
    ['rsa', '-in', first.key, '-aes256', '-passout', 'pass:x', '-out', encrypted],
    {
      stdio: 'ignore',
    },
  );
  assert.deepEqual(await tlsProblems(first.cert, encrypted), [
    `--tls-key ${encrypted}: the private key is encrypted; serve takes an unencrypted key`,
  ]);
  assert.deepEqual(await tlsProblems(directory, first.key), [
    `--tls-cert ${directory}: is a directory, expected a PEM certificate`,
  ]);
});

test('a token file gives its one word; a directory, an empty file or two words are refused', async () => {
  const emptyDirectory = inDirectory('token-dir');
  mkdirSync(emptyDirectory);
  const files = { good: 's3cret\n', empty: '\n', twoWords: 'two words\n' };
  for (const [name, content] of Object.entries(files)) writeFileSync(inDirectory(name), content);
  const problems: string[] = [];
  assert.equal(await readTokenFile(inDirectory('good'), problems), 's3cret');
  assert.equal(await readTokenFile(emptyDirectory, problems), undefined);
  assert.equal(await readTokenFile(inDirectory('empty'), problems), undefined);
  assert.equal(await readTokenFile(inDirectory('twoWords'), problems), undefined);
  assert.deepEqual(problems, [
    `--token-file ${emptyDirectory}: is a directory, expected a file holding the bearer token`,
    `--token-file ${inDirectory('empty')}: is empty, expected the bearer token`,
    `--token-file ${inDirectory('twoWords')}: holds more than one word; a bearer token has no spaces or line breaks`,
  ]);
});

test('an audit log may be missing (it is waited for) but not a directory', async () => {
  const log = inDirectory('audit.log');
  writeFileSync(log, '');
  const problems: string[] = [];
  await checkAuditLog(log, problems);
  await checkAuditLog(inDirectory('not-yet.log'), problems);
  await checkAuditLog(directory, problems);
  await checkAuditLog(path.join(log, 'below-a-file.log'), problems);
  assert.deepEqual(problems, [
    `--audit-log ${directory}: is a directory, expected an audit log file`,
    `--audit-log ${path.join(log, 'below-a-file.log')}: a part of the path is not a directory`,
  ]);
});

test('CloudTrail targets must exist; stdin is read once', async () => {
  const trail = inDirectory('trail.json');
  writeFileSync(trail, '{"Records": []}');
  const problems: string[] = [];
  await checkCloudTrailTargets([trail, directory, '-', inDirectory('nonexistdir'), '-'], problems);
  assert.deepEqual(problems, [
    '--cloudtrail - is given more than once; stdin can be read once',
    `--cloudtrail ${inDirectory('nonexistdir')}: no such file or directory`,
  ]);
});
