/**
 * `harrier alerts`: searches the forensic store. Prints each alert's output line, dated, with
 * its id, then, indented, its process lineage on one line and its recent events one per line
 * (`--brief`: the alert lines only); with `--json` one object per line: the id, Falco's JSON
 * alert and the related events.
 */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { formatAlertJson, type Alert } from '../alerts/index.js';
import { isoTimeText } from '../engine/index.js';
import { parsePriority, priorityNames } from '../detect/index.js';
import { AlertReader, type AlertQuery } from '../store/index.js';
import { loadConfigFile, defaultStoreConfig } from '../config/index.js';
import { LIMIT_HELP, readLimit, readSince, SINCE_HELP } from './alerts-options.js';
import { reportConfigDiagnostics, reportError, reportNote } from './stderr-report.js';

/** The event sources alerts come from, as Falco names them. */
const SOURCES = ['syscall', 'k8s_audit', 'aws_cloudtrail'];

export interface AlertsCommandOptions {
  rule?: string;
  priority?: string;
  source?: string;
  since?: string;
  container?: string;
  json?: boolean;
  brief?: boolean;
  limit?: string;
  store?: string;
  config?: string;
}

export function registerAlertsCommand(program: Command): void {
  program
    .command('alerts')
    .description('search stored alerts, newest first')
    .option('--rule <rule>', 'rule name (* matches any text)')
    .option('--priority <priority>', 'this priority or more severe')
    .option('--source <source>', `event source: ${SOURCES.join(', ')}`)
    .option('--since <time>', SINCE_HELP)
    .option('--container <container>', 'container id (or its prefix) or name')
    .option('--limit <count>', LIMIT_HELP, '100')
    .option('--brief', 'one line per alert, without lineage and recent events')
    .option('--json', 'one JSON object per alert and line, with related events')
    .option(
      '--store <file>',
      'the store database (default: from --config, else /var/lib/harrier/alerts.db)',
    )
    .option('-c, --config <file>', 'harrier.yaml, for the store path')
    .action((options: AlertsCommandOptions) => {
      process.exitCode = runAlertsCommand(options, (text) => process.stdout.write(text));
    });
}

/** Runs the search; returns the exit status (0 found or not, 2 on bad input). */
export function runAlertsCommand(
  options: AlertsCommandOptions,
  write: (text: string) => void,
  nowMs = Date.now(),
): number {
  const problems: string[] = [];
  const query = buildQuery(options, nowMs, problems);
  for (const problem of problems) reportError('alerts', problem);
  if (problems.length > 0) return 2;
  const file = storePath(options);
  if (file === undefined) return 2;
  const problem = storeFileProblem(file);
  if (problem !== undefined) {
    reportError('alerts', problem, { file });
    return 2;
  }
  let store: AlertReader;
  try {
    store = new AlertReader(file);
  } catch (error) {
    reportError('alerts', `cannot open the alert store ${file}: ${(error as Error).message}`, {
      file,
    });
    return 2;
  }
  let found = 0;
  try {
    for (const { id, alert } of store.search(query)) {
      found++;
      if (options.brief === true && options.json !== true) {
        write(`${datedOutput(alert)} [id ${id}]\n`);
        continue;
      }
      const detail = store.detail(id);
      if (options.json !== true) {
        write(
          `${datedOutput(alert)} [id ${id}]\n${contextText(detail?.lineage ?? [], detail?.recent ?? [])}`,
        );
        continue;
      }
      const related = JSON.stringify({
        lineage: detail?.lineage ?? [],
        recent: detail?.recent ?? [],
      });
      write(`{"id":${JSON.stringify(id)},"alert":${formatAlertJson(alert)},${related.slice(1)}\n`);
    }
  } finally {
    store.close();
  }
  // Said on stderr, so that an empty result is not mistaken for a search that did not run.
  if (found === 0) reportNote('alerts', `no alert in ${file} matches the search`, { file });
  return 0;
}

