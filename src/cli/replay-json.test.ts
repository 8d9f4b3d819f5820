import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { corpusPath } from '../testing/corpus.js';
import { loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import type { Alert } from '../alerts/alert.js';
import { JsonDetection } from './json-pipeline.js';
import { classifyJson } from './json-log-file.js';
import { gatherReplayInputs } from './replay-inputs.js';
import { readZipMembers } from '../sources/files/index.js';
import type { RecordError } from '../sources/k8s-audit/index.js';

const stockRules = corpusPath('falco/rules/aws_cloudtrail_rules.yaml');
const plugins = corpusPath('falco/tests-0.34.1/trace_files/plugins');
const stratus = corpusPath('cloudtrail/stratus-red-team-detonations.zip');

async function rules(...files: string[]): Promise<RuleSet> {
  const loaded = await loadRuleFilesFromDisk(files);
  assert.ok(loaded.ruleSet, loaded.diagnostics.map((diagnostic) => diagnostic.message).join('; '));
  return loaded.ruleSet;
}

async function run(
  paths: string[],
  ruleSet: RuleSet,
): Promise<{
  alerts: Alert[];
  detection: JsonDetection;
  logs: Record<string, unknown>[];
  failures: RecordError[];
}> {
  const alerts: Alert[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => done(void logs.push(JSON.parse(chunk.toString()))),
  });
  const detection = new JsonDetection({
    ruleSet,
    onAlert: (alert) => alerts.push(alert),
    logger: pino(sink),
    timeFormat: 'iso8601',
  });
  const { sources, failures } = await gatherReplayInputs(paths, detection);
  for (const { events } of sources) for (const event of events) detection.detect(event);
  return { alerts, detection, logs, failures };
}

test('stock CloudTrail rules fire on none of the corpus records, which none of their names match', async () => {
  // The 14 readable records are GetSecretValue x10, DeleteTrail, ModifySnapshotAttribute and
  // StartInstances x2; every enabled rule wants another ct.name.
  const { alerts, detection, failures } = await run([plugins, stratus], await rules(stockRules));
  assert.deepEqual(alerts, []);
  assert.deepEqual(detection.stats.aws_cloudtrail, {
    received: 14,
    processed: 14,
    rejected: 0,
    alerts: 0,
  });
  assert.equal(failures.length, 1);
});

test('the malformed stratus file is a failure with archive, entry, line and column, and the rest is read', async () => {
  const { detection, logs, failures } = await run([stratus], await rules(stockRules));
  assert.deepEqual(detection.stats.aws_cloudtrail, {
    received: 12,
    processed: 12,
    rejected: 0,
    alerts: 0,
  });
  assert.deepEqual(logs, []);
  assert.deepEqual(failures, [
    {
      origin: { file: `${stratus}:aws.execution.ec2-user-data.json`, line: 112, column: 1 },
      reason:
        "expected a syscall capture, a Kubernetes audit log or a CloudTrail file, found invalid JSON: unexpected '{'",
    },
  ]);
});

test("the disabled 'All Cloudtrail Events' rule, once enabled, fires once per record in time order", async () => {
  const ruleSet = await rules(stockRules);
  ruleSet.enable('All Cloudtrail Events');
  const { alerts } = await run([plugins, stratus], ruleSet);
  const times = alerts.map((alert) => alert.outputFields.get('evt.time.iso8601'));
  assert.equal(alerts.length, 14);
  assert.ok(
    alerts.every((alert) => alert.rule === 'All Cloudtrail Events' && alert.priority === 'Debug'),
  );
  assert.deepEqual(times.slice(0, 2), [1394140974000000000n, 1394140974000000000n]);
  assert.deepEqual(
    [...times].sort((a, b) => (BigInt(a as bigint) < BigInt(b as bigint) ? -1 : 1)),
    times,
  );
  assert.match(
    alerts[13].output,
    /^2022-07-20T21:06:11\.000000000\+0000: Debug Some Cloudtrail Event \(evtnum=14 info=.+ ts=2022-07-20T21:06:11\.000000000\+0000 id=[0-9a-f-]{36} error=<NA>\)$/,
  );
});

test("Falco's plugin test rule gives one 'Cloudtrail Create Instance' alert per StartInstances sample", async () => {
  const ruleSet = await rules(
    corpusPath('falco/tests-0.34.1/rules/plugins/cloudtrail_create_instances.yaml'),
  );
  for (const sample of ['alice_start_instances.json', 'alice_start_instances_bigevent.json']) {
    const { alerts } = await run([path.join(plugins, sample)], ruleSet);
    assert.equal(alerts.length, 1);
    assert.match(
      alerts[0].output,
      /Informational EC2 Instance Created \(evtnum=1 info=Alice via 205\.251\.233\.176 [←→] StartInstances id=<NA> user name=Alice\)$/,
    );
  }
});

