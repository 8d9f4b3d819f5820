/**
 * A container's health probes, read as libsinsp read them before Falco's container plugin
 * (which dropped them): the image or run's health check (`Config.Healthcheck.Test`) and the
 * Kubernetes exec liveness and readiness probes of the pod spec that `kubectl apply` leaves in
 * the `kubectl.kubernetes.io/last-applied-configuration` annotation. The state engine compares
 * each new program's argv with them to tell a probe's process from any other exec into the
 * container (`proc.is_container_healthcheck` and the probe fields).
 * @internal
 */

/** What a probe is for; the key libsinsp's container JSON stores it under. */
export type HealthProbeType = 'healthcheck' | 'liveness-probe' | 'readiness-probe';

/** One probe: the argv the runtime executes for it, argv[0] apart. */
export interface HealthProbe {
  type: HealthProbeType;
  /** argv[0], as `proc.exe` shows it. */
  exe: string;
  args: readonly string[];
}

type JsonObject = Record<string, unknown>;

/** The label a docker container carries a pod annotation under (dockershim prefixes them). */
export const LAST_APPLIED_LABEL = 'annotation.kubectl.kubernetes.io/last-applied-configuration';
/** The pod annotation itself, as CRI gives it on the pod sandbox. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The probes of a docker or podman inspection's `Config`, in libsinsp's order: the liveness
 * and readiness probes of the pod spec in its last-applied-configuration label; without that
 * label, `sandboxProbes` (those of its pod sandbox, which carries the pod's annotations);
 * when neither gave any, its health check. A container is never taken for both.
 */
export function configHealthProbes(
  config: JsonObject,
  sandboxProbes: readonly HealthProbe[] = [],
): HealthProbe[] {
  const labels = isObject(config.Labels) ? config.Labels : {};
  const annotation = labels[LAST_APPLIED_LABEL];
  const podProbes = annotation === undefined ? [...sandboxProbes] : podSpecProbes(annotation);
  return podProbes.length > 0 ? podProbes : healthcheckProbes(config.Healthcheck);
}

/**
 * A docker `Healthcheck` object's probe: `["CMD", exe, args...]` runs the command as given,
 * `["CMD-SHELL", command]` runs it through `/bin/sh -c`, and `["NONE"]` (or anything else)
 * gives none. Quotes around each CMD word are dropped, as `normalizeArgument` says.
 */
export function healthcheckProbes(healthcheck: unknown): HealthProbe[] {
  const test = isObject(healthcheck) ? healthcheck.Test : undefined;
  if (!Array.isArray(test) || test.length < 2) return [];
  const words = test.map((word) => (typeof word === 'string' ? word : ''));
  if (words[0] === 'CMD') {
    const [exe, ...args] = words.slice(1).map(normalizeArgument);
    return [{ type: 'healthcheck', exe: exe!, args }];
  }
  if (words[0] === 'CMD-SHELL')
    return [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', words[1]!] }];
  return [];
}

/**
 * The exec liveness and readiness probes of the first container in a pod's
 * last-applied-configuration (JSON text); none when the text is absent, not JSON or has no
 * exec probe.
 *
 * Unlike libsinsp, which reads the readiness probe only when there is no liveness probe (an
 * `else` that lets a readiness probe's process raise alerts next to a liveness probe), both
 * are read, liveness first: a process matching both is a liveness probe.
 * LIMIT: only the pod's first container is read, as libsinsp did; the probes of a pod's
 * other containers are not recognised (and the first one's are recognised in all of them).
 * LIMIT: pods made by a controller (a Deployment, a StatefulSet) carry no such annotation,
 * only objects applied with `kubectl apply` do, so their probes are not recognised.
 */
export function podSpecProbes(annotation: unknown): HealthProbe[] {
  if (typeof annotation !== 'string' || annotation === '') return [];
  let pod: unknown;
  try {
    pod = JSON.parse(annotation);
  } catch {
    return [];
  }
  const spec = isObject(pod) && isObject(pod.spec) ? pod.spec : {};
  const first: unknown = Array.isArray(spec.containers) ? spec.containers[0] : undefined;
  if (!isObject(first)) return [];
  return [
    execProbe(first.livenessProbe, 'liveness-probe'),
    execProbe(first.readinessProbe, 'readiness-probe'),
  ].filter((probe) => probe !== undefined);
}

function execProbe(probe: unknown, type: HealthProbeType): HealthProbe | undefined {
  const exec = isObject(probe) && isObject(probe.exec) ? probe.exec : {};
  const command = exec.command;
  if (!Array.isArray(command) || command.length === 0) return undefined;
  const [exe, ...args] = command.map((word) => normalizeArgument(textOf(word)));
  return { type, exe: exe!, args };
}

/**
 * A word without the pairs of matching quotes (`"` or `'`) around it: `'"id"'` is `id`.
 * libsinsp loops forever on a word that opens a quote it does not close; here such a word
 * stays as it is.
 */
export function normalizeArgument(word: string): string {
  let text = word;
  while (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0])
    text = text.slice(1, -1);
  return text;
}

/** The probe of `type` as libsinsp's `container.healthcheck` and probe fields show it. */
export function healthProbeText(probes: readonly HealthProbe[], type: HealthProbeType): string {
  const probe = probes.find((candidate) => candidate.type === type);
  return probe === undefined ? 'NONE' : [probe.exe, ...probe.args].join(' ');
}

/** The type of the first probe whose argv is exactly `exe` and `args`; undefined for none. */
export function matchHealthProbe(
  probes: readonly HealthProbe[],
  exe: string,
  args: readonly string[],
): HealthProbeType | undefined {
  const sameArgs = (probe: HealthProbe) =>
    probe.args.length === args.length && probe.args.every((arg, index) => arg === args[index]);
  return probes.find((probe) => probe.exe === exe && sameArgs(probe))?.type;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
