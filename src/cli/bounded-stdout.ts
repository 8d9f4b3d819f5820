/**
 * Alert lines printed to stdout without a configured output (`run` and `serve` without `-c`),
 * bounded: stdout is a pipe that may not be read (`harrier run | slow-reader`), and Node keeps every
 * unwritten line in memory. Past `limitBytes` waiting, lines are dropped and counted instead;
 * the store still has every alert, and a configured output (`-c`) queues on disk instead.
 */
import type { Logger } from 'pino';
import type { HarrierMetrics } from '../api/metrics.js';

/** Unwritten bytes held for a slow reader: some 20,000 text alert lines. */
const defaultStdoutLimitBytes = 8 * 1024 * 1024;

/** What a writable stream must offer: Node's `process.stdout` does. */
interface Stream {
  readonly writableLength: number;
  write(text: string): boolean;
}

export class BoundedStdout {
  /** Lines dropped since start because the reader had fallen `limitBytes` behind. */
  dropped = 0;
  /** Whether the store keeps the alerts a drop leaves out, as the warnings say. */
  storing = true;
  /** Dropped since the last warning, reported once lines go out again. */
  private unreported = 0;

  constructor(
    private readonly logger: Logger,
    private readonly stream: Stream = process.stdout,
    private readonly limitBytes = defaultStdoutLimitBytes,
  ) {}

  /** Writes `line` (with its newline), or drops and counts it while the reader is behind. */
  write(line: string): void {
    if (this.stream.writableLength >= this.limitBytes) {
      if (this.unreported++ === 0)
        this.logger.warn(
          { waitingBytes: this.stream.writableLength, store: this.storing },
          `stdout is not being read; alert lines are dropped from it until it is${this.whereKept()}`,
        );
      this.dropped++;
      return;
    }
    this.reportDropped();
    this.stream.write(line);
  }

  /** Logs the lines dropped since the last report, if any (at stop too). */
  reportDropped(): void {
    if (this.unreported === 0) return;
    this.logger.warn(
      { dropped: this.unreported, droppedTotal: this.dropped, store: this.storing },
      `alert lines dropped from stdout while it was not read${this.whereKept()}`,
    );
    this.unreported = 0;
  }

  private whereKept(): string {
    return this.storing ? ' (the store has them)' : ' (no store: they are lost)';
  }
}

/** Adds the alert lines dropped from an unread stdout to metrics. */
export function publishStdoutDrops(metrics: HarrierMetrics, stdout: BoundedStdout): void {
  metrics.registry.collected(
    'harrier_stdout_lines_dropped_total',
    'Alert lines left out of stdout while it was not read (the store keeps the alerts).',
    'counter',
    () => [[{}, stdout.dropped]],
  );
}
