/**
 * Performs the scenario behaviours on the host and in containers, and judges the alerts a
 * Harrier run collected: for each behaviour, the expected rule must have fired exactly the
 * expected number of times among alerts carrying the behaviour's marker, with the expected
 * output fields (and the container's id, name and image for container runs).
 * @internal
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { scenarioImageRepository, type ScenarioContainer } from './containers.js';
import type { ReceivedAlert } from './harrier-process.js';
import type {
  Behaviour,
  CommandResult,
  FieldExpectation,
  Place,
  RuleExpectation,
  ScenarioContext,
} from './scenario-types.js';

/** One behaviour performed at one place, with its marker. */
export interface Performed {
  behaviour: Behaviour;
  place: Place;
  marker: string;
  /** Set when acting threw (the command could not even start). */
  error?: string;
}

/** Where behaviours act: the scratch directory and, for container places, the container. */
export interface Stage {
  hostScratch: string;
  /** Names this run's containers; each pass of behaviours draws its own marker id. */
  runId: string;
  containers: Partial<Record<Exclude<Place, 'host'>, ScenarioContainer>>;
}

/** A fresh scratch directory under /tmp (mode 755, so a system user can run the helper). */
export function makeScratch(): string {
  const directory = mkdtempSync('/tmp/hscn-');
  chmodSync(directory, 0o755);
  return directory;
}

/** A short random id for markers and container names. */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

const placeLetter: Record<Place, string> = {
  host: 'h',
  container: 'c',
  'privileged-container': 'p',
};

/** Markers have one fixed shape, so one never contains another. */
function markerFor(runId: string, index: number, place: Place): string {
  return `hscn${runId}b${String(index).padStart(2, '0')}${placeLetter[place]}x`;
}

function quote(argument: string): string {
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

function runCommand(
  file: string,
  args: readonly string[],
  shell = '/bin/bash',
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: 20_000, env: { ...process.env, SHELL: shell } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** The argv that runs `argv` at `place`, as the scenario asked (terminal, user). */
function commandAt(
  stage: Stage,
  place: Place,
  argv: readonly string[],
  terminal: boolean,
  user: string | undefined,
): string[] {
  let inner = [...argv];
  if (place !== 'host') {
    const container = stage.containers[place];
    if (container === undefined) throw new Error(`no container for ${place}`);
    inner = [
      'podman',
      '--runtime',
      'runc',
      '--cgroup-manager',
      'cgroupfs',
      'exec',
      ...(terminal ? ['-it'] : []),
      container.name,
      ...inner,
    ];
  } else if (user !== undefined) {
    inner = ['runuser', '-u', user, '--', ...inner];
  }
  return terminal ? ['script', '-qec', inner.map(quote).join(' '), '/dev/null'] : inner;
}

function contextFor(stage: Stage, place: Place, marker: string): ScenarioContext {
  const inContainer = place !== 'host';
  return {
    place,
    marker,
    scratch: inContainer ? '/scn' : stage.hostScratch,
    helper: inContainer ? '/scn/harrier-scn' : path.join(stage.hostScratch, 'harrier-scn'),
    run: (argv, options) => {
      const full = commandAt(stage, place, argv, options?.terminal === true, options?.user);
      return runCommand(full[0]!, full.slice(1), options?.shell);
    },
  };
}

/**
 * Performs every behaviour at every place it supports that the stage has, in order; each
 * behaviour's cleanup runs even when its act failed. Markers carry `passId`, so passes over
 * the same scratch directory never collide. Returns what was performed.
 */
export async function performBehaviours(
  behaviours: readonly Behaviour[],
  stage: Stage,
  places: readonly Place[],
  passId = newRunId(),
): Promise<Performed[]> {
  const performed: Performed[] = [];
  for (const place of places) {
    for (const [index, behaviour] of behaviours.entries()) {
      if (!behaviour.places.includes(place)) continue;
      const marker = markerFor(passId, index, place);
      const context = contextFor(stage, place, marker);
      const entry: Performed = { behaviour, place, marker };
      try {
        behaviour.prepare?.(stage.hostScratch, marker);
        await behaviour.act(context);
      } catch (error) {
        entry.error = (error as Error).message;
      } finally {
        await behaviour.cleanup?.(context).catch(() => undefined);
      }
      performed.push(entry);
    }
  }
  return performed;
}

/**
 * The suite's own launchers on the host: `podman exec` carries the marker in its command line
 * and does host work of its own (it writes /etc/cni/net.d/cni.lock), which is not the behaviour.
 */
const launchers = new Set(['podman', 'conmon', 'script']);

function carriesMarker(alert: ReceivedAlert, marker: string): boolean {
  if (launchers.has(alert.outputFields['proc.name'] as string)) return false;
  return Object.values(alert.outputFields).some(
    (value) => typeof value === 'string' && value.includes(marker),
  );
}

function fieldMatches(actual: unknown, expected: FieldExpectation): boolean {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual);
  return actual === expected;
}

/** The output fields a container alert must carry. */
function containerFields(container: ScenarioContainer): Record<string, FieldExpectation> {
  return {
    'container.id': container.id.slice(0, 12),
    'container.name': container.name,
    'container.image.repository': scenarioImageRepository,
  };
}

/**
 * Judges one performed behaviour against the alerts: a list of problems, empty when the
 * expected rule fired the expected number of times with the expected fields.
 */
export function judge(
  performed: Performed,
  expectation: RuleExpectation,
  alerts: readonly ReceivedAlert[],
  stage: Stage,
): string[] {
  if (performed.error !== undefined) return [`the behaviour could not run: ${performed.error}`];
  const marked = alerts.filter((alert) => carriesMarker(alert, performed.marker));
  const matching = marked.filter((alert) => alert.rule === expectation.rule);
  const want = expectation.count ?? 1;
  if (matching.length !== want) {
    const others = [...new Set(marked.map((alert) => alert.rule))].join(', ') || 'none';
    return [
      `'${expectation.rule}' fired ${matching.length} times, expected ${want} (rules with the marker: ${others})`,
    ];
  }
  const container = performed.place === 'host' ? undefined : stage.containers[performed.place];
  const fields = {
    'user.name': 'root',
    ...expectation.fields,
    ...(container ? containerFields(container) : {}),
  };
  const problems: string[] = [];
  for (const alert of matching) {
    for (const [field, expected] of Object.entries(fields)) {
      const actual = alert.outputFields[field];
      if (!fieldMatches(actual, expected))
        problems.push(`${field} is ${JSON.stringify(actual)}, expected ${String(expected)}`);
    }
    if (
      alert.outputFields['user.name'] !== undefined &&
      typeof alert.outputFields['user.name'] !== 'string'
    ) {
      problems.push(`user.name is ${JSON.stringify(alert.outputFields['user.name'])}`);
    }
  }
  return [...new Set(problems)];
}
