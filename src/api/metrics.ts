/**
 * Prometheus metrics in the text exposition format (version 0.0.4), served at `/metrics`:
 * events by source and type, drops, rule evaluation time, alerts by rule and priority, and
 * per-output queue depth and deliveries. Detection runners count events, evaluation time and
 * alerts through `HarrierMetrics`; output figures are read from the router at scrape time.
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

/** One series of a counter, held by a caller that adds to it often (no label lookup). */
export class CounterSeries {
  value = 0;

  constructor(readonly labels: Labels) {}

  /** Adds `amount` (default 1). */
  inc(amount = 1): void {
    this.value += amount;
  }
}

/** A counter with labels. */
export class Counter {
  private readonly values = new Map<string, CounterSeries>();

  /** Adds `amount` (default 1; must not be negative) to the series of `labels`. */
  inc(labels: Labels = {}, amount = 1): void {
    if (amount < 0) throw new RangeError('a counter only goes up');
    this.series(labels).inc(amount);
  }

  /**
   * Sets the series of `labels` to `total` when that is more: for totals another component
   * keeps (kernel drop counts), copied in at scrape time.
   */
  raiseTo(labels: Labels, total: number): void {
    const series = this.series(labels);
    if (total > series.value) series.value = total;
  }

  /** The series of `labels`, created at 0 when new. */
  series(labels: Labels = {}): CounterSeries {
    const key = seriesKey(labels);
    let series = this.values.get(key);
    if (series === undefined) {
      series = new CounterSeries(labels);
      this.values.set(key, series);
    }
    return series;
  }

  /** @internal */
  *samples(): Iterable<[string, Labels, number]> {
    for (const { labels, value } of this.values.values()) yield ['', labels, value];
  }
}

/** One series of a histogram, held by a caller that observes often (no label lookup). */
export class HistogramSeries {
  /** Observations per bucket, each counted in the first bucket that holds it only. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    const { buckets } = this;
    let index = 0;
    while (index < buckets.length && value > buckets[index]!) index++;
    if (index < buckets.length) this.counts[index]!++;
    this.sum += value;
    this.count++;
  }
}

/** A histogram with fixed buckets (upper bounds, in the metric's unit). */
export class Histogram {
  private readonly values = new Map<string, HistogramSeries>();

  constructor(private readonly buckets: readonly number[]) {}

  observe(value: number, labels: Labels = {}): void {
    this.series(labels).observe(value);
  }

  /** The series of `labels`, created empty when new. */
  series(labels: Labels = {}): HistogramSeries {
    const key = seriesKey(labels);
    let series = this.values.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labels, this.buckets);
      this.values.set(key, series);
    }
    return series;
  }

  /** @internal */
  *samples(): Iterable<[string, Labels, number]> {
    for (const { labels, counts, sum, count } of this.values.values()) {
      let cumulative = 0;
      for (const [index, bound] of this.buckets.entries()) {
        cumulative += counts[index]!;
        yield ['_bucket', { ...labels, le: String(bound) }, cumulative];
      }
      yield ['_bucket', { ...labels, le: '+Inf' }, count];
      yield ['_sum', labels, sum];
      yield ['_count', labels, count];
    }
  }
}

/** Metric families, rendered in registration order. */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly scrapeHooks: (() => void)[] = [];

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

  /** Runs `hook` before each rendering, to copy in figures other components keep. */
  onScrape(hook: () => void): void {
    this.scrapeHooks.push(hook);
  }

  /** The text exposition of every family. */
  render(): string {
    for (const hook of this.scrapeHooks) hook();
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
  /** Labels `rule` and `priority`. */
  readonly alerts: Counter;
  /** Seconds spent evaluating rules per event; label `source`. */
  readonly ruleEvaluation: Histogram;
}

/**
 * The standard metric set, empty. Runners count into it (see `SourceMetrics`), and
 * `addRouterMetrics` adds the output figures of an alert router.
 *
 * @example
 * const metrics = createHarrierMetrics();
 * metrics.events.inc({ source: 'syscall', type: 'execve' });
 * createMetricsServer(metrics.registry).listen(9376, '127.0.0.1');
 */
export function createHarrierMetrics(): HarrierMetrics {
  const registry = new MetricsRegistry();
  const events = registry.counter('harrier_events_total', 'Events read, by source and event type.');
  const drops = registry.counter(
    'harrier_events_dropped_total',
    'Events dropped before evaluation, by source and reason.',
  );
  const alerts = registry.counter('harrier_alerts_total', 'Alerts raised, by rule and priority.');
  const ruleEvaluation = registry.histogram(
    'harrier_rule_evaluation_seconds',
    'Time to evaluate the ruleset on one event.',
    [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2],
  );
  return { registry, events, drops, alerts, ruleEvaluation };
}

/**
 * One source's counting on the event path: each event by type with its rule evaluation time.
 * Series are looked up once per event type; past `maxTypes` distinct types (input such as
 * CloudTrail event names is not bounded) further types count under type `other`.
 */
export class SourceMetrics {
  private readonly byType = new Map<string, CounterSeries>();
  private readonly evaluation: HistogramSeries;
  private readonly other: CounterSeries;

  constructor(
    private readonly metrics: HarrierMetrics,
    readonly source: string,
    private readonly maxTypes = 256,
  ) {
    this.evaluation = metrics.ruleEvaluation.series({ source });
    this.other = metrics.events.series({ source, type: 'other' });
  }

  /** Counts one event of `type` whose rules took `seconds` to evaluate. */
  event(type: string, seconds: number): void {
    let series = this.byType.get(type);
    if (series === undefined) {
      series = this.byType.size < this.maxTypes ? this.addType(type) : this.other;
    }
    series.value++;
    this.evaluation.observe(seconds);
  }

  /** Counts `count` records of this source dropped before evaluation for `reason`. */
  drop(reason: string, count = 1): void {
    this.metrics.drops.inc({ source: this.source, reason }, count);
  }

  private addType(type: string): CounterSeries {
    const series = this.metrics.events.series({ source: this.source, type });
    this.byType.set(type, series);
    return series;
  }
}

/** Adds `router`'s grouping and per-output figures to `registry`, read at each scrape. */
export function addRouterMetrics(registry: MetricsRegistry, router: AlertRouter): void {
  const outputs = () => Object.entries(router.stats().outputs);
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
