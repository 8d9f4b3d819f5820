/**
 * The files `harrier serve` options name (TLS certificate and key, token file, audit logs,
 * CloudTrail paths), checked before anything starts. Each problem is one message naming the
 * option, the file and what was expected, added to `problems`.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';

/** A bearer token longer than this is not a token: the file named is likely the wrong one. */
const MAX_TOKEN_BYTES = 4096;
/** Room for a certificate chain in PEM; far more means the file named is the wrong one. */
const MAX_PEM_BYTES = 1024 * 1024;

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** What a failed file operation means to the user, from its error code. */
function describeFileError(error: NodeJS.ErrnoException, expected: string): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return `is a directory, expected ${expected}`;
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return error.message;
  }
}

/** The content of a regular file of at most `maxBytes`, or undefined with the problem noted. */
async function readOptionFile(
  option: string,
  file: string,
  expected: string,
  maxBytes: number,
  problems: string[],
): Promise<Buffer | undefined> {
  const noted = (problem: string) => void problems.push(`${option} ${file}: ${problem}`);
  const failed = (error: unknown) =>
    noted(describeFileError(error as NodeJS.ErrnoException, expected));
  const info = await stat(file).catch(failed);
  if (info === undefined) return undefined;
  if (info.isDirectory()) return noted(`is a directory, expected ${expected}`);
  // Reading a FIFO or a device could wait for ever (or never end) before anything starts.
  if (!info.isFile()) return noted(`is not a regular file, expected ${expected}`);
  if (info.size > maxBytes) return noted(`is ${info.size} bytes, too large for ${expected}`);
  return readFile(file).catch(failed);
}

/** Why `pem` is no certificate, if it is not; a key given in its place is named as such. */
function certificateProblem(pem: Buffer): string | undefined {
  const text = pem.toString('latin1');
  if (!text.includes(PEM_CERTIFICATE)) {
    const found = text.includes('PRIVATE KEY-----')
      ? 'found a private key (are --tls-cert and --tls-key swapped?)'
      : 'found none';
    return `expected a PEM certificate (${PEM_CERTIFICATE}), ${found}`;
  }
  try {
    new X509Certificate(pem);
    return undefined;
  } catch (error) {
    return `the PEM certificate cannot be read: ${(error as Error).message}`;
  }
}

/** The private key in `pem`, or why it cannot serve; a certificate in its place is named. */
function readPrivateKey(pem: Buffer): KeyObject | string {
  try {
    return createPrivateKey(pem);
  } catch {
    const text = pem.toString('latin1');
    // PKCS#8 says `BEGIN ENCRYPTED PRIVATE KEY`, the older PEM form `Proc-Type: 4,ENCRYPTED`.
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text))
      return 'the private key is encrypted; serve takes an unencrypted key';
    if (text.includes(PEM_CERTIFICATE))
      return 'expected a PEM private key, found a certificate (are --tls-cert and --tls-key swapped?)';
    return 'expected a PEM private key (-----BEGIN PRIVATE KEY-----), found none';
  }
}

/** `--tls-cert` and `--tls-key`: both or neither, a PEM certificate and its own private key. */
export async function readTlsFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
  problems: string[],
): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('--tls-cert and --tls-key go together');
    return undefined;
  }
  const cert = await readOptionFile(
    '--tls-cert',
    certFile,
    'a PEM certificate',
    MAX_PEM_BYTES,
    problems,
  );
  const key = await readOptionFile(
    '--tls-key',
    keyFile,
    'a PEM private key',
    MAX_PEM_BYTES,
    problems,
  );
  if (cert === undefined || key === undefined) return undefined;

  const certProblem = certificateProblem(cert);
  const privateKey = readPrivateKey(key);
  if (certProblem !== undefined) problems.push(`--tls-cert ${certFile}: ${certProblem}`);
  if (typeof privateKey === 'string') problems.push(`--tls-key ${keyFile}: ${privateKey}`);
  if (certProblem !== undefined || typeof privateKey === 'string') return undefined;
  if (!new X509Certificate(cert).checkPrivateKey(privateKey)) {
    problems.push(`--tls-key ${keyFile}: is not the private key of the --tls-cert ${certFile}`);
    return undefined;
  }
  try {
    // What the HTTPS server will do with them: catches what the checks above do not (a weak key).
    createSecureContext({ cert, key });
  } catch (error) {
    const message = (error as Error).message;
    problems.push(`--tls-cert ${certFile} with --tls-key ${keyFile}: cannot serve TLS: ${message}`);
    return undefined;
  }
  return { cert, key };
}

/** `--token-file`: one word, the bearer token clients must send. */
export async function readTokenFile(file: string, problems: string[]): Promise<string | undefined> {
  const expected = 'a file holding the bearer token';
  const content = await readOptionFile('--token-file', file, expected, MAX_TOKEN_BYTES, problems);
  if (content === undefined) return undefined;
  const token = content.toString('utf8').trim();
  // An empty token would turn authentication off without a word.
  if (token === '') problems.push(`--token-file ${file}: is empty, expected the bearer token`);
  else if (/\s/.test(token))
    problems.push(
      `--token-file ${file}: holds more than one word; a bearer token has no spaces or line breaks`,
    );
  else return token;
  return undefined;
}

/** `--audit-log`: a readable regular file, or one that does not exist yet (it is waited for). */
export async function checkAuditLog(file: string, problems: string[]): Promise<void> {
  const expected = 'an audit log file';
  try {
    const info = await stat(file);
    if (info.isDirectory())
      problems.push(`--audit-log ${file}: is a directory, expected ${expected}`);
    else if (!info.isFile())
      problems.push(`--audit-log ${file}: is not a regular file; a followed log must be one`);
    else await access(file, constants.R_OK);
  } catch (error) {
    const fileError = error as NodeJS.ErrnoException;
    if (fileError.code !== 'ENOENT')
      problems.push(`--audit-log ${file}: ${describeFileError(fileError, expected)}`);
  }
}

/** `--cloudtrail`: `-` (stdin, once), a readable directory or a readable regular file. */
export async function checkCloudTrailTargets(
  targets: readonly string[],
  problems: string[],
): Promise<void> {
  if (targets.filter((target) => target === '-').length > 1)
    problems.push('--cloudtrail - is given more than once; stdin can be read once');
  for (const target of targets.filter((entry) => entry !== '-')) {
    try {
      const info = await stat(target);
      if (info.isDirectory()) await access(target, constants.R_OK | constants.X_OK);
      else if (info.isFile()) await access(target, constants.R_OK);
      else
        problems.push(
          `--cloudtrail ${target}: is neither a directory nor a regular file, expected a CloudTrail directory or log file`,
        );
    } catch (error) {
      const expected = 'a CloudTrail directory or log file';
      problems.push(
        `--cloudtrail ${target}: ${describeFileError(error as NodeJS.ErrnoException, expected)}`,
      );
    }
  }
}
