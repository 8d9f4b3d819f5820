/**
 * Signals that reach `harrier run` or `harrier serve` while it loads and starts (modules,
 * rules, probe, listeners), kept for when it runs. Unhandled, SIGHUP (a reload, for a daemon) would end the process on the
 * spot and SIGINT/SIGTERM would skip the summary. bin/harrier.js latches them before it loads
 * the rest of Harrier; this module imports nothing, so that costs next to no time.
 */
const LATCHED: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGTERM'];
const seen = new Set<NodeJS.Signals>();
const keep = (signal: NodeJS.Signals): void => void seen.add(signal);
let latched = false;

/** Starts keeping the signals; a second call changes nothing. */
export function latchStartupSignals(): void {
  if (latched) return;
  latched = true;
  for (const signal of LATCHED) process.on(signal, keep);
}

/** Stops keeping them (a start that failed); later ones get Node's default handling. */
export function releaseStartupSignals(): void {
  if (latched) for (const signal of LATCHED) process.off(signal, keep);
  latched = false;
}

/**
 * Hands the signals over to the listeners `listen` installs, then stops keeping them, and
 * returns those that came meanwhile. The order matters: a signal the kernel has delivered but
 * Node has not yet dispatched goes to the listeners of its signal at dispatch time, and is lost
 * for good if the last of them left first (`harrier serve` then ignored a SIGTERM sent just as
 * it started to listen, and never stopped).
 */
export function handOverStartupSignals(listen: () => void): ReadonlySet<NodeJS.Signals> {
  listen();
  releaseStartupSignals();
  return seen;
}
