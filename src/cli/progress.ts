/**
 * A one-line progress report for long replays, redrawn in place on a terminal and erased when
 * the work ends, so that piped or redirected output never carries it.
 */

/** What the line shows, read each time it is redrawn. */
export interface ProgressReading {
  /** Input bytes read so far (compressed bytes for gzip files) and in all. */
  bytesRead: number;
  bytesTotal: number;
  events: number;
  alerts: number;
}

/** The stream the line goes to: a terminal, or nothing is drawn. */
export interface ProgressTerminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_MS = 250;

/**
 * Redraws `read()`'s numbers on `terminal` every quarter second until `stop()`, which erases
 * the line. Does nothing when `terminal` is not a TTY.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private readonly started = process.hrtime.bigint();

  constructor(
    private readonly terminal: ProgressTerminal,
    private readonly read: () => ProgressReading,
    private readonly label: string,
  ) {
    if (terminal.isTTY !== true) return;
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    // The line must not keep a finished replay alive.
    this.timer.unref();
  }

  /** Erases the line and stops redrawing; safe to call more than once. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.terminal.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(): void {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const text = progressText(this.label, this.read(), seconds);
    // A terminal that reports no width (0 columns, as under script(1)) gets the usual 80.
    const width = this.terminal.columns || 80;
    this.terminal.write(`\r\x1b[K${text.slice(0, Math.max(width - 1, 1))}`);
    this.drawn = true;
  }
}

/** `LABEL: 42% of 1.2 GB, 3,456,789 events (1,234,567/s), 12 alerts`. */
export function progressText(label: string, reading: ProgressReading, seconds: number): string {
  const parts: string[] = [];
  if (reading.bytesTotal > 0) {
    const percent = Math.min(100, Math.floor((100 * reading.bytesRead) / reading.bytesTotal));
    parts.push(`${percent}% of ${byteSize(reading.bytesTotal)}`);
  }
  const rate = seconds > 0 ? Math.round(reading.events / seconds) : 0;
  parts.push(`${thousands(reading.events)} events (${thousands(rate)}/s)`);
  parts.push(`${thousands(reading.alerts)} alert${reading.alerts === 1 ? '' : 's'}`);
  return `${label}: ${parts.join(', ')}`;
}

const thousands = (count: number): string => count.toLocaleString('en-US');

function byteSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
