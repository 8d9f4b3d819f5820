/**
 * `harrier events`: prints a capture's events, optionally filtered by a condition and shaped by
 * a `%field` format, the way `sysdig -r FILE -p FORMAT FILTER` does, so that a user can see the
 * values a rule saw and why it did or did not fire.
 */
import type { Command } from 'commander';
import { formatFieldsJson } from '../alerts/index.js';
import type { SyscallEvent } from '../decode/event.js';
import { EVENT_CATEGORY_BITS } from '../decode/event-table.js';
import { syscallEvents } from '../decode/pipeline.js';
import {
  compileCondition,
  type CompiledFilter,
  compileOutput,
  type FieldTable,
  fieldTableFor,
  type OutputFormatter,
  parseCondition,
  positionedErrorText,
} from '../engine/index.js';
import { logFormat } from '../log.js';
import { CaptureFileChunks } from '../sources/scap/index.js';
import { RecordedContainers } from './recorded-containers.js';
import { CaptureReadError } from './replay-capture.js';
import { reportError, reportWarning } from './stderr-report.js';
import { UnknownEvents } from './unknown-events.js';

/** libscap's `EC_INTERNAL`: bookkeeping events (procinfo, drops, ...) sysdig does not show. */
const INTERNAL_CATEGORY = 1 << 8;

/** sysdig's default line: number, time, CPU, process, thread, direction, type and arguments. */
const DEFAULT_EVENT_FORMAT =
  '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

interface EventsCommandOptions {
  print: string;
  count?: string;
  json?: boolean;
}

/** Adds `harrier events` to the program. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description(
      'print the events of a .scap capture, filtered and formatted as sysdig -r FILE -p FORMAT FILTER',
    )
    .argument(
      '<filter-and-file...>',
      'an optional condition in the rule language (no macros or lists), then the capture ' +
        '(.scap or .scap.gz); as with sysdig, the words before the file form the condition',
    )
    .option(
      '-p, --print <format>',
      "%field format of each line; lines with a field missing are left out unless it starts with '*'",
      DEFAULT_EVENT_FORMAT,
    )
    .option('-n, --count <n>', 'stop after printing this many events')
    .option('--json', "one JSON object per event: the format's fields and their typed values")
    .action(async (words: string[], options: EventsCommandOptions) => {
      const file = words[words.length - 1];
      const filter = words.length > 1 ? words.slice(0, -1).join(' ') : undefined;
      process.exitCode = await printEvents(file, filter, options);
    });
}

/**
 * Prints the events of `file` that pass `filter`. Returns the exit code: 0 when the capture was
 * read to its end, 1 when it broke part way (after printing the events before the fault), 2 for
 * a bad filter, format or count.
 */
async function printEvents(
  file: string,
  filter: string | undefined,
  options: EventsCommandOptions,
): Promise<number> {
  const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;
  const limit = options.count === undefined ? Infinity : Number(options.count);
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
    reportError('events', `--count must be a whole number, got '${options.count}'`);
    return 2;
  }
  const condition = filter === undefined ? undefined : compileFilter(filter, table);
  if (condition && 'problem' in condition) {
    reportPositionedError('<filter>', filter ?? '', condition.problem);
    return 2;
  }
  const compiled = compileOutput(options.print, table);
  if (!compiled.ok) {
    const { position, message } = compiled.error;
    reportPositionedError('<format>', options.print, { line: 1, column: position.column, message });
    return 2;
  }
  const print = lineWriter(compiled.formatter, options);
  const capture = new CaptureFileChunks(file);
  const unknownEvents = new UnknownEvents();
  const onUnknownEvent = unknownEvents.add.bind(unknownEvents);
  const containers = new RecordedContainers();
  let printed = 0;
  try {
    for await (const event of syscallEvents(capture, { onUnknownEvent })) {
      if (printed >= limit) break;
      if ((EVENT_CATEGORY_BITS[event.info.code] & INTERNAL_CATEGORY) !== 0) continue;
      // As in replay, a container event names its container to the events after it; unlike a
      // rule, the listing shows it (sysdig prints it as a `container` event).
      containers.take(event);
      if (condition && !condition.evaluate(event)) continue;
      if (print(event)) printed++;
    }
  } catch (error) {
    warnSkipped(file, capture, unknownEvents, containers);
    reportError('events', new CaptureReadError(file, error as Error).message, { file });
    return 1;
  }
  warnSkipped(file, capture, unknownEvents, containers);
  return 0;
}

/** Warnings for events the listing could not use: of unknown type, unreadable containers. */
function warnSkipped(
  file: string,
  capture: CaptureFileChunks,
  unknownEvents: UnknownEvents,
  containers: RecordedContainers,
): void {
  warnUnknownEvents(file, capture, unknownEvents);
  const { malformed, evictions } = containers;
  for (const warning of containers.warnings(file))
    reportWarning('events', warning, { file, malformedContainerEvents: malformed, evictions });
}

/** One warning for the events of unknown type the capture held, if any. */
function warnUnknownEvents(file: string, capture: CaptureFileChunks, events: UnknownEvents): void {
  events.uncompressed = capture.compressed;
  const warning = events.warning(file);
  const { count, types } = events;
  if (warning !== undefined)
    reportWarning('events', warning, { file, unknownEvents: count, types });
}

/** Writes one event's line; false when the line was left out for a missing field. */
function lineWriter(
  formatter: OutputFormatter<SyscallEvent>,
  options: EventsCommandOptions,
): (event: SyscallEvent) => boolean {
  const printAll = options.print.startsWith('*');
  return (event) => {
    const output = formatter.format(event);
    if (output.incomplete && !printAll) return false;
    const line = options.json ? formatFieldsJson(output.fields) : output.text;
    process.stdout.write(`${line}\n`);
    return true;
  };
}

function compileFilter(
  text: string,
  table: FieldTable<SyscallEvent>,
): CompiledFilter<SyscallEvent> | { problem: TextProblem } {
  const parsed = parseCondition(text);
  if (!parsed.ok) {
    const { position, message } = parsed.error;
    return { problem: { line: position.line, column: position.column, message } };
  }
  const compiled = compileCondition(parsed.ast, table);
  if (!compiled.ok) {
    const { position, message } = compiled.error;
    return { problem: { line: position.line, column: position.column, message } };
  }
  return compiled.filter;
}

/** A problem in the filter or format text, at a 1-based line and column of it. */
interface TextProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * `ORIGIN:LINE:COL: error: message`, then the text's line and a caret under the column; one
 * error line with the place as fields under `--json`.
 */
function reportPositionedError(origin: string, text: string, problem: TextProblem): void {
  const { line, column, message } = problem;
  if (logFormat() === 'json') return reportError('events', message, { file: origin, line, column });
  process.stderr.write(`${positionedErrorText(origin, text, line, column, message)}\n`);
}
