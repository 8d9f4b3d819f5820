import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatConfigDiagnostic } from './diagnostic.js';
import type { ConfigUse } from './directories.js';
import { loadConfig } from './load-config.js';

/** `severity line:column key: message` of each diagnostic of configuration `text`. */
function problems(text: string, use: ConfigUse = {}): string[] {
  return loadConfig(text, 'h.yaml', {}, use).diagnostics.map(
    (d) => `${d.severity} ${d.line}:${d.column} ${d.key}: ${d.message}`,
  );
}

/** An `outputs:` list of one output with `lines` (its keys, unindented). */
function oneOutput(...lines: string[]): string {
  return `outputs:\n  - name: out\n${lines.map((line) => `    ${line}\n`).join('')}`;
}

const delivering = { queues: true };

test('a syslog port outside 1 to 65535 is an error at its line, as the metrics port is', () => {
  assert.deepEqual(problems(oneOutput('type: syslog', 'transport: tcp', 'port: 70000')), [
    "error 5:11 outputs[0].port: expected a whole number from 1 to 65535 for 'outputs[0].port', found 70000",
  ]);
  assert.deepEqual(problems(oneOutput('type: syslog', 'port: 0')), [
    "error 4:11 outputs[0].port: expected a whole number from 1 to 65535 for 'outputs[0].port', found 0",
  ]);
  assert.deepEqual(problems(oneOutput('type: syslog', 'port: 6514')), []);
});

test('a file output in a missing directory, or at a directory, is refused at start like store.path', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-output-file-'));
  const missing = oneOutput('type: file', `path: ${root}/nothere/alerts.jsonl`);
  assert.deepEqual(problems(missing, delivering), [
    `error 4:11 outputs[0].path: cannot keep the alerts of 'outputs[0]' where 'outputs[0].path' says: directory ${root}/nothere does not exist`,
  ]);
  mkdirSync(path.join(root, 'adir'));
  assert.deepEqual(problems(oneOutput('type: file', `path: ${root}/adir`), delivering), [
    `error 4:11 outputs[0].path: cannot keep the alerts of 'outputs[0]' where 'outputs[0].path' says: ${root}/adir is not a regular file`,
  ]);
  assert.deepEqual(problems(oneOutput('type: file', `path: ${root}/a.jsonl`), delivering), []);
  // A command that delivers nothing does not look at the place.
  assert.deepEqual(problems(missing), []);
});

test('a send timeout or retry delay of 0, or past what a timer can wait, is refused', () => {
  const text = oneOutput(
    'type: webhook',
    'url: http://127.0.0.1:9999/',
    'timeout: 0s',
    'retry: {initial: 0, max: 999999d}',
  );
  assert.deepEqual(problems(text), [
    "error 5:14 outputs[0].timeout: expected a duration above 0 for 'outputs[0].timeout', found '0s'",
    "error 6:22 outputs[0].retry.initial: expected a duration above 0 for 'outputs[0].retry.initial', found 0",
    "error 6:30 outputs[0].retry.max: expected a duration of at most 24d for 'outputs[0].retry.max' (the longest a timer waits), found '999999d'",
  ]);
});

test('a retry that starts above its maximum is refused at the initial delay', () => {
  const text = oneOutput(
    'type: webhook',
    'url: http://127.0.0.1:9999/',
    'retry: {initial: 5m, max: 1s}',
  );
  assert.deepEqual(problems(text), [
    "error 5:22 outputs[0].retry.initial: expected 'outputs[0].retry.initial' to be at most 'outputs[0].retry.max', found '5m' above '1s'",
  ]);
  const defaultMax = oneOutput(
    'type: webhook',
    'url: http://127.0.0.1:9999/',
    'retry: {initial: 2m}',
  );
  assert.match(problems(defaultMax)[0]!, /found '2m' above the default max$/);
});

test('a syslog unix socket that is not there is a warning naming it (default /dev/log)', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-syslog-'));
  const absent = oneOutput('type: syslog', 'transport: unix', `path: ${root}/log`);
  assert.deepEqual(problems(absent, delivering), [
    `warning 5:11 outputs[0].path: syslog socket ${root}/log does not exist; alerts wait in the queue until it does`,
  ]);
  writeFileSync(path.join(root, 'file'), '');
  const plain = oneOutput('type: syslog', 'transport: unix', `path: ${root}/file`);
  assert.match(problems(plain, delivering)[0]!, /file is not a socket; alerts wait/);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
  const listening = oneOutput('type: syslog', 'transport: unix', `path: ${root}/sock`);
  assert.deepEqual(problems(listening, delivering), []);
  server.close();

  // Without a path the default socket is checked, and the warning sits at `transport`.
  const hasDevLog = statSafe('/dev/log')?.isSocket() === true;
  const byDefault = problems(oneOutput('type: syslog', 'transport: unix'), delivering);
  assert.deepEqual(
    byDefault,
    hasDevLog
      ? []
      : [
          'warning 4:16 outputs[0].path: syslog socket /dev/log does not exist; alerts wait in the queue until it does',
        ],
  );
});

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

