import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, loadConfigFile } from './load-config.js';
import { formatConfigDiagnostic } from './diagnostic.js';
import { parseByteSize, parseDuration } from './duration.js';

const examplePath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/harrier.example.yaml',
);
const exampleEnvironment = {
  SIDEKICK_TOKEN: 't',
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:2/slack',
  TEAMS_WEBHOOK_URL: 'http://127.0.0.1:2/teams',
  PAGERDUTY_ROUTING_KEY: 'k',
  OPSGENIE_API_KEY: 'k',
  SPLUNK_HEC_TOKEN: 'k',
  HOME: '/root',
};

test('the documented example file is valid and yields its defaults', () => {
  const { config, diagnostics } = loadConfigFile(examplePath, exampleEnvironment);
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), []);
  assert.deepEqual(
    config!.outputs.map((output) => output.name),
    ['stdout'],
  );
  assert.equal(config!.priority, 'Debug');
  assert.equal(config!.ruleMatching, 'first');
  assert.deepEqual(
    config!.appendOutput.map((entry) => [
      entry.source,
      entry.extraOutput?.text,
      entry.suggestedOutput,
      entry.extraFields.map((field) => field.format.text),
    ]),
    [
      ['syscall', 'on CPU %evt.cpu', false, ['/root', '%evt.hostname']],
      [undefined, undefined, true, []],
    ],
  );
  assert.deepEqual(config!.grouping[0], {
    rules: ['Terminal shell in container', 'Read sensitive file*'],
    windowMs: 60_000,
    keyFields: ['container.id', 'proc.name'],
  });
  assert.deepEqual(config!.store.retention, { maxAgeMs: 30 * 86_400_000, maxAlerts: 1_000_000 });
  assert.equal(config!.metrics.listen, '127.0.0.1:9376');
});

test('every output of the example is valid once enabled', () => {
  const names = [
    'file',
    'syslog',
    'program',
    'falcosidekick',
    'slack',
    'teams',
    'pagerduty',
    'opsgenie',
    'alertmanager',
    'splunk',
    'elasticsearch',
    'loki',
    'nats',
  ];
  const environment: Record<string, string> = { ...exampleEnvironment };
  for (const name of names)
    environment[`HARRIER__OUTPUTS__${name.toUpperCase()}__ENABLED`] = 'true';
  const { config, diagnostics } = loadConfigFile(examplePath, environment);
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), []);
  const byName = new Map(config!.outputs.map((output) => [output.name, output]));
  assert.equal(byName.size, 14);
  assert.deepEqual(byName.get('file')!.options, {
    path: '/var/log/harrier/alerts.jsonl',
    format: 'json',
    maxBytes: 100 * 1024 * 1024,
    keep: 5,
  });
  assert.deepEqual(byName.get('falcosidekick')!.options.headers, { authorization: 'Bearer t' });
  assert.equal(byName.get('slack')!.minPriority, 'Warning');
  assert.equal(byName.get('slack')!.options.url, 'http://127.0.0.1:2/slack');
  assert.deepEqual(byName.get('nats')!.options.servers, ['nats://127.0.0.1:4222']);
});

test('reports every problem with its key and line, in file order, and yields no configuration', () => {
  const text = [
    'priority: loud', //                          1
    'rule_matching: first',
    'outputs:',
    '  - name: hook', //                          4
    '    type: webhook',
    '    url: ftp://x',
    '    timeout: soon',
    '  - name: pd', //                            8
    '    type: pagerduty',
    '    url: http://127.0.0.1:3/',
    '    routing_kee: abc', //                    11
    '  - type: carrier-pigeon',
    'store:',
    '  retention:',
    '    max_age: -3', //                         15
  ].join('\n');
  const { config, diagnostics } = loadConfig(text, 'harrier.yaml', {});
  assert.equal(config, undefined);
  const summary = diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.key}`);
  assert.deepEqual(summary, [
    '1:11 HARRIER_CONFIG_INVALID priority',
    '6:10 HARRIER_CONFIG_INVALID outputs[0].url',
    '7:14 HARRIER_CONFIG_INVALID outputs[0].timeout',
    '9:11 HARRIER_CONFIG_INVALID outputs[1].routing_key',
    '11:5 HARRIER_CONFIG_UNKNOWN_KEY outputs[1].routing_kee',
    '12:11 HARRIER_CONFIG_INVALID outputs[2].type',
    '15:14 HARRIER_CONFIG_INVALID store.retention.max_age',
  ]);
  assert.equal(
    formatConfigDiagnostic(diagnostics[0]!),
    [
      "harrier.yaml:1:11: error HARRIER_CONFIG_INVALID: expected a priority (emergency ... debug) for 'priority', found 'loud'",
      '    1 | priority: loud',
      '      |           ^',
      '  at key priority',
    ].join('\n'),
  );
});

test('environment overrides set keys and name the variable when the value is wrong', () => {
  const text = 'outputs:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:3/\n';
  const good = loadConfig(text, 'h.yaml', {
    HARRIER__PRIORITY: 'warning',
    HARRIER__OUTPUTS__HOOK__URL: 'http://127.0.0.1:2/',
    HARRIER__STORE__RETENTION__MAX_AGE: '7d',
  });
  assert.deepEqual(good.diagnostics, []);
  assert.equal(good.config!.priority, 'Warning');
  assert.equal(good.config!.outputs[0]!.options.url, 'http://127.0.0.1:2/');
  assert.equal(good.config!.store.retention.maxAgeMs, 7 * 86_400_000);

  const bad = loadConfig(text, 'h.yaml', {
    HARRIER__OUTPUTS__HOOK__TIMEOUT: 'never',
    HARRIER__OUTPUTS__NOPE__URL: 'x',
  });
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.code} ${d.key}: ${d.message}`),
    [
      "HARRIER_CONFIG_ENV HARRIER__OUTPUTS__NOPE__URL: HARRIER__OUTPUTS__NOPE__URL: no item named 'nope' in 'outputs'",
      "HARRIER_CONFIG_INVALID outputs[0].timeout: expected a duration like 30s, 5m or 7d for 'outputs[0].timeout', found 'never' (set by environment variable HARRIER__OUTPUTS__HOOK__TIMEOUT)",
    ],
  );
});

