/**
 * Problems found in `harrier.yaml`, each tied to the key and the line it comes from (or the
 * environment variable that set it), rendered like rule-file diagnostics.
 */

/** What went wrong; every one of these but the `warning`s stops Harrier from starting. */
export type ConfigCode =
  /** The configuration file could not be read. */
  | 'HARRIER_CONFIG_READ'
  /** The configuration file is not valid YAML. */
  | 'HARRIER_CONFIG_YAML'
  /** A key has a value of the wrong type or out of range, or a required key is missing. */
  | 'HARRIER_CONFIG_INVALID'
  /** A key is not one Harrier knows (often a typo). */
  | 'HARRIER_CONFIG_UNKNOWN_KEY'
  /** An environment override or a `${VAR}` reference could not be applied. */
  | 'HARRIER_CONFIG_ENV'
  /**
   * A warning: the command does not use this section or key (`outputs` under `replay`,
   * `rules_files` when `-r` gives the rules).
   */
  | 'HARRIER_CONFIG_UNUSED'
  /**
   * A warning: a socket an output writes to is not there now (a syslog daemon may create it
   * later); alerts wait in the output's queue until it is.
   */
  | 'HARRIER_CONFIG_NOT_FOUND'
  /**
   * A warning: an `append_output` entry matches both a rule and tags, so it applies to that
   * rule only while the rule has every tag (Falco warns the same).
   */
  | 'HARRIER_CONFIG_RULE_AND_TAGS';

export interface ConfigDiagnostic {
  readonly code: ConfigCode;
  /** A warning is printed but lets Harrier start. */
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  /** 1-based; 0 when the value came from the environment. */
  readonly line: number;
  readonly column: number;
  /** The source line (empty when there is none). */
  readonly snippet: string;
  /** The key, e.g. `outputs[2].url` or `store.retention.max_age`. */
  readonly key: string;
}

/**
 * `file:line:col: error CODE: message` (`warning` for a warning; `file:` alone when no line
 * applies), the source line with a caret, and the key.
 */
export function formatConfigDiagnostic(diagnostic: ConfigDiagnostic): string {
  const { file, line, column, severity, code, message, key, snippet } = diagnostic;
  const place = line === 0 ? file : `${file}:${line}:${column}`;
  const lines = [`${place}: ${severity} ${code}: ${message}`];
  if (snippet !== '') {
    const gutter = String(line).padStart(5);
    lines.push(
      `${gutter} | ${snippet}`,
      `${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, column - 1))}^`,
    );
  }
  if (key !== '') lines.push(`  at key ${key}`);
  return lines.join('\n');
}
