/**
 * The live scenario suite: real behaviours on this machine, on the host and inside podman
 * containers, under `harrier run`, first with the official Falco rules and then with
 * Harrier's default rules; then a record/replay check. Harrier starts once per rule set, all
 * behaviours run, and it is stopped before the alerts are judged.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { corpusPath } from '../testing/corpus.js';
import { containerSkipReason, removeContainer, startContainer } from './containers.js';
import { fileBehaviours } from './file-behaviours.js';
import { HarrierProcess, harrierBin, liveSkipReason, type ReceivedAlert } from './harrier-process.js';
import { buildHelper } from './helper-program.js';
import { processBehaviours } from './process-behaviours.js';
import { judge, makeScratch, newRunId, performBehaviours, type Performed, type Stage } from './scenario-runner.js';
import type { Place, RuleExpectation } from './scenario-types.js';

const behaviours = [...fileBehaviours, ...processBehaviours];
const liveSkip = liveSkipReason();
const containerSkip = liveSkip === undefined ? containerSkipReason() : liveSkip;
const places: Place[] = containerSkip === undefined ? ['host', 'container', 'privileged-container'] : ['host'];
const falcoRuleFiles = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((file) =>
  corpusPath('falco/rules', file),
);

/** Enables the one disabled sandbox rule the suite uses, the way a user would. */
const overrideRules = `- rule: Create Hidden Files or Directories
  enabled: true
  override:
    enabled: replace
`;

let stage: Stage | undefined;

before(async () => {
  if (liveSkip !== undefined) return;
  const hostScratch = makeScratch();
  buildHelper(hostScratch);
  writeFileSync(path.join(hostScratch, 'enable-rules.yaml'), overrideRules);
  stage = { hostScratch, runId: newRunId(), containers: {} };
  if (containerSkip !== undefined) return;
  stage.containers.container = await startContainer(`hscn-${stage.runId}`, hostScratch, false);
  stage.containers['privileged-container'] = await startContainer(`hscn-${stage.runId}-priv`, hostScratch, true);
});

after(async () => {
  if (stage === undefined) return;
  for (const container of Object.values(stage.containers)) await removeContainer(container);
  rmSync(stage.hostScratch, { recursive: true, force: true });
});

/** Starts Harrier, performs the behaviours, waits for the last alerts, stops it. */
async function runSuite(rulesArgs: string[], onlyPlaces: readonly Place[] = places): Promise<{ performed: Performed[]; alerts: ReceivedAlert[]; stderr: string }> {
  const harrier = await HarrierProcess.start(['run', ...rulesArgs, '--json']);
  try {
    const performed = await performBehaviours(behaviours, stage!, onlyPlaces);
    // Events reach the rules a little after the syscall: give the pipeline time to drain.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { code, stderr } = await harrier.stop();
    assert.equal(code, 0, `harrier run exited with ${code}:\n${stderr}`);
    return { performed, alerts: harrier.alerts, stderr };
  } finally {
    await harrier.stop();
  }
}

/** One subtest per performed behaviour: its expected rule, or a skip naming the gap. */
async function judgeAll(t: TestContext, outcome: { performed: Performed[]; alerts: ReceivedAlert[] }, pick: (performed: Performed) => RuleExpectation | undefined, gap: (performed: Performed) => string | undefined): Promise<void> {
  for (const performed of outcome.performed) {
    const expectation = pick(performed);
    const name = `${performed.behaviour.name} on the ${performed.place}: ${performed.behaviour.description}`;
    if (expectation === undefined) {
      const reason = gap(performed);
      if (reason === undefined) continue;
      await t.test(name, () => assert.fail(reason));
      continue;
    }
    const label = `${name} -> ${expectation.rule}${expectation.note ? ` (${expectation.note})` : ''}`;
    await t.test(label, () => {
      const problems = judge(performed, expectation, outcome.alerts, stage!);
      assert.deepEqual(problems, []);
    });
  }
}

function rulesWithMarker(alerts: readonly ReceivedAlert[], marker: string): string[] {
  const rules = alerts.filter((alert) => Object.values(alert.outputFields).some((value) => typeof value === 'string' && value.includes(marker)));
  return [...new Set(rules.map((alert) => alert.rule))];
}

test('official Falco rules: each behaviour on the host and in podman containers raises its rule once with the right fields (needs root and eBPF)', { skip: liveSkip ?? false }, async (t) => {
  if (containerSkip !== undefined) t.diagnostic(`container behaviours skipped: ${containerSkip}`);
  const rulesArgs = [...falcoRuleFiles, path.join(stage!.hostScratch, 'enable-rules.yaml')].flatMap((file) => ['-r', file]);
  const outcome = await runSuite(rulesArgs);
  await judgeAll(t, outcome, (performed) => performed.behaviour.falco?.(performed.place), () => undefined);
});

test("Harrier's default rules catch every behaviour of the suite (needs root and eBPF)", { skip: liveSkip ?? false }, async (t) => {
  const outcome = await runSuite([]);
  await judgeAll(
    t,
    outcome,
    (performed) => performed.behaviour.harrier?.(performed.place),
    (performed) => {
      const caught = rulesWithMarker(outcome.alerts, performed.marker);
      return caught.length > 0 ? undefined : 'no default rule fired for this behaviour';
    },
  );
});

test('a replay of harrier record gives the alerts of the live run it recorded (needs root and eBPF)', { skip: liveSkip ?? false }, async () => {
  const capture = path.join(stage!.hostScratch, 'session.scap');
  const rulesArgs = falcoRuleFiles.slice(0, 1).flatMap((file) => ['-r', file]);
  const recorder = await HarrierProcess.start(['record', '-w', capture, ...rulesArgs]);
  let live: { performed: Performed[]; alerts: ReceivedAlert[] };
  try {
    live = await runSuite(rulesArgs, ['host']);
  } finally {
    const { code, stderr } = await recorder.stop();
    assert.equal(code, 0, `harrier record exited with ${code}:\n${stderr}`);
  }
  const { stdout } = await promisify(execFile)(process.execPath, [harrierBin, 'replay', ...rulesArgs, '--json', capture], { maxBuffer: 64 << 20 });
  const replayed = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { rule: string; output: string });
  const markers = live.performed.map((performed) => performed.marker);
  const marked = (output: string) => markers.some((marker) => output.includes(marker));
  const liveOutputs = live.alerts.filter((alert) => marked(alert.output)).map((alert) => `${alert.rule}: ${alert.output}`).sort();
  const replayOutputs = replayed.filter((alert) => marked(alert.output)).map((alert) => `${alert.rule}: ${alert.output}`).sort();
  assert.ok(liveOutputs.length >= 5, `the live run raised only ${liveOutputs.length} marked alerts`);
  assert.deepEqual(replayOutputs, liveOutputs);
});