test('$${ is a literal ${, as in Falco; a ${ that starts no ${NAME} is an error', () => {
  const config = (url: string) =>
    loadConfig(`outputs:\n  - name: s\n    type: webhook\n    url: "${url}"\n`, 'h.yaml', {
      HOST: 'example.test',
    });
  const escaped = config('http://$${HOST}.${HOST}/');
  assert.deepEqual(escaped.diagnostics, []);
  assert.equal(escaped.config?.outputs[0]?.options.url, 'http://${HOST}.example.test/');
  assert.deepEqual(
    config('http://${HOST:-fallback}/').diagnostics.map((d) => `${d.line} ${d.code} ${d.message}`),
    [
      "4 HARRIER_CONFIG_ENV 'outputs[0].url' has a ${ that starts no ${NAME} reference (write $${ for a literal ${)",
    ],
  );
});

test('a second YAML document in the file is an error at its start, in plain words', () => {
  const { diagnostics } = loadConfig('priority: debug\n---\npriority: info\n', 'h.yaml', {});
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
    ['2:1 HARRIER_CONFIG_YAML a second YAML document starts here: the file must hold one'],
  );
});

test('an unset ${VAR} and a YAML syntax error are reported at their lines', () => {
  const unset = loadConfig(
    'outputs:\n  - name: s\n    type: slack\n    url: ${NOPE}\n',
    'h.yaml',
    {},
  );
  assert.deepEqual(
    unset.diagnostics.map((d) => `${d.line} ${d.code} ${d.message}`),
    ["4 HARRIER_CONFIG_ENV environment variable NOPE referenced by 'outputs[0].url' is not set"],
  );
  const broken = loadConfig('outputs: [\n  - a\n', 'h.yaml', {});
  assert.equal(broken.diagnostics[0]!.code, 'HARRIER_CONFIG_YAML');
  assert.ok(broken.diagnostics[0]!.line >= 1);
});

/** `line:column message` of each diagnostic of configuration `text`. */
function yamlErrorsOf(text: string): string[] {
  return loadConfig(text, 'h.yaml', {}).diagnostics.map(
    (d) => `${d.code} ${d.line}:${d.column} ${d.message}`,
  );
}

const unclosedSequence =
  "HARRIER_CONFIG_YAML 2:8 expected ']' to close the flow sequence opened here, found the end of the file";

test('an unclosed flow sequence ending the file is reported at its opening bracket', () => {
  assert.deepEqual(yamlErrorsOf('priority: Debug\nrules: [a, b'), [unclosedSequence]);
});

test('an unclosed flow sequence before a final line break is reported at its bracket', () => {
  assert.deepEqual(yamlErrorsOf('priority: Debug\nrules: [a, b\n'), [unclosedSequence]);
  const [diagnostic] = loadConfig('priority: Debug\nrules: [a, b\n', 'h.yaml', {}).diagnostics;
  assert.equal(
    formatConfigDiagnostic(diagnostic!),
    [
      "h.yaml:2:8: error HARRIER_CONFIG_YAML: expected ']' to close the flow sequence opened here, found the end of the file",
      '    2 | rules: [a, b',
      '      |        ^',
    ].join('\n'),
  );
});

