/**
 * Grouping of repeated alerts. Alerts of one rule with equal values in the chosen key fields
 * within a window form a group: the first is sent at once, the rest are counted, and when the
 * window ends one summary alert carries the count and the earliest and latest event times
 * (alerts of a merged replay or of several audit sources arrive out of time order). Nothing is
 * dropped: every alert is either sent or counted in a summary.
 *
 * LIMIT: open groups live in memory; after a `kill -9` the summary of a window still open is
 * never sent (its alerts are in the store, and the first of each group was delivered).
 */
import type { Alert } from './alert.js';
import { isoTime } from './format.js';
import { matchesWildcard } from '../detect/index.js';

/** Grouping for the rules whose names match `rules` (wildcards `*` allowed). */
export interface GroupingRule {
  readonly rules: readonly string[];
  /** Window length in milliseconds; 0 turns grouping off for these rules. */
  readonly windowMs: number;
  /** Output fields whose values must be equal (besides the rule); empty means the rule alone. */
  readonly keyFields: readonly string[];
}

interface OpenGroup {
  /** The alert that arrived last; the summary is built on it. */
  last: Alert;
  count: number;
  /** Earliest and latest event time of the group's alerts (ns since the epoch). */
  earliest: bigint;
  latest: bigint;
  readonly timer: NodeJS.Timeout;
}

/** Output field names added to a summary alert. */
export const groupFields = {
  count: 'harrier.group.count',
  firstSeen: 'harrier.group.first_seen',
  lastSeen: 'harrier.group.last_seen',
} as const;

/** Applies grouping rules; `emitSummary` receives each summary when its window ends. */
export class AlertGrouper {
  private readonly groups = new Map<string, OpenGroup>();
  private readonly ruleCache = new Map<string, GroupingRule | undefined>();

  constructor(
    private readonly rules: readonly GroupingRule[],
    private readonly emitSummary: (alert: Alert) => void,
  ) {}

  /** Takes one alert: true when it is to be sent now, false when counted in its open group. */
  add(alert: Alert): boolean {
    const rule = this.ruleFor(alert.rule);
    if (rule === undefined) return true;

    const key = groupKey(alert, rule.keyFields);
    const group = this.groups.get(key);
    if (group !== undefined) {
      group.count++;
      group.last = alert;
      if (alert.time < group.earliest) group.earliest = alert.time;
      if (alert.time > group.latest) group.latest = alert.time;
      return false;
    }
    const timer = setTimeout(() => this.close(key), rule.windowMs);
    timer.unref();
    const { time } = alert;
    this.groups.set(key, { last: alert, count: 1, earliest: time, latest: time, timer });
    return true;
  }

  /** Closes every open group now, emitting their summaries. */
  flush(): void {
    for (const key of [...this.groups.keys()]) this.close(key);
  }

  /** Groups still counting. */
  get openGroups(): number {
    return this.groups.size;
  }

  private close(key: string): void {
    const group = this.groups.get(key);
    if (group === undefined) return;
    clearTimeout(group.timer);
    this.groups.delete(key);
    if (group.count > 1) this.emitSummary(summaryAlert(group));
  }

  private ruleFor(name: string): GroupingRule | undefined {
    if (this.ruleCache.has(name)) return this.ruleCache.get(name);
    const found = this.rules.find(
      (rule) => rule.windowMs > 0 && rule.rules.some((p) => matchesWildcard(p, name)),
    );
    this.ruleCache.set(name, found);
    return found;
  }
}

function groupKey(alert: Alert, keyFields: readonly string[]): string {
  const values = keyFields.map((field) => {
    const value = alert.outputFields.get(field);
    return typeof value === 'bigint' ? value.toString() : JSON.stringify(value ?? null);
  });
  return JSON.stringify([alert.rule, alert.source, ...values]);
}

/**
 * The summary of a group: the last alert, its output line followed by the count and the
 * earliest and latest event times, and the `harrier.group.*` output fields. `count` includes
 * the first alert, sent already.
 */
function summaryAlert({ last, count, earliest, latest }: OpenGroup): Alert {
  const firstSeen = isoTime(earliest, 'Z');
  const lastSeen = isoTime(latest, 'Z');
  const outputFields = new Map(last.outputFields);
  outputFields.set(groupFields.count, BigInt(count));
  outputFields.set(groupFields.firstSeen, firstSeen);
  outputFields.set(groupFields.lastSeen, lastSeen);
  return {
    ...last,
    output: `${last.output} (grouped: ${count} alerts, first seen ${firstSeen}, last seen ${lastSeen})`,
    outputFields,
  };
}
