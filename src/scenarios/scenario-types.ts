/**
 * The shape of a live scenario: one real behaviour performed on the host or inside a
 * container, and the rule it must raise under each rule set, found among the alerts by a
 * marker that only this behaviour's events carry.
 * @internal
 */

/** Where a behaviour runs. */
export type Place = 'host' | 'container' | 'privileged-container';

/** What a behaviour gets to act with. */
export interface ScenarioContext {
  place: Place;
  /** A string unique to this behaviour in this run; it appears in a path or an argument. */
  marker: string;
  /** The scratch directory as the behaviour sees it (on the host, or `/scn` in a container). */
  scratch: string;
  /** The scenario helper binary as the behaviour sees it. */
  helper: string;
  /** Runs argv where the behaviour runs; never throws on a non-zero exit. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** How a command runs: in a terminal (script -qc, or podman exec -it), as a user, with a $SHELL. */
interface RunOptions {
  terminal?: boolean;
  user?: string;
  /** The program script(1) runs the command with on the host; default /bin/bash. */
  shell?: string;
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/** An expected output field: an exact value, or a pattern the value must match. */
export type FieldExpectation = string | number | RegExp;

/** The rule a behaviour must raise under one rule set. */
export interface RuleExpectation {
  rule: string;
  /** How many alerts of this rule carry the marker; 1 unless the behaviour repeats the act. */
  count?: number;
  /** Output fields beyond the marker (proc.name, fd.name, user.name...). */
  fields?: Record<string, FieldExpectation>;
  /** Why this many, or why the rule comes from outside the stable file. */
  note?: string;
}

/** One behaviour of the suite. */
export interface Behaviour {
  /** Short kebab-case name, also used in the marker. */
  name: string;
  description: string;
  places: readonly Place[];
  /** Under the official Falco rules (stable, plus incubating and sandbox where named). */
  falco?: (place: Place) => RuleExpectation | undefined;
  /** Under Harrier's default rules in rules/. */
  harrier?: (place: Place) => RuleExpectation | undefined;
  /** Files it needs beforehand, created by the suite (never with a flag a rule looks for). */
  prepare?: (hostScratch: string, marker: string) => void;
  act(context: ScenarioContext): Promise<void>;
  /** Undoes what `act` left outside the scratch directory; runs even when `act` failed. */
  cleanup?: (context: ScenarioContext) => Promise<void>;
}
