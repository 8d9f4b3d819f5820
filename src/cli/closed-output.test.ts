import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCloudTrailFile } from '../testing/cloudtrail-file.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

/** Runs harrier with a reader that has gone before the first line: status and stderr. */
function runWithClosedStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [HARRIER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

/** A rule matching every CloudTrail record and a trail of 50 records. */
function cloudTrailFixture(): { rules: string; trail: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-closed-'));
  const rules = path.join(directory, 'rules.yaml');
  writeFileSync(
    rules,
    '- rule: Any call\n  desc: every record\n  condition: ct.name exists\n' +
      '  output: call %ct.name\n  priority: NOTICE\n  source: aws_cloudtrail\n',
  );
  const trail = writeCloudTrailFile(directory, 50);
  return { rules, trail };
}

test('harrier rules show ends with status 0 and no stack trace when its reader has gone', async () => {
  const { status, stderr } = await runWithClosedStdout(['rules', 'show']);
  assert.equal(stderr, '');
  assert.equal(status, 0);
});

test('harrier replay ends with status 0 and no stack trace when its reader has gone', async () => {
  const { rules, trail } = cloudTrailFixture();
  const args = ['replay', '--no-progress', '--no-store', '-r', rules, trail];
  const { status, stderr } = await runWithClosedStdout(args);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  assert.equal(status, 0);
});

test('harrier replay with a store stores every alert even when its reader has gone', async () => {
  const traces = corpusPath('falco/tests-0.34.1');
  const store = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-closed-')), 'alerts.db');
  const args = ['replay', '--no-progress', '--store', store];
  args.push('-r', `${traces}/rules/single_rule.yaml`, `${traces}/trace_files/cat_write.scap`);
  const { status, stderr } = await runWithClosedStdout(args);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  assert.equal(status, 0);
  const listed = spawnSync(process.execPath, [HARRIER, 'alerts', '--store', store, '--json'], {
    encoding: 'utf8',
  });
  assert.equal(listed.stdout.trim().split('\n').length, 8, 'the capture raises 8 alerts');
});

test('harrier serve stops cleanly, with its summary, when its reader has gone', async () => {
  const { rules, trail } = cloudTrailFixture();
  const args = ['serve', '--no-webhook', '--no-store', '-r', rules, '--cloudtrail', trail];
  const { status, stderr } = await runWithClosedStdout(args);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  assert.match(stderr, /harrier serve: stopped\n {2}aws_cloudtrail: \d+ records/);
  assert.equal(status, 0);
});
