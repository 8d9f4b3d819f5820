/**
 * What `harrier replay` prints on stderr when it is done: events and alerts per capture,
 * records per JSON source, alerts per rule, then every input it could not read. Text lines
 * for a person; under `--json` one error line per unreadable input and one summary line.
 */
import { describeOrigin } from '../sources/k8s-audit/index.js';
import type { ReplayResult } from './replay.js';
import { reportError, reportSummary } from './stderr-report.js';

function summaryText(result: ReplayResult): string {
  const lines: string[] = [];
  for (const { path, events, alerts } of result.captures)
    lines.push(`syscall: ${path}: ${events} events, ${alerts} alerts`);
  for (const [source, stats] of Object.entries(result.detection.stats)) {
    if (stats.received === 0) continue;
    const { received, processed, rejected, alerts } = stats;
    lines.push(
      `${source}: ${received} records, ${processed} processed, ${rejected} rejected, ${alerts} alerts`,
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
    captures: result.captures.map(({ path, events, alerts }) => ({ path, events, alerts })),
    sources,
    alerts: result.alerts,
    byRule: [...result.byRule].map(([rule, { priority, count }]) => ({ rule, priority, count })),
    failures: result.failures.length,
  };
}

/** Prints the summary and the inputs that could not be read. */
export function reportReplaySummary(result: ReplayResult): void {
  reportSummary('replay', 'replay summary', summaryText(result), summaryFields(result));
  for (const { origin, reason } of result.failures)
    reportError('replay', `${describeOrigin(origin)}: ${reason}`, { ...origin, reason });
}