/** The search the options ask for; each bad option adds its message to `problems`. */
function buildQuery(options: AlertsCommandOptions, nowMs: number, problems: string[]): AlertQuery {
  if (options.brief === true && options.json === true)
    problems.push('--brief and --json are alternatives: give one of them');
  const priority = options.priority === undefined ? undefined : parsePriority(options.priority);
  if (options.priority !== undefined && priority === undefined)
    problems.push(
      `--priority takes one of ${priorityNames.join(', ')}, found '${options.priority}'`,
    );
  if (options.source !== undefined && !SOURCES.includes(options.source))
    problems.push(`--source takes one of ${SOURCES.join(', ')}, found '${options.source}'`);
  return {
    rule: options.rule,
    priority,
    source: options.source,
    container: options.container,
    sinceMs: readSince(options.since, nowMs, problems),
    limit: readLimit(options.limit ?? '100', problems),
  };
}

/**
 * Why `file` cannot be the store to read, before SQLite says "disk I/O error" for a directory
 * or, for a path the user may not reach, the check would report it missing.
 */
function storeFileProblem(file: string): string | undefined {
  try {
    const info = statSync(file);
    if (info.isDirectory()) return `cannot open the alert store ${file}: it is a directory`;
    if (!info.isFile()) return `cannot open the alert store ${file}: not a regular file`;
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `no alert store at ${file}`;
    const reason = code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return `cannot reach the alert store ${file}: ${reason}`;
  }
}

function storePath(options: AlertsCommandOptions): string | undefined {
  if (options.store !== undefined) return options.store;
  if (options.config === undefined) return defaultStoreConfig().path;
  const { config, diagnostics } = loadConfigFile(options.config, process.env, { noOutputs: true });
  reportConfigDiagnostics('config', diagnostics);
  return config?.store.path;
}

/** Falco's local time prefix of an output line, a time of day only: `16:17:57.882054739`. */
const TIME_OF_DAY = /^\d{2}:\d{2}:\d{2}\.\d{9}(?=: )/;

/**
 * The alert's output line with its date: a store spans days, so a time-of-day prefix becomes
 * the ISO 8601 time in UTC, as the recent events under it show theirs. Replay and run print
 * Falco's line unchanged; a line already in ISO 8601 stays as it is.
 */
function datedOutput(alert: Alert): string {
  return alert.output.replace(TIME_OF_DAY, isoTimeText(alert.time));
}

/**
 * The lineage as `cat(1234) < bash(1200) < sshd(900)` and each recent event as
 * `#num time name(tid) type fd-or-command`, indented under the alert, a run of repeats as its
 * first line and a count; nothing when none.
 */
function contextText(
  lineage: Record<string, unknown>[],
  recent: Record<string, unknown>[],
): string {
  let text = '';
  if (lineage.length > 0) {
    const chain = lineage.map(
      (entry) => `${entry['proc.name'] ?? '?'}(${entry['proc.pid'] ?? '?'})`,
    );
    text += `  lineage: ${chain.join(' < ')}\n`;
  }
  if (recent.length > 0) text += '  recent events:\n';
  for (let first = 0; first < recent.length;) {
    let end = first + 1;
    while (end < recent.length && activity(recent[end]!) === activity(recent[first]!)) end++;
    text += `    ${eventLine(recent[first]!)}\n`;
    // A run of the same call (runc dropping capabilities one prctl at a time) would push
    // the other events out of sight: its first line stands for it.
    if (end - first >= COLLAPSED_RUN) {
      text += `    (${end - first - 1} more like it, to #${recent[end - 1]!['evt.num']})\n`;
    } else {
      for (let next = first + 1; next < end; next++) text += `    ${eventLine(recent[next]!)}\n`;
    }
    first = end;
  }
  return text;
}

/** Repeats of one call from one thread this long or longer show as one line and a count. */
const COLLAPSED_RUN = 3;

/** A recent event as `#num time name(tid) type fd-or-command`. */
function eventLine(event: Record<string, unknown>): string {
  return `#${event['evt.num']} ${event['evt.time.iso8601']} ${activity(event)}`;
}

/** What an event did, without its number and time: equal for repeats of one call. */
function activity(event: Record<string, unknown>): string {
  const detail = event['proc.cmdline'] ?? event['fd.name'];
  const call = `${event['proc.name']}(${event['thread.tid']}) ${event['evt.type']}`;
  return detail === undefined ? call : `${call} ${detail}`;
}
