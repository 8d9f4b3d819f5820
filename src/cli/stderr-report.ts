/**
 * What commands tell their user on stderr besides log lines: their own errors, the problems
 * of rule and configuration files, and summaries. Readable text by default; under `--json`
 * each is one NDJSON log line like every other, so that stderr stays NDJSON throughout.
 */
import { formatConfigDiagnostic, type ConfigDiagnostic } from '../config/index.js';
import {
  type Diagnostic,
  diagnosticToJson,
  formatDiagnostic,
  inReadingOrder,
} from '../engine/index.js';
import { createLogger, logFormat } from '../log.js';

/** The subsystem of a command's lines: `cli.replay`, or `cli` for the program itself. */
function commandLogger(command: string | undefined) {
  return createLogger(command === undefined ? 'cli' : `cli.${command}`);
}

type Fields = Record<string, unknown>;

/** One line of `command`: `harrier COMMAND: <label>message`, or a log line at `level`. */
function reportLine(
  level: 'error' | 'warn' | 'info',
  command: string | undefined,
  message: string,
  fields: Fields,
  label = '',
): void {
  if (logFormat() === 'json') commandLogger(command)[level](fields, message);
  else
    process.stderr.write(
      `harrier${command === undefined ? '' : ` ${command}`}: ${label}${message}\n`,
    );
}

/**
 * A command's own error (a bad option value, a store that cannot be opened):
 * `harrier COMMAND: message`, or an error line with `fields` under `--json`.
 */
export function reportError(
  command: string | undefined,
  message: string,
  fields: Fields = {},
): void {
  reportLine('error', command, message, fields);
}

/**
 * A command's warning: Harrier went on, but something was left out or cannot work as the
 * user may expect. `harrier COMMAND: warning: message`, or a warn line under `--json`.
 */
export function reportWarning(command: string, message: string, fields: Fields = {}): void {
  reportLine('warn', command, message, fields, 'warning: ');
}

/** A command's plain remark on stderr (`harrier COMMAND: message`), an info line under --json. */
export function reportNote(command: string, message: string, fields: Fields = {}): void {
  reportLine('info', command, message, fields);
}

export interface DiagnosticReportOptions {
  /** Leave warnings out (`--quiet`); errors always show. */
  readonly quiet?: boolean;
}

/**
 * Rule-file problems in reading order (`inReadingOrder`, as `rules validate` lists them): each
 * with its caret excerpt, or under `--json` one line each with the code, file, line, column
 * and item as fields and the message as `msg`.
 */
export function reportDiagnostics(
  command: string,
  diagnostics: readonly Diagnostic[],
  options: DiagnosticReportOptions = {},
): void {
  const logger = logFormat() === 'json' ? commandLogger(command) : undefined;
  for (const diagnostic of inReadingOrder(diagnostics)) {
    const isError = diagnostic.severity === 'error';
    if (options.quiet === true && !isError) continue;
    if (logger === undefined) {
      process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      continue;
    }
    const { message, ...fields } = diagnosticToJson(diagnostic);
    if (isError) logger.error(fields, String(message));
    else logger.warn(fields, String(message));
  }
}

/** Configuration problems (warnings among them), rendered like rule-file problems. */
export function reportConfigDiagnostics(
  command: string,
  diagnostics: readonly ConfigDiagnostic[],
): void {
  const logger = logFormat() === 'json' ? commandLogger(command) : undefined;
  for (const diagnostic of diagnostics) {
    if (logger === undefined) process.stderr.write(`${formatConfigDiagnostic(diagnostic)}\n`);
    else {
      const { message, ...fields } = diagnostic;
      if (diagnostic.severity === 'error') logger.error(fields, message);
      else logger.warn(fields, message);
    }
  }
}

/**
 * A summary printed when a command ends: `text` (its lines, each ending in a newline), or one
 * info line `message` carrying `fields` under `--json`.
 */
export function reportSummary(
  command: string,
  message: string,
  text: string,
  fields: Record<string, unknown>,
): void {
  if (logFormat() === 'json') commandLogger(command).info(fields, message);
  else process.stderr.write(text);
}

/** `1 alert`, `2 alerts`: a count with its noun, for summary lines. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The last line of a command whose rule files had errors: said after the diagnostics, so the
 * final line is not a warning about a file that did load. `outcome`: "nothing replayed".
 */
export function reportRuleFilesFailed(
  command: string,
  diagnostics: readonly { severity: string }[],
  outcome: string,
): void {
  const errors = diagnostics.filter((item) => item.severity === 'error').length;
  reportError(command, `the rule files have ${counted(errors, 'error')}: ${outcome}`, { errors });
}
