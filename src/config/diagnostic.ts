/**
 * Problems found in `harrier.yaml`, each tied to the key and the line it comes from (or the
 * environment variable that set it), rendered like rule-file diagnostics.
 */

/** What went wrong; see `configCodes`. */
export type ConfigCode =
  | 'HARRIER_CONFIG_READ'
  | 'HARRIER_CONFIG_YAML'
  | 'HARRIER_CONFIG_INVALID'
  | 'HARRIER_CONFIG_UNKNOWN_KEY'
  | 'HARRIER_CONFIG_ENV';

/** One line per code: what it means; every one of them stops Harrier from starting. */
export const configCodes: Readonly<Record<ConfigCode, string>> = {
  HARRIER_CONFIG_READ: 'the configuration file could not be read',
  HARRIER_CONFIG_YAML: 'the configuration file is not valid YAML',
  HARRIER_CONFIG_INVALID:
    'a key has a value of the wrong type or out of range, or a required key is missing',
  HARRIER_CONFIG_UNKNOWN_KEY: 'a key is not one Harrier knows (often a typo)',
  HARRIER_CONFIG_ENV: 'an environment override or a ${VAR} reference could not be applied',
};

export interface ConfigDiagnostic {
  readonly code: ConfigCode;
  readonly severity: 'error';
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
 * `file:line:col: error CODE: message` (`file:` alone when no line applies), the source line
 * with a caret, and the key.
 */
export function formatConfigDiagnostic(diagnostic: ConfigDiagnostic): string {
  const { file, line, column, code, message, key, snippet } = diagnostic;
  const place = line === 0 ? file : `${file}:${line}:${column}`;
  const lines = [`${place}: error ${code}: ${message}`];
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
