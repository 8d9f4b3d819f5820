import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runRuleTests } from './runner.js';

const rules = `
- rule: Shell started
  desc: a shell started
  condition: evt.type = execve and proc.name = bash and fd.num >= 0
  output: shell %proc.name
  priority: NOTICE
`;

/** Problems of a run of `cases`, with the test file's path shown as `T`. */
async function problemsOf(cases: string): Promise<string[]> {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-check-case-'));
  await writeFile(path.join(directory, 'sample.yaml'), rules);
  const file = path.join(directory, 'sample.test.yaml');
  await writeFile(file, cases);
  const report = await runRuleTests([directory]);
  return report.problems.map((problem) => problem.replace(file, 'T'));
}

test('an unknown field under fields is an error naming the case, its line and the field', async () => {
  const problems = await problemsOf(`cases:
  - name: typo
    rule: Shell started
    fires: true
    event:
      fields:
        evt.type: execve
        proc.nmae: bash
`);
  assert.deepEqual(problems, [
    "T:8: error: case 'typo': unknown field 'proc.nmae': no syscall field has this name",
  ]);
});

test('values that do not fit the field type are errors: text for a number, a list for one value', async () => {
  const problems = await problemsOf(`cases:
  - name: text number
    rule: Shell started
    fires: true
    event: {fields: {evt.type: execve, proc.name: bash, fd.num: abc}}
  - name: listed name
    rule: Shell started
    fires: false
    event: {fields: {evt.type: execve, proc.name: [bash, sh]}}
  - name: fine
    rule: Shell started
    fires: true
    event: {fields: {evt.type: execve, proc.name: bash, fd.num: 3, proc.aname: [sshd, systemd], "proc.aname[2]": systemd, evt.arg.flags: O_RDONLY}}
`);
  assert.deepEqual(problems, [
    "T:5: error: case 'text number': field 'fd.num' takes INT64 values, found 'abc'",
    "T:9: error: case 'listed name': field 'proc.name' takes one value, found a list",
  ]);
});

test('a raw event under a syscall rule is an error saying raw events are for the JSON sources', async () => {
  const problems = await problemsOf(`cases:
  - name: raw syscall
    rule: Shell started
    fires: false
    event:
      raw: {evt.type: execve}
`);
  assert.deepEqual(problems, [
    "T:6: error: case 'raw syscall': a 'raw' event is a Kubernetes audit event or a CloudTrail record (source k8s_audit or aws_cloudtrail), but this event's source is syscall: give its 'fields', or a 'capture'",
  ]);
});
