/**
 * The configuration's append_output reaches the rules a command loads: Falco's default entry
 * (`suggested_output: true`) and extra text and fields on a replay of a corpus capture with
 * Falco's own rules, through the library and through `harrier replay -c`; and `serve -c`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Alert } from '../alerts/alert.js';
import { loadConfig } from '../config/index.js';
import { loadRuleFilesFromDisk } from '../detect/index.js';
import { writeCloudTrailFile } from '../testing/cloudtrail-file.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { configuredRules } from './config-option.js';
import { replay } from './replay.js';

const CAPTURE = corpusPath('falco/scap/test_ipv6_client.scap');
const RULES = [
  corpusPath('falco/rules/falco_rules.yaml'),
  corpusPath('falco/rules/falco-incubating_rules.yaml'),
];
const CONFIG = `append_output:
  - match: { source: syscall, tags: [network, host] }
    extra_output: "on CPU %evt.cpu"
    extra_fields:
      - lport_text: "port %fd.lport"
      - fd.lport
      - proc.name: "renamed %proc.name"
  - match: { tags: [filesystem] }
    extra_output: "(filesystem)"
  - match: { rule: Unexpected UDP Traffic }
    extra_output: "(named)"
  - suggested_output: true
`;
const SUGGESTED =
  'container_id=host container_name=host container_image_repository= container_image_tag= ' +
  'k8s_pod_name=<NA> k8s_ns_name=<NA>';
const OWN_OUTPUT_END = 'command=test_ipv6_clien terminal=0';

async function replayWith(configText: string): Promise<Alert[]> {
  const config = loadConfig(configText).config;
  assert.ok(config);
  const { loadOptions } = configuredRules(RULES, config);
  const { ruleSet, diagnostics } = await loadRuleFilesFromDisk(RULES, loadOptions);
  assert.ok(ruleSet, diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
  const alerts: Alert[] = [];
  await replay([CAPTURE], ruleSet, (alert) => alerts.push(alert));
  return alerts;
}

test('append_output adds matching texts, suggested container fields and extra fields to a replayed alert', async () => {
  const [alert, ...others] = await replayWith(CONFIG);
  assert.equal(others.length, 0);
  assert.equal(alert?.rule, 'Unexpected UDP Traffic');
  const cpu = alert?.outputFields.get('evt.cpu');
  assert.equal(typeof cpu, 'number');
  assert.ok(
    alert?.output.endsWith(`${OWN_OUTPUT_END} on CPU ${cpu} (named) ${SUGGESTED}`),
    alert?.output,
  );
  const fields = Object.fromEntries(alert?.outputFields ?? []);
  assert.deepEqual(
    [
      'container.id',
      'container.name',
      'container.image.repository',
      'container.image.tag',
      'k8s.pod.name',
      'k8s.ns.name',
    ].map((name) => fields[name]),
    ['host', 'host', '', '', null, null],
  );
  // Formatted fields are text; a raw field keeps its type; both replace a field of the name.
  assert.equal(fields.lport_text, 'port 38255');
  assert.equal(fields['fd.lport'], 38255);
  assert.equal(fields['proc.name'], 'renamed test_ipv6_clien');
});

test('without append_output the replayed alert is as its rule writes it', async () => {
  const [alert] = await replayWith('priority: debug\n');
  assert.ok(alert?.output.endsWith(OWN_OUTPUT_END), alert?.output);
  assert.equal(alert?.outputFields.has('container.id'), false);
  assert.equal(alert?.outputFields.get('proc.name'), 'test_ipv6_clien');
});

test('harrier replay -c applies append_output to the text line and the JSON alert', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-append-output-'));
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(config, 'append_output:\n  - suggested_output: true\n');
  const rules = RULES.flatMap((file) => ['-r', file]);
  const command = [path.join(repositoryRoot, 'bin/harrier.js'), 'replay', '-q', '-c', config];
  const run = (...flags: string[]) =>
    promisify(execFile)(process.execPath, [...command, ...flags, ...rules, CAPTURE]);
  const text = await run();
  assert.ok(text.stdout.trimEnd().endsWith(`${OWN_OUTPUT_END} ${SUGGESTED}`), text.stdout);
  const json = JSON.parse((await run('--json')).stdout) as {
    output: string;
    output_fields: Record<string, unknown>;
  };
  assert.ok(json.output.endsWith(SUGGESTED), json.output);
  assert.equal(json.output_fields['container.name'], 'host');
});

test('harrier serve -c appends extra_output to the alerts of CloudTrail rules', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-append-output-serve-'));
  const trail = writeCloudTrailFile(directory, 1);
  const rules = path.join(directory, 'rules.yaml');
  writeFileSync(
    rules,
    '- rule: Get\n  desc: d\n  condition: ct.name = GetObject\n  output: got %ct.name\n' +
      '  priority: NOTICE\n  source: aws_cloudtrail\n',
  );
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(
    config,
    'append_output:\n  - match: { source: aws_cloudtrail }\n    extra_output: "in %ct.region"\n' +
      '  - suggested_output: true\n',
  );
  const args = ['serve', '-c', config, '-r', rules, '--no-store', '--no-metrics', '--no-webhook'];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), ...args, '--cloudtrail', trail],
    { timeout: 15_000 },
  );
  // CloudTrail's plugin suggests no fields: the second entry adds nothing.
  assert.match(stdout, /: Notice got GetObject in us-east-1\n$/);
  // A configuration without outputs prints to stdout as the command line asks.
  const json = await promisify(execFile)(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), ...args, '--json', '--cloudtrail', trail],
    { timeout: 15_000 },
  );
  const alert = JSON.parse(json.stdout) as { rule: string; output: string };
  assert.equal(alert.rule, 'Get');
  assert.match(alert.output, /: Notice got GetObject in us-east-1$/);
});

/** A rules file with one CloudTrail rule, `Get`, and a trail of one GetObject record. */
function cloudTrailCase(prefix: string): { directory: string; trail: string; rules: string } {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  const rules = path.join(directory, 'rules.yaml');
  writeFileSync(
    rules,
    '- rule: Get\n  desc: d\n  condition: ct.name = GetObject\n  output: got %ct.name\n' +
      '  priority: NOTICE\n  source: aws_cloudtrail\n',
  );
  return { directory, trail: writeCloudTrailFile(directory, 1), rules };
}

