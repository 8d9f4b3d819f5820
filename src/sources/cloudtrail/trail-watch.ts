/**
 * Follows a CloudTrail directory tree as new log files arrive. CloudTrail never appends to a
 * delivered file, so each file is read once, whole, after its size has stayed the same over
 * two checks (a copy still in progress is left for later).
 */
import { stat } from 'node:fs/promises';
import { listTrailFiles, readTrailFile } from './trail-files.js';
import type { TrailRead } from './trail-text.js';

export interface TrailWatchOptions {
  /** Read the files already there first; default true. */
  fromStart?: boolean;
  /** Milliseconds between directory scans; default 1000. */
  pollMilliseconds?: number;
  /** The records and errors of one new file. */
  onFile: (file: string, read: TrailRead) => void;
  /** After every scan that ended without error. */
  onScanned?: () => void;
  onError?: (error: Error) => void;
}

/**
 * @example
 * const watch = new TrailWatch('/data/AWSLogs', { onFile: (file, read) => take(read) });
 * await watch.start();
 */
export class TrailWatch {
  private readonly done = new Set<string>();
  private readonly sizes = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly directory: string,
    private readonly options: TrailWatchOptions,
  ) {}

  /** Takes stock of the tree and starts scanning it. */
  async start(): Promise<void> {
    if (this.options.fromStart === false) {
      for (const file of await listTrailFiles(this.directory)) this.done.add(file);
    }
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.options.pollMilliseconds ?? 1000);
  }

  /** Scans now; new files that are complete are read before the promise settles. */
  scan(): Promise<void> {
    this.running = this.running
      .then(() => this.scanOnce())
      .then(() => this.options.onScanned?.())
      .catch((error: unknown) => this.options.onError?.(error as Error));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async scanOnce(): Promise<void> {
    for (const file of await listTrailFiles(this.directory)) {
      if (this.done.has(file)) continue;
      const size = (await stat(file)).size;
      if (this.sizes.get(file) !== size) {
        this.sizes.set(file, size);
        continue;
      }
      this.done.add(file);
      this.sizes.delete(file);
      this.options.onFile(file, await readTrailFile(file));
    }
  }
}
