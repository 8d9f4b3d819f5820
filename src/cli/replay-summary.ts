/**
 * What `harrier replay` prints on stderr when it is done: events and alerts per capture,
 * records per JSON source, alerts per rule, then warnings (sources no rule covers, files of
 * no known kind skipped, files named twice, capture events and blocks of unknown type
 * skipped, events a recording's live capture lost) and every input it could not read. Text lines for a person; under `--json` one
 * summary line, then one warn or error line each.
 */
import { describeOrigin } from '../sources/k8s-audit/index.js';
import type { ReplayResult } from './replay.js';
import { counted, reportError, reportSummary, reportWarning } from './stderr-report.js';

function summaryText(result: ReplayResult): string {
  const lines: string[] = [];
  for (const { path, events, alerts, unknownEvents } of result.captures) {
    const unknown =
      unknownEvents.count > 0 ? `, ${unknownEvents.count} of unknown type skipped` : '';
    lines.push(
      `syscall: ${path}: ${counted(events, 'event')}${unknown}, ${counted(alerts, 'alert')}`,
    );
  }
  for (const [source, stats] of Object.entries(result.detection.stats)) {
    if (stats.received === 0) continue;
    const { received, processed, rejected, alerts } = stats;
    const records = counted(received, 'record');
    lines.push(
      `${source}: ${records}, ${processed} processed, ${rejected} rejected, ${counted(alerts, 'alert')}`,
    );
  }
  if (result.byRule.size > 0) lines.push('Triggered rules by rule name:');
  for (const [rule, { priority, count }] of result.byRule)
    lines.push(`  ${rule} (${priority}): ${count}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The same counts as fields: captures, sources read, alerts by rule, unreadable inputs. */
function summaryFields(result: ReplayResult): Record<string, unknown> {
  const sources = Object.fromEntries(
    Object.entries(result.detection.stats).filter(([, stats]) => stats.received > 0),
  );
  return {
    captures: result.captures.map(({ path, events, alerts, unknownEvents, recordedDrops }) => ({
      path,
      events,
      unknownEvents: unknownEvents.count,
      alerts,
      droppedWhileRecorded: {
        kernel: recordedDrops.totals.kernel,
        userspace: recordedDrops.totals.userspace,
      },
    })),
    sources,
    alerts: result.alerts,
    byRule: [...result.byRule].map(([rule, { priority, count }]) => ({ rule, priority, count })),
    failures: result.failures.length,
  };
}

interface Warning {
  message: string;
  fields: Record<string, unknown>;
}

/** What the replay left out or cannot judge, though it read on. */
function replayWarnings(result: ReplayResult): Warning[] {
  const warnings: Warning[] = result.uncoveredSources.map((source) => ({
    message: `no loaded rule covers source ${source}: its events were read but can raise no alert`,
    fields: { source },
  }));
  for (const { container, count, names } of result.skipped) {
    const more = count > names.length ? `, and ${count - names.length} more` : '';
    warnings.push({
      message: `${container}: ${counted(count, 'file')} of no known kind skipped: ${names.join(', ')}${more}`,
      fields: { file: container, skipped: count, names },
    });
  }
  const { count: repeats, first: names } = result.duplicates;
  if (repeats > 0) {
    const shown = names.map(({ name, container, first }) => {
      const place = container === undefined ? name : `${name} in ${container}`;
      return name === first ? `${place} again` : `${place} is ${first}`;
    });
    const more = repeats > names.length ? `, and ${repeats - names.length} more` : '';
    warnings.push({
      message: `${counted(repeats, 'input')} named a file already read, which is replayed once: ${shown.join(', ')}${more}`,
      fields: { duplicates: repeats, names },
    });
  }
  for (const { path, unknownEvents } of result.captures) {
    const message = unknownEvents.warning(path);
    const { count, types } = unknownEvents;
    if (message !== undefined)
      warnings.push({ message, fields: { file: path, unknownEvents: count, types } });
  }
  for (const { path, recordedDrops } of result.captures) {
    const { kernel, userspace, byReason } = recordedDrops.totals;
    for (const message of recordedDrops.warnings(path))
      warnings.push({
        message,
        fields: { file: path, kernelDrops: kernel, userspaceDrops: userspace, byReason },
      });
  }
  for (const { path, recordedContainers } of result.captures) {
    const { malformed, evictions } = recordedContainers;
    for (const message of recordedContainers.warnings(path))
      warnings.push({
        message,
        fields: { file: path, malformedContainerEvents: malformed, evictions },
      });
  }
  for (const { path, stateRefused } of result.captures) {
    const { threads, fds, pendingClones } = stateRefused;
    if (threads + fds + pendingClones === 0) continue;
    warnings.push({
      message: `${path}: the state's tables were full: ${counted(threads, 'new thread')}, ${counted(fds, 'descriptor')} and ${pendingClones} fork children's fd copies were not kept; fields of their later events read <NA>`,
      fields: { file: path, stateRefused },
    });
  }
  for (const { path, skippedBlocks } of result.captures) {
    const { count, first, uncompressed } = skippedBlocks;
    if (count === 0) continue;
    const byte = uncompressed ? 'uncompressed byte' : 'byte';
    const where = first.map(
      ({ offset, blockType }) => `0x${blockType.toString(16)} at ${byte} ${offset}`,
    );
    const more = count > first.length ? `, and ${count - first.length} more` : '';
    warnings.push({
      message: `${path}: ${counted(count, 'block')} of unknown type skipped, as libscap skips them (${where.join(', ')}${more}); what they held, such as a process list, is missing`,
      fields: { file: path, skippedBlocks: count, blocks: first },
    });
  }
  return warnings;
}

/** Prints the summary, its warnings and the inputs that could not be read. */
export function reportReplaySummary(result: ReplayResult): void {
  reportSummary('replay', 'replay summary', summaryText(result), summaryFields(result));
  for (const { message, fields } of replayWarnings(result))
    reportWarning('replay', message, fields);
  for (const { origin, reason } of result.failures)
    reportError('replay', `${describeOrigin(origin)}: ${reason}`, { ...origin, reason });
}