test('-r with a configuration that has rules_files loads the -r files and warns at the key', async () => {
  const { directory, trail, rules } = cloudTrailCase('harrier-rules-files-replay-');
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(config, `priority: notice\nrules_files: [${directory}/nothere.yaml]\n`);
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), 'replay', '-c', config, '-r', rules, trail],
    { timeout: 15_000 },
  );
  assert.match(stdout, /: Notice got GetObject\n$/);
  assert.match(
    stderr,
    /harrier\.yaml:2:1: warning HARRIER_CONFIG_UNUSED: the rule files given with -r are loaded instead; 'rules_files' is not used/,
  );
});

test('serve -c takes its rules from rules_files without -r, as replay does; -r replaces them with a warning', async () => {
  const { directory, trail, rules } = cloudTrailCase('harrier-rules-files-serve-');
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(config, 'rules_files: [rules.yaml]\noutputs:\n  - name: out\n    type: stdout\n');
  const serve = (...extra: string[]) =>
    promisify(execFile)(
      process.execPath,
      [path.join(repositoryRoot, 'bin/harrier.js'), 'serve', '-c', config, ...extra,
        '--no-store', '--no-metrics', '--no-webhook', '--cloudtrail', trail],
      { timeout: 15_000, env: { ...process.env, HARRIER__STATE_DIR: directory } },
    ); // prettier-ignore
  const fromConfig = await serve();
  assert.match(fromConfig.stdout, /: Notice got GetObject\n$/);
  assert.doesNotMatch(fromConfig.stderr, /warning/);

  const other = path.join(directory, 'other.yaml');
  writeFileSync(other, readFileSync(rules, 'utf8').replace('got %ct.name', 'other %ct.name'));
  const fromFlag = await serve('-r', other);
  assert.match(fromFlag.stdout, /: Notice other GetObject\n$/);
  assert.match(
    fromFlag.stderr,
    /harrier\.yaml:1:1: warning HARRIER_CONFIG_UNUSED: the rule files given with -r are loaded instead; 'rules_files' is not used/,
  );
});
