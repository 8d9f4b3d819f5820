/**
 * The stop summary's line for each configured output of `run` and `serve`: what it delivered,
 * and what it did not, so that a reader of the summary alone sees alerts left behind: still
 * queued (sent after the next start), refused by the destination (set aside on disk, not
 * retried), or dropped from a full queue (reported in an overflow alert).
 */
import type { OutputStats } from '../alerts/index.js';

export function formatOutputCounts(
  outputs: Readonly<Record<string, OutputStats>> | undefined,
): string[] {
  return Object.entries(outputs ?? {}).map(([name, counts]) => {
    const parts = [`${counts.delivered} delivered`];
    if (counts.depth > 0) parts.push(`${counts.depth} still queued, sent after the next start`);
    if (counts.rejected > 0)
      parts.push(`${counts.rejected} refused by the destination, set aside on disk`);
    if (counts.dropped > 0) parts.push(`${counts.dropped} dropped from a full queue`);
    return `  output ${name}: ${parts.join(', ')}`;
  });
}
