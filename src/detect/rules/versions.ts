/**
 * Version numbers in rule files: `required_engine_version` (a bare number is the minor of
 * engine 0.x.0) and `required_plugin_versions`, checked the way Falco checks them.
 */

/** The Falco engine version whose rule language Harrier implements. */
export const engineVersion = '0.63.0';

/** A parsed `major.minor.patch`. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

const VERSION = /^\s*\+?(\d+)\.\s*\+?(\d+)\.\s*\+?(\d+)/;

/**
 * Parses `x.y.z` the way Falco's scanf does: leading blanks are skipped and anything after
 * the third number is ignored. Undefined when the text does not start with three numbers.
 */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text);
  if (match === null) return undefined;
  const parts = match.slice(1, 4).map(Number);
  if (parts.some((part) => part > 0xffffffff)) return undefined;
  const [major = 0, minor = 0, patch = 0] = parts;
  return { major, minor, patch };
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Same major and at least the requested version, as Falco's `compatible_with`. */
export function isCompatible(available: Version, requested: Version): boolean {
  return available.major === requested.major && compareVersions(available, requested) >= 0;
}

/** One plugin a rule file needs, with the alternatives that also satisfy it. */
export interface PluginRequirement {
  name: string;
  version: string;
}

/** A plugin Harrier has, by name and version. */
export interface AvailablePlugin {
  name: string;
  version: string;
}

/**
 * Checks every requirement group (one plugin or its alternatives) against the available
 * plugins. Returns the first failure's message, or undefined when all are met.
 */
export function checkPluginRequirements(
  groups: readonly (readonly PluginRequirement[])[],
  plugins: readonly AvailablePlugin[],
): string | undefined {
  for (const alternatives of groups) {
    const failure = checkAlternatives(alternatives, plugins);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

function checkAlternatives(
  alternatives: readonly PluginRequirement[],
  plugins: readonly AvailablePlugin[],
): string | undefined {
  for (const requirement of alternatives) {
    const plugin = plugins.find((candidate) => candidate.name === requirement.name);
    if (plugin === undefined) continue;
    const available = parseVersion(plugin.version);
    if (available === undefined) {
      return `Plugin '${plugin.name}' has invalid version string '${plugin.version}'`;
    }
    const requested = parseVersion(requirement.version);
    if (requested === undefined || !isCompatible(available, requested)) {
      return `Plugin '${plugin.name}' version '${plugin.version}' is not compatible with required plugin version '${requirement.version}'`;
    }
    return undefined;
  }
  const wanted = alternatives.map(
    (requirement) => `${requirement.name} (>= ${requirement.version})`,
  );
  return `Plugin requirement not satisfied, must load one of: ${wanted.join(', ')}`;
}