/** The corpus DeleteTrail record. */
async function deleteTrailRecord(): Promise<Record<string, unknown>> {
  for await (const { name, bytes } of readZipMembers({ name: stratus, path: stratus })) {
    if (!name.endsWith('cloudtrail-delete.json') || bytes === undefined) continue;
    const log = JSON.parse(Buffer.from(bytes).toString()) as { Records: [Record<string, unknown>] };
    return log.Records[0];
  }
  assert.fail('no cloudtrail-delete.json in the stratus archive');
}

/** Corpus records renamed to calls the stock rules watch, in an S3-style tree, gzipped. */
function mutatedTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-trail-'));
  const directory = path.join(root, 'AWSLogs/677301038893/CloudTrail/us-east-1/2022/07/20');
  mkdirSync(directory, { recursive: true });
  return directory;
}

test('stock rules fire exactly where renamed corpus records call for them, across .json, .json.gz and JSON lines', async () => {
  const deleteTrail = await deleteTrailRecord();
  const directory = mutatedTree();
  const record = (changes: Record<string, unknown>) => ({ ...deleteTrail, ...changes });
  writeFileSync(
    path.join(directory, 'a.json'),
    JSON.stringify({
      Records: [
        record({ eventName: 'StopLogging' }),
        record({ eventName: 'StopLogging', errorCode: 'AccessDenied' }),
      ],
    }),
  );
  writeFileSync(
    path.join(directory, 'b.json.gz'),
    gzipSync(
      JSON.stringify({
        Records: [record({ eventName: 'CreateUser', eventTime: '2022-07-20T20:53:55Z' })],
      }),
    ),
  );
  const lines = [
    record({ eventName: 'RunInstances', eventTime: '2022-07-20T20:53:56Z' }),
    record({ eventName: 'CreateTrail', eventTime: 'not a time' }),
  ];
  writeFileSync(
    path.join(directory, 'c.jsonl'),
    `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{broken\n`,
  );
  const { alerts, detection } = await run(
    [path.dirname(path.dirname(directory))],
    await rules(stockRules),
  );
  // StopLogging with an errorCode fails `not ct.error exists`; RunInstances matches 'Run Instances' first.
  assert.deepEqual(
    alerts.map((alert) => alert.rule),
    ['CloudTrail Logging Disabled', 'Create AWS user', 'Run Instances'],
  );
  assert.deepEqual(detection.stats.aws_cloudtrail, {
    received: 6,
    processed: 4,
    rejected: 2,
    alerts: 3,
  });
});

test('files that are missing, not JSON, nested too deep or of neither kind are failures by name, and the good file is still read', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-neither-'));
  const write = (name: string, text: string | Buffer) => {
    writeFileSync(path.join(directory, name), text);
    return path.join(directory, name);
  };
  const deep = write('deep.json', '['.repeat(100_000));
  const text = write('notes.txt', 'random text\nmore\n');
  const other = write('other.json', '{"hello": 1, "world": [2]}');
  const broken = write('broken.json.gz', gzipSync('{"Records": []}').subarray(0, 12));
  const missing = path.join(directory, 'missing.json');
  const stopLogging = { ...(await deleteTrailRecord()), eventName: 'StopLogging' };
  const good = write('good.json', JSON.stringify({ Records: [stopLogging] }));
  const { detection, failures } = await run(
    [deep, text, other, broken, missing, good],
    await rules(stockRules),
  );
  assert.deepEqual(detection.stats.aws_cloudtrail, {
    received: 1,
    processed: 1,
    rejected: 0,
    alerts: 1,
  });
  assert.equal(detection.stats.k8s_audit.received, 0);
  const expected = 'expected a syscall capture, a Kubernetes audit log or a CloudTrail file, found';
  assert.deepEqual(failures, [
    {
      origin: { file: deep, line: 1, column: 513 },
      reason: `${expected} JSON nested too deep (more than 512 levels of arrays and objects)`,
    },
    {
      origin: { file: text, line: 1, column: 1 },
      reason:
        'format not recognised: expected a syscall capture, a Kubernetes audit log or a ' +
        "CloudTrail file (JSON), found text that is not JSON: 'random text'",
    },
    {
      origin: { file: other, line: 1 },
      reason: `${expected} a JSON object without kind, auditID, Records, eventTime or eventSource (keys: hello, world)`,
    },
    {
      origin: { file: broken },
      reason: 'gzip stream truncated at compressed byte 12 (uncompressed byte 1, line 1)',
    },
    { origin: { file: missing }, reason: 'no such file' },
  ]);
});

test('classifyJson tells audit data from CloudTrail by shape', () => {
  assert.equal(classifyJson({ kind: 'EventList', items: [] }), 'k8s_audit');
  assert.equal(classifyJson({ kind: 0 }), 'k8s_audit');
  assert.equal(classifyJson({ Records: [] }), 'aws_cloudtrail');
  assert.equal(classifyJson([{ eventTime: 'x' }]), 'aws_cloudtrail');
  assert.equal(classifyJson({ hello: 1 }), undefined);
  assert.equal(classifyJson('text'), undefined);
});
