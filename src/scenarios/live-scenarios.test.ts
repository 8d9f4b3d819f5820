/**
 * The live scenario suite: real behaviours on this machine, on the host and inside podman
 * containers, under `harrier run`, first with the official Falco rules and then with
 * Harrier's default rules; then a record/replay check. Harrier starts once per rule set, all
 * behaviours run, and it is stopped, once it has judged the suite's last act, before the
 * alerts are judged.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { containerSkipReason, removeContainer, startContainer } from './containers.js';
import { fileBehaviours } from './file-behaviours.js';
import {
  HarrierProcess,
  harrierBin,
  liveSkipReason,
  parseExitCounters,
  type ReceivedAlert,
} from './harrier-process.js';
import { buildHelper } from './helper-program.js';
import { processBehaviours } from './process-behaviours.js';
import {
  judge,
  makeScratch,
  newRunId,
  performBehaviours,
  type Performed,
  type Stage,
} from './scenario-runner.js';
import type { Place, RuleExpectation } from './scenario-types.js';
import { awaitSentinel, writeSentinelRules } from './sentinel.js';

/** HARRIER_SCENARIOS=NAME,NAME runs only those behaviours: a focused run while developing. */
const only = process.env.HARRIER_SCENARIOS?.split(',');
const behaviours = [...fileBehaviours, ...processBehaviours].filter(
  (behaviour) => only === undefined || only.includes(behaviour.name),
);
const liveSkip = liveSkipReason();
const containerSkip = liveSkip === undefined ? containerSkipReason() : liveSkip;
let places: Place[] =
  containerSkip === undefined ? ['host', 'container', 'privileged-container'] : ['host'];
/** Set when podman is present but a container would not start: the host part still runs. */
let containerFailure: string | undefined;
const falcoRuleFiles = [
  'falco_rules.yaml',
  'falco-incubating_rules.yaml',
  'falco-sandbox_rules.yaml',
].map((file) => corpusPath('falco/rules', file));

/** Enables the one disabled sandbox rule the suite uses, the way a user would. */
const overrideRules = `- rule: Create Hidden Files or Directories
  enabled: true
  override:
    enabled: replace
`;

let stage: Stage | undefined;
/** The sentinel rule file, loaded beside every rule set (see sentinel.ts). */
let sentinelRules = '';
/** How long the suite waits for Harrier to judge its last act before stopping it anyway. */
const CATCH_UP_MS = 180_000;

before(async () => {
  if (liveSkip !== undefined) return;
  const hostScratch = makeScratch();
  buildHelper(hostScratch);
  writeFileSync(path.join(hostScratch, 'enable-rules.yaml'), overrideRules);
  sentinelRules = writeSentinelRules(hostScratch);
  stage = { hostScratch, runId: newRunId(), containers: {} };
  if (containerSkip !== undefined) return;
  try {
    stage.containers.container = await startContainer(`hscn-${stage.runId}`, hostScratch, false);
    const privilegedName = `hscn-${stage.runId}-priv`;
    stage.containers['privileged-container'] = await startContainer(
      privilegedName,
      hostScratch,
      true,
    );
  } catch (error) {
    containerFailure = (error as Error).message;
    places = ['host'];
  }
});

after(async () => {
  if (stage === undefined) return;
  for (const container of Object.values(stage.containers)) await removeContainer(container);
  rmSync(stage.hostScratch, { recursive: true, force: true });
});

/**
 * The module-load behaviour calls init_module, which a kernel without module support (this
 * test machine's) does not implement: it has no tracepoint, and only this flag watches it.
 */
const WATCH = '--watch-unimplemented-syscalls';

/** With HARRIER_SCENARIO_DUMP=FILE, appends each pass's markers and alerts to FILE for debugging. */
function dumpAlerts(performed: readonly Performed[], alerts: readonly ReceivedAlert[]): void {
  const file = process.env.HARRIER_SCENARIO_DUMP;
  if (file === undefined) return;
  const markers = performed.map(({ behaviour, place, marker }) => ({
    behaviour: behaviour.name,
    place,
    marker,
  }));
  const lines = alerts.map(({ rule, outputFields }) => JSON.stringify({ rule, outputFields }));
  appendFileSync(file, `${JSON.stringify(markers)}\n${lines.join('\n')}\n`);
}

/** What one run of the suite gave: the behaviours, the alerts, and what explains a miss. */
interface Outcome {
  performed: Performed[];
  alerts: ReceivedAlert[];
  /** Facts of the run added to each problem: kernel drops, Harrier running behind. */
  notes: string[];
}

/** Starts Harrier, performs the behaviours, waits until it has judged them all, stops it. */
async function runSuite(
  rulesArgs: string[],
  onlyPlaces: readonly Place[] = places,
): Promise<Outcome> {
  const args = ['run', ...rulesArgs, '-r', sentinelRules, '--json', '--container-fields', WATCH];
  const harrier = await HarrierProcess.start(args);
  try {
    const performed = await performBehaviours(behaviours, stage!, onlyPlaces);
    const notes: string[] = [];
    if (!(await awaitSentinel(harrier, CATCH_UP_MS)))
      notes.push(`Harrier had not judged the suite's last act ${CATCH_UP_MS / 1000} s after it`);
    const { code, stderr } = await harrier.stop();
    assert.equal(code, 0, `harrier run exited with ${code}:\n${stderr}`);
    const drops = parseExitCounters(stderr);
    if (drops !== undefined && drops.kernelDrops + drops.userspaceDrops > 0)
      notes.push(
        `the run dropped ${drops.kernelDrops} events in the kernel, ${drops.userspaceDrops} in Harrier`,
      );
    dumpAlerts(performed, harrier.alerts);
    return { performed, alerts: harrier.alerts, notes };
  } finally {
    await harrier.stop();
  }
}