test('an output source no alert has is an error at the misspelt item', () => {
  const text = oneOutput('type: stdout', 'sources: [k8s_audit, syscal, internal]');
  assert.deepEqual(problems(text), [
    "error 4:26 outputs[0].sources[1]: unknown source 'syscal' in 'outputs[0].sources'; expected syscall, k8s_audit, aws_cloudtrail or internal (Harrier's own alerts)",
  ]);
});

test('an empty program command is refused: every alert would count as delivered', () => {
  assert.deepEqual(problems(oneOutput('type: program', 'command: "  "')), [
    "error 4:14 outputs[0].command: expected a shell command for 'outputs[0].command', found an empty one (every alert would count as delivered)",
  ]);
});

test('a template name no alert has, and an unclosed {{, are errors at their columns', () => {
  const text = oneOutput(
    'type: stdout',
    'template: "{{rule}} {{nosuch.field}} {{ proc.name }} {{tolower(proc.name)}} {{unterminated"',
  );
  const { diagnostics } = loadConfig(text, 'h.yaml', {});
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), [
    [
      "h.yaml:4:25: error HARRIER_CONFIG_INVALID: unknown name 'nosuch.field' in the template; expected rule, priority, source, hostname, output, time, tags, a field of an alert source (proc.name, ka.verb ...) or an extra_fields name of append_output",
      '    4 |     template: "{{rule}} {{nosuch.field}} {{ proc.name }} {{tolower(proc.name)}} {{unterminated"',
      '      |                         ^',
      '  at key outputs[0].template',
    ].join('\n'),
    [
      "h.yaml:4:81: error HARRIER_CONFIG_INVALID: expected '}}' to close the '{{' opened here, found the end of the template",
      '    4 |     template: "{{rule}} {{nosuch.field}} {{ proc.name }} {{tolower(proc.name)}} {{unterminated"',
      '      |                                                                                 ^',
      '  at key outputs[0].template',
    ].join('\n'),
  ]);
});

test("a template may name append_output's extra fields and the fields of Harrier's own alerts", () => {
  const text = [
    'append_output:',
    '  - extra_fields:',
    '      - home_directory: "/root"',
    oneOutput(
      'type: stdout',
      'template: "{{home_directory}} {{harrier.group.count}} {{n_drops}} {{ka.verb}} {{proc.aname[2]}}"',
    ),
  ].join('\n');
  assert.deepEqual(problems(text), []);
  assert.deepEqual(problems(oneOutput('type: stdout', 'template: "{{}} x"')), [
    "error 4:16 outputs[0].template: expected a name such as {{rule}} or {{proc.name}} after '{{'",
  ]);
});

test('a queue size past 10 million is refused as in effect unbounded', () => {
  assert.deepEqual(problems(oneOutput('type: stdout', 'queue_size: 1e12')), [
    "error 4:17 outputs[0].queue_size: expected a whole number from 1 to 10000000 for 'outputs[0].queue_size', found 1000000000000",
  ]);
  assert.deepEqual(problems(oneOutput('type: stdout', 'queue_size: 10000000')), []);
});

test('nats servers: one string is a list of one; a comma list and a subject name are refused', () => {
  const one = loadConfig(oneOutput('type: nats', 'servers: nats://127.0.0.1:4222'), 'h.yaml', {});
  assert.deepEqual(one.diagnostics, []);
  assert.deepEqual(one.config!.outputs[0]!.options.servers, ['nats://127.0.0.1:4222']);
  const text = oneOutput(
    'type: nats',
    'servers: "nats://127.0.0.1:4222,nats://127.0.0.1:4223"',
    'subject: "harrier.{nosuch}.{rule}.{source"',
  );
  assert.deepEqual(problems(text), [
    "error 4:14 outputs[0].servers: expected a NATS server like nats://127.0.0.1:4222 (one per list item) in 'outputs[0].servers', found 'nats://127.0.0.1:4222,nats://127.0.0.1:4223'",
    "error 5:23 outputs[0].subject: unknown name '{nosuch}' in the subject; expected {priority}, {rule}, {source}",
    "error 5:39 outputs[0].subject: expected '}' to close the '{' opened here in the subject",
  ]);
  assert.deepEqual(problems(oneOutput('type: nats', 'servers: [x]', 'subject: "a.>"')), [
    "error 5:17 outputs[0].subject: expected no spaces or wildcards (* >) in a NATS subject, found '>'",
  ]);
});

test('alertmanager expire_after is a duration like every other (a bare number is seconds)', () => {
  const read = (value: string) =>
    loadConfig(
      oneOutput('type: alertmanager', 'url: http://127.0.0.1:9999/', `expire_after: ${value}`),
    ).config?.outputs[0]?.options.expireAfterMs;
  assert.equal(read('5m'), 300_000);
  assert.equal(read('300'), 300_000);
  assert.equal(read('soon'), undefined);
});

test('a grouping window of 0 and an empty key_fields list are refused', () => {
  const text = [
    'grouping:',
    '  - rules: [x]',
    '    window: 0s',
    '  - rules: [y]',
    '    window: 1m',
    '    key_fields: []',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    "error 3:13 grouping[0].window: expected a duration above 0 for 'grouping[0].window', found '0s'",
    "error 6:17 grouping[1].key_fields: expected at least one field in 'grouping[1].key_fields'; leave the key out to group every alert of the rules together",
  ]);
});
