/**
 * Prometheus metrics in the text exposition format (version 0.0.4), served at `/metrics`:
 * events by source and type, drops, rule evaluation time, alerts by rule and priority, and
 * per-output queue depth and deliveries. Detection runners count events and evaluation time
 * through `HarrierMetrics`; alert and output figures are read from the router at scrape time.
 */
import http from 'node:http';
import type { AlertRouter } from '../alerts/index.js';

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  samples(): Iterable<[suffix: string, labels: Labels, value: number]>;
}

/** A counter with labels. */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  /** Adds `amount` (default 1; must not be negative) to the series of `labels`. */
  inc(labels: Labels = {}, amount = 1): void {
    if (amount < 0) throw new RangeError('a counter only goes up');
    const key = seriesKey(labels);
    const series = this.values.get(key);
    if (series) series.value += amount;
    else this.values.set(key, { labels, value: amount });
  }

  /** @internal */
  *samples(): Iterable<[string, Labels, number]> {
    for (const { labels, value } of this.values.values()) yield ['', labels, value];
  }
}

/** A histogram with fixed buckets (upper bounds, in the metric's unit). */
export class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(private readonly buckets: readonly number[]) {}

  observe(value: number, labels: Labels = {}): void {
    const key = seriesKey(labels);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    this.buckets.forEach((bound, index) => (value <= bound ? entry.counts[index]!++ : undefined));
    entry.sum += value;
    entry.count++;
  }

  /** @internal */
  *samples(): Iterable<[string, Labels, number]> {
    for (const { labels, counts, sum, count } of this.series.values()) {
      for (const [index, bound] of this.buckets.entries())
        yield ['_bucket', { ...labels, le: String(bound) }, counts[index]!];
      yield ['_bucket', { ...labels, le: '+Inf' }, count];
      yield ['_sum', labels, sum];
      yield ['_count', labels, count];
    }
  }
}

/** Metric families, rendered in registration order. */
export class MetricsRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string): Counter {
    const counter = new Counter();
    this.families.push({ name, help, type: 'counter', samples: () => counter.samples() });
    return counter;
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const histogram = new Histogram(buckets);
    this.families.push({ name, help, type: 'histogram', samples: () => histogram.samples() });
    return histogram;
  }

  /** A family whose samples `collect` returns at each scrape. */
  collected(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    collect: () => Iterable<[Labels, number]>,
  ): void {
    this.families.push({
      name,
      help,
      type,
      *samples() {
        for (const [labels, value] of collect()) yield ['', labels, value];
      },
    });
  }

  /** The text exposition of every family. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.families) {
      lines.push(
        `# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      );
      lines.push(`# TYPE ${family.name} ${family.type}`);
      for (const [suffix, labels, value] of family.samples()) {
        lines.push(`${family.name}${suffix}${renderLabels(labels)} ${renderValue(value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

/** What detection runners count. */
export interface HarrierMetrics {
  readonly registry: MetricsRegistry;
  /** Labels `source` and `type` (the event type, e.g. `execve`). */
  readonly events: Counter;
  /** Labels `source` and `reason`. */
  readonly drops: Counter;
  /** Seconds spent evaluating rules per event; label `source`. */
  readonly ruleEvaluation: Histogram;
}

/**
 * The standard metric set; with `router`, alert and output figures are added from its stats.
 *
 * @example
 * const metrics = createHarrierMetrics(router);
 * metrics.events.inc({ source: 'syscall', type: 'execve' });
 * createMetricsServer(metrics.registry).listen(9376, '127.0.0.1');
 */
export function createHarrierMetrics(router?: AlertRouter): HarrierMetrics {
  const registry = new MetricsRegistry();
  const events = registry.counter('harrier_events_total', 'Events read, by source and event type.');
  const drops = registry.counter(
    'harrier_events_dropped_total',
    'Events dropped before evaluation, by source and reason.',
  );
  const ruleEvaluation = registry.histogram(
    'harrier_rule_evaluation_seconds',
    'Time to evaluate the ruleset on one event.',
    [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2],
  );
  if (router !== undefined) addRouterFamilies(registry, router);
  return { registry, events, drops, ruleEvaluation };
}

function addRouterFamilies(registry: MetricsRegistry, router: AlertRouter): void {
  const outputs = () => Object.entries(router.stats().outputs);
  registry.collected(
    'harrier_alerts_total',
    'Alerts raised, by rule and priority.',
    'counter',
    () =>
      [...router.stats().byRule.values()].map(({ rule, priority, count }) => [
        { rule, priority },
        count,
      ]),
  );
  registry.collected(
    'harrier_alerts_grouped_total',
    'Alerts counted into a group summary instead of sent alone.',
    'counter',
    () => [[{}, router.stats().grouped]],
  );
  registry.collected(
    'harrier_output_queue_depth',
    'Alerts waiting in an output queue.',
    'gauge',
    () => outputs().map(([output, stats]) => [{ output }, stats.depth]),
  );
  registry.collected(
    'harrier_output_deliveries_total',
    'Alerts by output and result.',
    'counter',
    () =>
      outputs().flatMap(([output, stats]) => [
        [{ output, result: 'delivered' }, stats.delivered],
        [{ output, result: 'rejected' }, stats.rejected],
        [{ output, result: 'dropped' }, stats.dropped],
      ]),
  );
  registry.collected(
    'harrier_output_failures_total',
    'Failed send attempts (each retried), by output.',
    'counter',
    () => outputs().map(([output, stats]) => [{ output }, stats.failures]),
  );
  registry.collected(
    'harrier_output_possible_duplicates_total',
    'Alerts delivered after an earlier attempt that may have arrived.',
    'counter',
    () => outputs().map(([output, stats]) => [{ output }, stats.possibleDuplicates]),
  );
}

/** An HTTP server answering `GET /metrics` with `registry`'s exposition; 404 elsewhere. */
export function createMetricsServer(registry: MetricsRegistry): http.Server {
  return http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    response.end(registry.render());
  });
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(
    ([name, value]) =>
      `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
