/**
 * What `harrier serve` prints when it stops, in text mode: records and alerts per source, the
 * webhook's requests by answer and those given up or refused, the alert lines an unread
 * stdout left out and the rule reloads. Under `--json` the same counts go out as one log line.
 */
import type { OutputStats } from '../alerts/index.js';
import type { WebhookCounters } from '../sources/k8s-audit/index.js';
import type { JsonSource, JsonSourceStats } from './json-pipeline.js';
import { formatOutputCounts } from './output-summary.js';
import { counted } from './stderr-report.js';

/** Counts besides the sources' and the webhook's; lines for them only when above 0. */
export interface ServeSummaryExtra {
  readonly stdoutDropped?: number;
  readonly reloads?: number;
  readonly failedReloads?: number;
  /** The configured outputs' counts at stop (`-c`). */
  readonly outputs?: Readonly<Record<string, OutputStats>>;
}

/** The stop summary as text lines, each ending in a newline. */
export function formatServeSummary(
  stats: Readonly<Record<JsonSource, JsonSourceStats>>,
  webhook: WebhookCounters | undefined,
  extra: ServeSummaryExtra = {},
): string {
  const { stdoutDropped = 0, reloads = 0, failedReloads = 0 } = extra;
  const lines = ['harrier serve: stopped'];
  for (const [source, counts] of Object.entries(stats)) {
    if (counts.received === 0) continue;
    const { received, processed, rejected, alerts } = counts;
    lines.push(
      `  ${source}: ${counted(received, 'record')}, ${processed} processed, ${rejected} rejected, ${counted(alerts, 'alert')}`,
    );
  }
  if (lines.length === 1) lines.push('  no records received');
  if (webhook !== undefined) {
    const answers = [...webhook.responses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}: ${count}`);
    const byStatus = answers.length > 0 ? ` (${answers.join(', ')})` : '';
    lines.push(`  webhook: ${counted(webhook.requests, 'request')}${byStatus}`);
    if (webhook.decompressedTooLarge > 0)
      lines.push(
        `  webhook: ${webhook.decompressedTooLarge} gzip ${webhook.decompressedTooLarge === 1 ? 'body' : 'bodies'} refused, over the size limit once decompressed`,
      );
    if (webhook.aborted > 0)
      lines.push(
        `  webhook: ${counted(webhook.aborted, 'request')} given up by the client, unanswered`,
      );
    if (webhook.connectionsRefused > 0)
      lines.push(
        `  webhook: ${counted(webhook.connectionsRefused, 'connection')} refused, the most allowed being open`,
      );
  }
  if (stdoutDropped > 0)
    lines.push(`  stdout: ${counted(stdoutDropped, 'alert line')} dropped while it was not read`);
  if (reloads + failedReloads > 0)
    lines.push(`  rule reloads: ${reloads}, failed: ${failedReloads}`);
  lines.push(...formatOutputCounts(extra.outputs));
  return `${lines.join('\n')}\n`;
}
