import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { startServe } from './serve.js';
import type { CloudTrailState } from './serve-cloudtrail.js';
import { loadCaseRules, falcoAuditCases } from './falco-k8s-audit-cases.js';
import { repositoryRoot } from '../testing/corpus.js';
import { writeCloudTrailFile } from '../testing/cloudtrail-file.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

/** Serves `directory` until `count` CloudTrail records were processed, or 1.5 s passed. */
async function recordsServed(directory: string, state: CloudTrailState): Promise<number> {
  const ruleSet = await loadCaseRules(falcoAuditCases[0]);
  const running = await startServe({
    ruleSet,
    onAlert: () => {},
    webhook: false,
    cloudTrail: [directory],
    cloudTrailState: state,
  });
  // The first scan finds the files, the second (a second later) reads them.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await running.stop();
  return running.detection.stats.aws_cloudtrail.processed;
}

test('a restarted serve reads only the CloudTrail files new since, or all with fromStart', async () => {
  const trail = mkdtempSync(path.join(tmpdir(), 'harrier-serve-ct-'));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'harrier-serve-state-'));
  writeCloudTrailFile(trail, 3);
  assert.equal(await recordsServed(trail, { stateDir }), 3);
  assert.ok(existsSync(path.join(stateDir, 'cloudtrail.db')));
  assert.equal(await recordsServed(trail, { stateDir }), 0);
  writeCloudTrailFile(mkdtempSync(path.join(trail, 'day-')), 2);
  assert.equal(await recordsServed(trail, { stateDir }), 2);
  assert.equal(await recordsServed(trail, { stateDir, fromStart: true }), 5);
  // Without a state directory nothing is kept: every start reads every file.
  assert.equal(await recordsServed(trail, {}), 5);
});

test('a state directory that cannot hold the record stops serve, naming it', async () => {
  const trail = mkdtempSync(path.join(tmpdir(), 'harrier-serve-ct-'));
  const missing = path.join(trail, 'no-such-dir');
  await assert.rejects(
    recordsServed(trail, { stateDir: missing }),
    new RegExp(
      `^Error: cannot keep the record of CloudTrail files read in ${missing}/cloudtrail.db: directory ${missing} does not exist`,
    ),
  );
});

/** Runs `harrier serve --no-webhook --cloudtrail TARGET` to its end: status and stderr. */
async function serveTrail(
  target: string,
  stdin?: Buffer,
): Promise<{ status: unknown; stderr: string }> {
  const args = ['serve', '-r', path.join(repositoryRoot, 'rules'), '--no-store', '--no-webhook'];
  const child = spawn(process.execPath, [HARRIER, ...args, '--cloudtrail', target], {
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
  });
  child.stdin?.end(stdin);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { status, stderr };
}

const readThree = 'aws_cloudtrail: 3 records, 3 processed, 0 rejected, 0 alerts\n';

test('serve reads gzip on stdin and a zip archive named, as replay does', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-serve-ct-'));
  const trail = writeCloudTrailFile(directory, 3);
  const gzipped = await serveTrail('-', gzipSync(readFileSync(trail, 'utf8')));
  assert.ok(gzipped.stderr.endsWith(readThree), gzipped.stderr);
  assert.equal(gzipped.status, 0);
  const archive = path.join(directory, 'trail.zip');
  writeFileSync(archive, zipSync({ 'logs/trail.json': Buffer.from(readFileSync(trail, 'utf8')) }));
  const zipped = await serveTrail(archive);
  assert.ok(zipped.stderr.endsWith(readThree), zipped.stderr);
  assert.equal(zipped.status, 0);
});

test('a CloudTrail input that cannot be read at all makes the exit status 1', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-serve-ct-')), 'notes.json');
  writeFileSync(file, 'not json\n');
  const { status, stderr } = await serveTrail(file);
  assert.match(
    stderr,
    /ERROR cli\.serve: CloudTrail input could not be read; serve will exit with status 1/,
  );
  assert.equal(status, 1);
});
