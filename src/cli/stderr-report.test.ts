/**
 * What commands print on stderr, as a user runs them: readable text by default, one NDJSON
 * object per line under --json, rule-load warnings left out under --quiet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCloudTrailFile } from '../testing/cloudtrail-file.js';
import { repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');

function harrier(...args: string[]) {
  return spawnSync(process.execPath, [HARRIER, ...args], { encoding: 'utf8' });
}

/**
 * A rule file with two warnings (a field compared as a string, an unused macro), a trail of
 * three records that the rule matches, and a path that does not exist.
 */
function fixture(): { rules: string; trail: string; missing: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-stderr-'));
  const rules = path.join(directory, 'rules.yaml');
  writeFileSync(
    rules,
    [
      '- macro: unused_one',
      '  condition: ct.name = x',
      '- rule: Any call',
      '  desc: every record',
      '  condition: ct.name exists and ct.name != ct.name',
      '  output: call %ct.name',
      '  priority: NOTICE',
      '  source: aws_cloudtrail',
      '',
    ].join('\n'),
  );
  const trail = writeCloudTrailFile(directory, 3);
  return { rules, trail, missing: path.join(directory, 'missing.json') };
}

test('replay --json writes only NDJSON on stderr: diagnostics, the summary, failures', () => {
  const { rules, trail, missing } = fixture();
  const result = harrier('replay', '--json', '--no-store', '-r', rules, trail, missing);
  assert.equal(result.status, 1);
  const lines = result.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const pick = (line: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.map((key) => [key, line[key]]));
  const diagnosticKeys = ['level', 'code', 'file', 'line', 'column', 'msg'];
  // In reading order, as rules validate lists them: the macro's warning (found last) first.
  assert.deepEqual(
    lines.filter((line) => line.code !== undefined).map((line) => pick(line, diagnosticKeys)),
    [
      {
        level: 40,
        code: 'LOAD_UNUSED_MACRO',
        file: rules,
        line: 1,
        column: 3,
        msg: 'Macro not referred to by any other rule/macro',
      },
      {
        level: 40,
        code: 'LOAD_COMPILE_CONDITION',
        file: rules,
        line: 5,
        column: 44,
        msg: "'ct.name' may be a valid field misused as a const string value",
      },
    ],
  );
  const summary = lines.find((line) => line.msg === 'replay summary');
  assert.deepEqual(pick(summary ?? {}, ['level', 'sources', 'alerts', 'byRule', 'failures']), {
    level: 30,
    sources: { aws_cloudtrail: { received: 3, processed: 3, rejected: 0, alerts: 3 } },
    alerts: 3,
    byRule: [{ rule: 'Any call', priority: 'Notice', count: 3 }],
    failures: 1,
  });
  const failure = lines.find((line) => line.file === missing);
  assert.deepEqual(pick(failure ?? {}, ['level', 'reason']), { level: 50, reason: 'no such file' });
});

test('replay without --json writes the warnings with caret excerpts and a text summary', () => {
  const { rules, trail } = fixture();
  const result = harrier('replay', '--no-store', '-r', rules, trail);
  assert.equal(result.status, 0);
  assert.match(result.stderr, /^ {6}\| {3}\^$/m);
  assert.match(result.stderr, /warning LOAD_UNUSED_MACRO/);
  assert.match(result.stderr, /^Triggered rules by rule name:\n {2}Any call \(Notice\): 3$/m);
});

test('replay --quiet leaves out rule-load warnings but keeps errors', () => {
  const { rules, trail } = fixture();
  const quiet = harrier('replay', '--quiet', '--no-store', '-r', rules, trail);
  assert.equal(quiet.status, 0);
  assert.doesNotMatch(quiet.stderr, /warning/);
  assert.match(quiet.stderr, /aws_cloudtrail: 3 records/);
  const broken = path.join(path.dirname(rules), 'broken.yaml');
  writeFileSync(
    broken,
    '- rule: Broken\n  desc: d\n  condition: ct.name in (\n  output: o\n  priority: NOTICE\n  source: aws_cloudtrail\n',
  );
  const failed = harrier('replay', '-q', '--no-store', '-r', broken, trail);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /error LOAD_ERR_COMPILE_CONDITION/);
});

test('a store path under a missing directory is refused with that directory named, none made', () => {
  const { rules, trail } = fixture();
  const missingDirectory = path.join(path.dirname(rules), 'no-such-dir');
  const store = path.join(missingDirectory, 'alerts.db');
  const result = harrier('replay', '--json', '--store', store, '-r', rules, trail);
  assert.equal(result.status, 2);
  const line = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(existsSync(missingDirectory), false);
  assert.equal(
    line.msg,
    `cannot open the alert store ${store}: directory ${missingDirectory} does not exist`,
  );
});