/** Judges each behaviour of `outcome`: one subtest per expected rule, or per gap found. */
async function judgeAll(
  t: TestContext,
  outcome: Outcome,
  pick: (performed: Performed) => RuleExpectation | undefined,
  gap: (performed: Performed, alerts: readonly ReceivedAlert[]) => string | undefined,
): Promise<void> {
  const problemsOf = (performed: Performed): string[] => {
    const expectation = pick(performed);
    if (expectation !== undefined) return judge(performed, expectation, outcome.alerts, stage!);
    const reason = gap(performed, outcome.alerts);
    return reason === undefined ? [] : [reason];
  };
  for (const note of outcome.notes) t.diagnostic(note);
  for (const performed of outcome.performed) {
    const expectation = pick(performed);
    const name = `${performed.behaviour.name} on the ${performed.place}: ${performed.behaviour.description}`;
    const label =
      expectation === undefined
        ? name
        : `${name} -> ${expectation.rule}${expectation.note ? ` (${expectation.note})` : ''}`;
    const problems = problemsOf(performed);
    if (expectation === undefined && problems.length === 0) continue;
    const explained = problems.length === 0 ? [] : [...problems, ...outcome.notes];
    await t.test(label, () => assert.deepEqual(explained, []));
  }
}

function rulesWithMarker(alerts: readonly ReceivedAlert[], marker: string): string[] {
  const rules = alerts.filter((alert) =>
    Object.values(alert.outputFields).some(
      (value) => typeof value === 'string' && value.includes(marker),
    ),
  );
  return [...new Set(rules.map((alert) => alert.rule))];
}

test(
  'official Falco rules: each behaviour on the host and in podman containers raises its rule once with the right fields (needs root and eBPF)',
  { skip: liveSkip ?? false },
  async (t) => {
    if (containerSkip !== undefined) t.diagnostic(`container behaviours skipped: ${containerSkip}`);
    if (containerFailure !== undefined) {
      await t.test('podman starts the scenario containers', () => assert.fail(containerFailure));
    }
    const rulesArgs = [
      ...falcoRuleFiles,
      path.join(stage!.hostScratch, 'enable-rules.yaml'),
    ].flatMap((file) => ['-r', file]);
    const outcome = await runSuite(rulesArgs);
    await judgeAll(
      t,
      outcome,
      (performed) => performed.behaviour.falco?.(performed.place),
      () => undefined,
    );
  },
);

test(
  "Harrier's default rules catch every behaviour of the suite (needs root and eBPF)",
  { skip: liveSkip ?? false },
  async (t) => {
    // The bundled rules/ as `harrier run` loads them without -r, beside the sentinel rule.
    const outcome = await runSuite(['-r', path.join(repositoryRoot, 'rules')]);
    await judgeAll(
      t,
      outcome,
      (performed) => performed.behaviour.harrier?.(performed.place),
      (performed, alerts) => {
        const caught = rulesWithMarker(alerts, performed.marker);
        return caught.length > 0 ? undefined : 'no default rule fired for this behaviour';
      },
    );
  },
);

/** Alerts of `harrier replay --json` over a capture. */
async function replayAlerts(
  rulesArgs: readonly string[],
  capture: string,
): Promise<{ rule: string; output: string }[]> {
  const args = [harrierBin, 'replay', ...rulesArgs, '--json', capture];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 << 20 });
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { rule: string; output: string });
}

/** "rule: output" of the alerts carrying one of the markers, sorted; `withoutTime` drops the leading time. */
function markedOutputs(
  alerts: readonly { rule: string; output: string }[],
  performed: readonly Performed[],
  withoutTime = false,
): string[] {
  const markers = performed.map((entry) => entry.marker);
  return alerts
    .filter((alert) => markers.some((marker) => alert.output.includes(marker)))
    .map(
      (alert) => `${alert.rule}: ${withoutTime ? alert.output.replace(/^\S+ /, '') : alert.output}`,
    )
    .sort();
}

test(
  'a replay of harrier run -w, and of a harrier record running beside it, gives the alerts of the live run (needs root and eBPF)',
  { skip: liveSkip ?? false },
  async () => {
    const runCapture = path.join(stage!.hostScratch, 'run.scap');
    const recordCapture = path.join(stage!.hostScratch, 'record.scap');
    const rulesArgs = falcoRuleFiles.slice(0, 1).flatMap((file) => ['-r', file]);
    const recorder = await HarrierProcess.start([
      'record',
      '-w',
      recordCapture,
      WATCH,
      ...rulesArgs,
    ]);
    let live: Outcome;
    try {
      live = await runSuite([...rulesArgs, '-w', runCapture], ['host']);
    } finally {
      const { code, stderr } = await recorder.stop();
      assert.equal(code, 0, `harrier record exited with ${code}:\n${stderr}`);
    }
    const liveOutputs = markedOutputs(live.alerts, live.performed);
    assert.ok(
      liveOutputs.length >= 10,
      `the live run raised only ${liveOutputs.length} marked alerts`,
    );
    assert.deepEqual(
      markedOutputs(await replayAlerts(rulesArgs, runCapture), live.performed),
      liveOutputs,
    );
    // A second probe stamps the same syscalls with its own clock reads: equal but for the time.
    const recorded = markedOutputs(
      await replayAlerts(rulesArgs, recordCapture),
      live.performed,
      true,
    );
    assert.deepEqual(recorded, markedOutputs(live.alerts, live.performed, true));
  },
);