test('an unclosed quote is reported at its opening quote', () => {
  assert.deepEqual(yamlErrorsOf("state_dir: /tmp\npriority: 'Debug\n"), [
    `HARRIER_CONFIG_YAML 2:11 expected "'" to close the single-quoted string opened here, found the end of the file`,
  ]);
});

test('an unclosed flow mapping is reported at its brace, with where the reader stopped', () => {
  assert.deepEqual(yamlErrorsOf('store: {path: /tmp/a.db\nmetrics:\n  enabled: false\n'), [
    "HARRIER_CONFIG_YAML 1:8 expected '}' to close the flow mapping opened here, found none before line 2, column 1",
  ]);
});

test('a missing or unreadable configuration file is named without a line, in plain words', () => {
  const missing = loadConfigFile('/nonexistent-harrier.yaml');
  assert.deepEqual(missing.diagnostics.map(formatConfigDiagnostic), [
    '/nonexistent-harrier.yaml: error HARRIER_CONFIG_READ: config file /nonexistent-harrier.yaml does not exist',
  ]);
  const directory = loadConfigFile('/tmp');
  assert.equal(directory.diagnostics[0]!.message, 'config file /tmp is a directory');
});

test('a metrics port out of range is reported as such at its line', () => {
  const { diagnostics } = loadConfig('metrics:\n  listen: 127.0.0.1:99999\n', 'c.yaml');
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.key, d.message]),
    [
      [
        2,
        11,
        'metrics.listen',
        "port 99999 of 'metrics.listen' is out of range: expected 0 to 65535",
      ],
    ],
  );
});

test('directories the command will write are checked with every other problem, at their keys', () => {
  const text = 'priority: loud\nstate_dir: /nonexistent/harrier-dir\nstore:\n  path: /nonexistent/other/alerts.db\n';
  const all = { queues: true, store: true };
  const { config, diagnostics } = loadConfig(text, 'c.yaml', {}, all);
  assert.equal(config, undefined);
  assert.deepEqual(diagnostics.map((d) => [d.line, d.column, d.key, d.message]), [
    [1, 11, 'priority', "expected a priority (emergency ... debug) for 'priority', found 'loud'"],
    [2, 12, 'state_dir', "cannot keep the output queues where 'state_dir' says: directory /nonexistent/harrier-dir does not exist"],
    [4, 9, 'store.path', "cannot keep the alert store where 'store.path' says: directory /nonexistent/other does not exist"],
  ]);
  // Without a store path of its own, the store goes to state_dir: named once, for the store.
  const storeOnly = loadConfig('state_dir: /nonexistent/harrier-dir\n', 'c.yaml', {}, { store: true });
  assert.deepEqual(storeOnly.diagnostics.map((d) => d.message), [
    "cannot keep the alert store where 'state_dir' says: directory /nonexistent/harrier-dir does not exist",
  ]);
  // A command that writes nothing there (alerts, replay --no-store) is not stopped.
  assert.deepEqual(loadConfig(text.slice(15), 'c.yaml', {}, {}).diagnostics, []);
  const existing = mkdtempSync(path.join(tmpdir(), 'harrier-config-'));
  assert.deepEqual(loadConfig(`state_dir: ${existing}\n`, 'c.yaml', {}, all).diagnostics, []);
}); // prettier-ignore

test('durations and sizes', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration(30), 30_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseByteSize('10KB'), 10_240);
  assert.equal(parseByteSize('1.5MB'), 1_572_864);
  assert.equal(parseByteSize('lots'), undefined);
});

test('grouping key fields must be fields of some source, and a wrong one is named where it is', () => {
  const text = [
    'grouping:',
    '  - rules: [Terminal shell in container]',
    '    window: 1m',
    '    key_fields: [container.id, "proc.aname[2]", ka.user.name, ct.user, no.such.field]',
    '',
  ].join('\n');
  const { diagnostics } = loadConfig(text, 'h.yaml', {});
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), [
    "h.yaml:4:72: error HARRIER_CONFIG_INVALID: grouping key field 'no.such.field' is not a field of any source (syscall, k8s_audit, aws_cloudtrail)\n" +
      '    4 |     key_fields: [container.id, "proc.aname[2]", ka.user.name, ct.user, no.such.field]\n' +
      '      |                                                                        ^\n' +
      '  at key grouping[0].key_fields[4]',
  ]);
});

