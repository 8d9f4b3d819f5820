/**
 * The rule test runner: verdicts on field-value events, raw audit events and captures,
 * explanations of failing cases, output-field checks, coverage and malformed test files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusPath } from '../../testing/corpus.js';
import { formatRuleTestReport } from './report.js';
import { isPassing, runRuleTests, type RuleTestReport } from './runner.js';

const rules = `
- macro: spawned
  condition: evt.type in (execve, execveat)
- list: shells
  items: [bash, sh]
- rule: Shell with terminal
  desc: a shell with a terminal, not below sshd
  condition: spawned and proc.name in (shells) and proc.tty != 0 and not proc.pname in (sshd)
  output: shell %proc.name tty=%proc.tty parent=%proc.pname gparent=%proc.aname[2]
  priority: NOTICE
- rule: Secret or exec
  desc: either of two things
  condition: evt.type = openat and (fd.name = /etc/shadow or proc.name = cat)
  output: opened %fd.name
  priority: WARNING
- rule: Pod exec
  desc: exec into a pod
  condition: ka.target.subresource = exec and ka.verb = create
  output: exec by %ka.user.name into %ka.target.name
  priority: NOTICE
  source: k8s_audit
- rule: Curl execve
  desc: curl started
  condition: evt.type = execve and proc.name = curl
  output: curl %proc.cmdline
  priority: NOTICE
`;

async function runWith(cases: string): Promise<RuleTestReport> {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-rule-tests-'));
  await writeFile(path.join(directory, 'sample.yaml'), rules);
  await writeFile(path.join(directory, 'sample.test.yaml'), cases);
  return runRuleTests([directory]);
}

const shellEvent =
  '{fields: {evt.type: execve, proc.name: bash, proc.tty: 34816, proc.pname: tmux, proc.aname: [tmux, systemd]}}';

test('passes matching cases and checks output fields through the rule output', async () => {
  const report = await runWith(`
cases:
  - rule: Shell with terminal
    fires: true
    event: ${shellEvent}
    output_fields: {proc.name: bash, proc.tty: 34816, "proc.aname[2]": systemd}
  - rule: Shell with terminal
    fires: false
    event: {fields: {evt.type: execve, proc.name: bash, proc.tty: 34816, proc.pname: sshd}}
`);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(
    report.results.map((result) => result.passed),
    [true, true],
  );
  assert.equal(isPassing(report), true);
});

test('a case that should fire names the first false conjunct with the value seen', async () => {
  const report = await runWith(`
cases:
  - name: no terminal
    rule: Shell with terminal
    fires: true
    event: {fields: {evt.type: execve, proc.name: bash, proc.tty: 0}}
`);
  const [result] = report.results;
  assert.equal(result.passed, false);
  assert.equal(result.details[0], "rule 'Shell with terminal' should fire but did not");
  assert.match(
    result.details[1],
    /event: \(syscall\) \{"evt.type":"execve","proc.name":"bash","proc.tty":0\}/,
  );
  assert.equal(result.details[2], '    first false conjunct (3 of 4):');
  assert.equal(result.details[3], '      proc.tty != 0 is false (proc.tty = "0")');
  assert.equal(isPassing(report), false);
  const text = formatRuleTestReport(report).join('\n');
  assert.match(text, /^FAIL .*sample\.test\.yaml:3 Shell with terminal > no terminal$/m);
});

test('a false disjunction lists every disjunct', async () => {
  const report = await runWith(`
cases:
  - rule: Secret or exec
    fires: true
    event: {fields: {evt.type: openat, fd.name: /etc/hosts, proc.name: less}}
`);
  const details = report.results[0].details.join('\n');
  assert.match(details, /all 2 disjuncts are false:/);
  assert.match(details, /fd\.name = \/etc\/shadow is false \(fd\.name = "\/etc\/hosts"\)/);
  assert.match(details, /proc\.name = cat is false \(proc\.name = "less"\)/);
});

test('a case that should not fire shows every true conjunct, through not', async () => {
  const report = await runWith(`
cases:
  - rule: Shell with terminal
    fires: false
    event: ${shellEvent}
`);
  const details = report.results[0].details.join('\n');
  assert.match(details, /should not fire but did/);
  assert.match(details, /all 4 conjuncts are true:/);
  assert.match(
    details,
    /not proc\.pname in \(sshd\) is true\n\s+proc\.pname in \(sshd\) is false \(proc\.pname = "tmux"\)/,
  );
});

test('an event type outside the rule index never reaches the condition', async () => {
  const report = await runWith(`
cases:
  - rule: Shell with terminal
    fires: true
    event: {fields: {evt.type: clone, proc.name: bash, proc.tty: 1}}
`);
  assert.match(
    report.results[0].details.join('\n'),
    /event type 'clone' is not one the rule runs on \(execve, execveat\)/,
  );
});

test('wrong or missing output fields are named', async () => {
  const report = await runWith(`
cases:
  - rule: Shell with terminal
    fires: true
    event: ${shellEvent}
    output_fields: {proc.name: sh, fd.name: /x, proc.pname: tmux}
`);
  assert.deepEqual(report.results[0].details.slice(0, 3), [
    "rule 'Shell with terminal' fired with other output fields",
    '  proc.name: expected sh, got bash',
    "  fd.name: the rule's output has no %fd.name",
  ]);
});

test('raw audit events run through the real k8s_audit extractors', async () => {
  const audit = (verb: string) =>
    JSON.stringify({
      kind: 'Event',
      auditID: '6b0f6e3c-8a2d-4d54-9c53-2f1f0c9a1e01',
      stage: 'ResponseStarted',
      verb,
      user: { username: 'alice' },
      objectRef: { resource: 'pods', name: 'web-1', namespace: 'shop', subresource: 'exec' },
      stageTimestamp: '2024-05-01T10:00:00Z',
    });
  const report = await runWith(`
cases:
  - rule: Pod exec
    fires: true
    event: {raw: ${audit('create')}}
    output_fields: {ka.user.name: alice, ka.target.name: web-1}
  - rule: Pod exec
    fires: false
    event: {raw: ${audit('get')}}
  - rule: Pod exec
    fires: true
    event: {raw: {kind: Event}}
`);
  assert.deepEqual(
    report.results.map((result) => result.passed),
    [true, true, false],
  );
  assert.match(
    report.results[2].details[0],
    /rejected before the rules: can't read stageTimestamp/,
  );
});

test('a capture fires the rule when any event in it matches', async () => {
  const capture = corpusPath('falco/scap/curl_google.scap');
  const report = await runWith(`
cases:
  - rule: Curl execve
    fires: true
    capture: ${capture}
  - rule: Shell with terminal
    fires: true
    capture: ${capture}
`);
  assert.equal(report.results[0].passed, true, report.results[0].details.join('\n'));
  assert.equal(report.results[1].passed, false);
  assert.match(
    report.results[1].details[1],
    /capture .*curl_google\.scap \(\d+ events, 1 of the rule's event types, 0 matched\)/,
  );
});

test('coverage lists rules without a firing or a non-firing case', async () => {
  const report = await runWith(`
cases:
  - rule: Shell with terminal
    fires: true
    event: ${shellEvent}
`);
  assert.deepEqual(report.uncovered, [
    { rule: 'Shell with terminal', missing: 'non-firing' },
    { rule: 'Secret or exec', missing: 'firing and non-firing' },
    { rule: 'Pod exec', missing: 'firing and non-firing' },
    { rule: 'Curl execve', missing: 'firing and non-firing' },
  ]);
  assert.equal(isPassing(report), true);
  assert.equal(isPassing(report, true), false);
});

test('malformed cases and unknown rules are reported with their lines', async () => {
  const report = await runWith(`
bogus: 1
cases:
  - rule: Shell with terminal
    fires: maybe
    event: ${shellEvent}
  - rule: No such rule
    fires: true
    event: ${shellEvent}
`);
  assert.equal(report.problems.length, 2);
  assert.match(
    report.problems[0],
    /sample\.test\.yaml:4: error: case 'case 1': expected 'fires: true' or 'fires: false'$/,
  );
  assert.match(report.problems[1], /sample\.test\.yaml:1: error: unknown key 'bogus'/);
  const printed = formatRuleTestReport(report);
  assert.equal(printed[0], report.problems[0], 'printed as compilers print errors, unprefixed');
  assert.deepEqual(report.results[0].details, [
    "no rule named 'No such rule' in the loaded rule files",
  ]);
});

test('a YAML error in a test file gives its line and the cause, without the position again', async () => {
  const report = await runWith('cases:\n\t- rule: Shell with terminal\n');
  assert.equal(report.problems.length, 1);
  assert.match(
    report.problems[0],
    /sample\.test\.yaml:2: error: tabs are not allowed in YAML indentation; indent with spaces$/,
  );
});
