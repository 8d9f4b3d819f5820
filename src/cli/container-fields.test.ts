import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { repositoryRoot, corpusPath } from '../testing/corpus.js';

const traces = corpusPath('falco/tests-0.34.1');

function replayJson(
  extra: string[],
): Array<{ output: string; output_fields: Record<string, unknown> }> {
  const stdout = execFileSync(
    process.execPath,
    [
      'bin/harrier.js', 'replay', `${traces}/trace_files/cat_write.scap`,
      '-r', `${traces}/rules/single_rule_with_tags.yaml`, '--json', '--time-format', 'iso8601', ...extra,
    ],
    { cwd: repositoryRoot, env: { ...process.env, HARRIER_HOSTNAME: 'test-falco-hostname' }, stdio: ['ignore', 'pipe', 'ignore'] },
  ); // prettier-ignore
  return stdout
    .toString()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

test('--container-fields adds container and pod fields to output_fields, not to the text', () => {
  const plain = replayJson([]);
  const withContainer = replayJson(['--container-fields']);
  assert.equal(withContainer.length, plain.length);
  assert.ok(plain.length > 0);
  assert.equal(withContainer[0].output, plain[0].output);
  assert.deepEqual(Object.keys(plain[0].output_fields).sort(), [
    'evt.time.iso8601',
    'proc.cmdline',
  ]);
  assert.equal(withContainer[0].output_fields['container.id'], 'host');
  assert.equal(withContainer[0].output_fields['proc.cmdline'], 'cat /dev/null');
  assert.ok('k8s.pod.name' in withContainer[0].output_fields);
});
