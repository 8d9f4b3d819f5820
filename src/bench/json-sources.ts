/**
 * JSON sources benchmark, one run: Kubernetes audit events per second through the webhook on
 * loopback with `k8s_audit_rules.yaml` loaded, and CloudTrail records per second through file
 * replay (gzipped S3-style tree) with `aws_cloudtrail_rules.yaml`. The reference is the same
 * events decoded and matched in process, with no HTTP or file reading, measured in this run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { corpusPath } from '../testing/corpus.js';
import { loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import { startServe } from '../cli/serve.js';
import { JsonDetection, type JsonSource } from '../cli/json-pipeline.js';
import { gatherReplayInputs } from '../cli/replay-inputs.js';
import { readZipMembers } from '../sources/files/index.js';

const auditEventCount = 100_000;
const batchSize = 500;
const concurrency = 8;
const trailFiles = 200;
const recordsPerFile = 500;

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function rules(file: string): Promise<RuleSet> {
  const loaded = await loadRuleFilesFromDisk([corpusPath('falco/rules', file)]);
  if (!loaded.ruleSet) throw new Error(`${file} does not load`);
  return loaded.ruleSet;
}

/** The corpus audit events (those with a stageTimestamp), repeated to `count`. */
function auditEvents(count: number): unknown[] {
  const directory = corpusPath('falco/tests-0.34.1/trace_files/k8s_audit');
  const base = readdirSync(directory)
    .flatMap((name) => readFileSync(path.join(directory, name), 'utf8').split('\n'))
    .filter((line) => line.includes('stageTimestamp'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return Array.from({ length: count }, (_, index) => ({
    ...base[index % base.length],
    auditID: `bench-${index}`,
  }));
}

/** Events per second decoded and matched in process: the reference. */
function inProcess(source: JsonSource, ruleSet: RuleSet, values: unknown[]): number {
  const detection = new JsonDetection({ ruleSet, onAlert: () => {} });
  const records = values.map((value) => ({ value, origin: {} }));
  const start = process.hrtime.bigint();
  detection.take(source, records);
  return values.length / seconds(start);
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

async function webhook(
  ruleSet: RuleSet,
  events: unknown[],
): Promise<{ rate: number; alerts: number }> {
  let alerts = 0;
  const running = await startServe({
    ruleSet,
    listen: '127.0.0.1:0',
    maxBodyBytes: 64 << 20,
    onAlert: () => alerts++,
  });
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += batchSize) {
    bodies.push(
      JSON.stringify({
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items: events.slice(i, i + batchSize),
      }),
    );
  }
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const status = await post(running.webhook!.url, bodies[next++]);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rate = events.length / seconds(start);
  await running.stop();
  if (running.detection.stats.k8s_audit.processed !== events.length)
    throw new Error('webhook lost events');
  return { rate, alerts };
}

/** Stratus records, renumbered, written as a gzipped S3 tree. */
async function trailTree(): Promise<{ root: string; records: unknown[] }> {
  const base: unknown[] = [];
  const stratus = corpusPath('cloudtrail/stratus-red-team-detonations.zip');
  for await (const { bytes } of readZipMembers({ name: stratus, path: stratus })) {
    const text = Buffer.from(bytes ?? []).toString();
    try {
      base.push(...(JSON.parse(text) as { Records: unknown[] }).Records);
    } catch {
      // The corpus holds one malformed file on purpose.
    }
  }
  const root = mkdtempSync(path.join(tmpdir(), 'harrier-bench-trail-'));
  const day = path.join(root, 'AWSLogs/1/CloudTrail/us-east-1/2022/07/20');
  mkdirSync(day, { recursive: true });
  const records: unknown[] = [];
  for (let file = 0; file < trailFiles; file++) {
    const chunk = Array.from({ length: recordsPerFile }, (_, index) => ({
      ...(base[index % base.length] as object),
      eventID: `bench-${file}-${index}`,
    }));
    records.push(...chunk);
    writeFileSync(
      path.join(day, `1_CloudTrail_us-east-1_${String(file).padStart(4, '0')}.json.gz`),
      gzipSync(JSON.stringify({ Records: chunk })),
    );
  }
  return { root, records };
}

async function trailReplay(ruleSet: RuleSet, root: string, count: number): Promise<number> {
  const detection = new JsonDetection({ ruleSet, onAlert: () => {} });
  const start = process.hrtime.bigint();
  for (const { events } of (await gatherReplayInputs([root], detection)).sources)
    for (const event of events) detection.detect(event);
  const rate = count / seconds(start);
  if (detection.stats.aws_cloudtrail.processed !== count) throw new Error('replay lost records');
  return rate;
}

const format = (rate: number) => `${Math.round(rate).toLocaleString('en-US')} events/s`;

const k8sRules = await rules('k8s_audit_rules.yaml');
const events = auditEvents(auditEventCount);
const auditReference = inProcess('k8s_audit', k8sRules, events);
const hook = await webhook(k8sRules, events);
process.stdout.write(`k8s_audit in process (reference): ${format(auditReference)}\n`);
process.stdout.write(
  `k8s_audit webhook, ${batchSize}-event batches, ${concurrency} clients: ${format(hook.rate)} (${(hook.rate / auditReference).toFixed(2)}x reference; ${hook.alerts} alerts)\n`,
);

const trailRules = await rules('aws_cloudtrail_rules.yaml');
trailRules.enable('All Cloudtrail Events');
const tree = await trailTree();
const trailReference = inProcess('aws_cloudtrail', trailRules, tree.records);
const replayRate = await trailReplay(trailRules, tree.root, tree.records.length);
rmSync(tree.root, { recursive: true, force: true });
process.stdout.write(
  `aws_cloudtrail in process (reference, every record alerting): ${format(trailReference)}\n`,
);
process.stdout.write(
  `aws_cloudtrail replay of ${trailFiles} .json.gz files: ${format(replayRate)} (${(replayRate / trailReference).toFixed(2)}x reference)\n`,
);