test('a command that delivers to no output gets a warning at the outputs key, not an error', () => {
  // The `${SIEM_URL}` reference is not set: an unused section is not read, so it is no error.
  const text = 'priority: Warning\n# replay\noutputs:\n  - name: siem\n    url: ${SIEM_URL}\n';
  const use = { rulesAndStoreOnly: 'replay' };
  const { config, diagnostics } = loadConfig(text, 'h.yaml', {}, use);
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), [
    [
      "h.yaml:3:1: warning HARRIER_CONFIG_UNUSED: replay does not deliver to configured outputs; the 'outputs' section is not used",
      '    3 | outputs:',
      '      | ^',
      '  at key outputs',
    ].join('\n'),
  ]);
  assert.equal(config?.priority, 'Warning');
  assert.deepEqual(config?.outputs, []);
  // Without `outputs`, nothing to warn about; with an error besides, no configuration.
  assert.deepEqual(loadConfig('priority: Warning\n', 'h.yaml', {}, use).diagnostics, []);
  const failed = loadConfig(`${text}state_dir: 5\n`, 'h.yaml', {}, use);
  assert.equal(failed.config, undefined);
  assert.deepEqual(
    failed.diagnostics.map((diagnostic) => diagnostic.severity),
    ['warning', 'error'],
  );
});

test('replay warns at each section it does not use: grouping, metrics and sources too', () => {
  const text = [
    'grouping:',
    '  - rules: [x]',
    '    window: 1m',
    'metrics:',
    '  enabled: true',
    'sources:',
    '  k8s_audit: {}',
    '',
  ].join('\n');
  const { config, diagnostics } = loadConfig(text, 'h.yaml', {}, { rulesAndStoreOnly: 'replay' });
  assert.ok(config);
  assert.deepEqual(
    diagnostics.map((diagnostic) => formatConfigDiagnostic(diagnostic).split('\n')[0]),
    [
      "h.yaml:1:1: warning HARRIER_CONFIG_UNUSED: replay does not group alerts; the 'grouping' section is not used",
      "h.yaml:4:1: warning HARRIER_CONFIG_UNUSED: replay serves no metrics; the 'metrics' section is not used",
      "h.yaml:6:1: warning HARRIER_CONFIG_UNUSED: replay reads only the files it is given; the 'sources' section is not used",
    ],
  );
});

test('the example starts as given once its directories are writable: disabled outputs read no ${VAR}', () => {
  const existing = mkdtempSync(path.join(tmpdir(), 'harrier-example-'));
  const environment = {
    HOME: '/root',
    HARRIER__STATE_DIR: existing,
    HARRIER__STORE__PATH: path.join(existing, 'alerts.db'),
  };
  const use = { queues: true, store: true };
  const { config, diagnostics } = loadConfigFile(examplePath, environment, use);
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), []);
  assert.deepEqual(config!.outputs.map((output) => output.name), ['stdout']);
  // Enabled, an output's unset variable is an error again.
  const slack = loadConfigFile(examplePath, { ...environment, HARRIER__OUTPUTS__SLACK__ENABLED: 'true' }, use);
  const line = readFileSync(examplePath, 'utf8').split('\n').indexOf('    url: ${SLACK_WEBHOOK_URL}') + 1;
  assert.deepEqual(slack.diagnostics.map((d) => `${d.line} ${d.key}: ${d.message}`), [
    `${line} outputs[5].url: environment variable SLACK_WEBHOOK_URL referenced by 'outputs[5].url' is not set`,
  ]);
}); // prettier-ignore

test('a disabled output is still checked for its type and keys', () => {
  const text = 'outputs:\n  - name: s\n    type: slack\n    enabled: false\n    url: ${NOPE}\n    colour: red\n';
  assert.deepEqual(loadConfig(text, 'h.yaml', {}).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`), [
    "6:5 unknown key 'colour'; expected one of name, type, enabled, min_priority, rules, tags, sources, template, queue_size, timeout, retry, url, username",
  ]);
}); // prettier-ignore

test("a quoted 'false' is named as a string where true or false is expected", () => {
  const text = 'store:\n  enabled: "false"\nmetrics:\n  enabled: \'5\'\n';
  assert.deepEqual(
    loadConfig(text, 'h.yaml', {}).diagnostics.map((d) => d.message),
    [
      "expected true or false for 'store.enabled', found the string 'false' (quoted, so not the boolean false)",
      "expected true or false for 'metrics.enabled', found the string '5' (quoted, so not the number 5)",
    ],
  );
});

test('rules_files draws a warning at its key when -r gives the rules instead', () => {
  const text = 'priority: warning\nrules_files: [/etc/harrier/rules.d]\n';
  const use = { rulesFromCommandLine: true };
  const { config, diagnostics } = loadConfig(text, 'h.yaml', {}, use);
  assert.deepEqual(diagnostics.map(formatConfigDiagnostic), [
    [
      "h.yaml:2:1: warning HARRIER_CONFIG_UNUSED: the rule files given with -r are loaded instead; 'rules_files' is not used",
      '    2 | rules_files: [/etc/harrier/rules.d]',
      '      | ^',
      '  at key rules_files',
    ].join('\n'),
  ]);
  assert.deepEqual(config!.rulesFiles, ['/etc/harrier/rules.d']);
  assert.deepEqual(loadConfig(text, 'h.yaml', {}, {}).diagnostics, []);
});
