/**
 * Follows a CloudTrail directory tree as new log files arrive. CloudTrail never appends to a
 * delivered file, so each file is read once, whole, after its size and modification time
 * have stayed the same over two scans (a copy still in progress is left for later). A file
 * whose JSON or gzip stream stops short is read again each time it changes, and reported as
 * it is only once it has stayed unchanged for a while. Which files were read is kept in a
 * `TrailLedger`, so that with one on disk a restart reads only new and changed files.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { listTrailEntries, type TrailEntry } from './trail-entries.js';
import { readTrailBytes } from './trail-files.js';
import { TrailLedger, type FileVersion } from './trail-ledger.js';
import type { TrailRead } from './trail-text.js';

/** Skipped files named, once each; those past this many are only counted. */
const MAX_SKIPPED_NAMED = 1000;

export interface TrailWatchOptions {
  /** Milliseconds between directory scans; default 1000. */
  pollMilliseconds?: number;
  /**
   * Milliseconds a file cut short must stay unchanged before it is reported as it is
   * (a malformed file); default 60,000.
   */
  incompleteMilliseconds?: number;
  /** The files read before; default a new one in memory (every file is read). */
  ledger?: TrailLedger;
  /** The records and errors of one new or changed file. */
  onFile: (file: string, read: TrailRead) => void;
  /**
   * A file that is not read (a FIFO, a socket, a name that is no log file's, a link to
   * nothing), once per file; `more` is set on the first one past the limit of files named,
   * and later ones are not named.
   */
  onSkipped?: (file: string, reason: string, more?: boolean) => void;
  /** After every scan that ended without error. */
  onScanned?: () => void;
  onError?: (error: Error) => void;
}

/** A file waiting to be read: its version at the last scan, and since when it has it. */
interface Pending {
  version: FileVersion;
  changedAt: number;
  /** This version was read and stopped short. */
  cutShort: boolean;
}

function isSameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * @example
 * const watch = new TrailWatch('/data/AWSLogs', { onFile: (file, read) => take(read) });
 * await watch.start();
 */
export class TrailWatch {
  private readonly ledger: TrailLedger;
  /** Files not read yet; only those of the last scan are kept, so the directory bounds it. */
  private pending = new Map<string, Pending>();
  private readonly skipped = new Set<string>();
  private skippedPastLimit = false;
  private realDirectory = '';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly directory: string,
    private readonly options: TrailWatchOptions,
  ) {
    this.ledger = options.ledger ?? new TrailLedger();
  }

  /**
   * Forgets the files recorded as read that are gone or changed since (changed ones are
   * read again), then scans, and goes on scanning.
   */
  async start(): Promise<void> {
    this.realDirectory = await realpath(this.directory);
    await this.forgetGoneAndChanged(await listTrailEntries(this.directory, this.realDirectory));
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

  private async forgetGoneAndChanged(entries: readonly TrailEntry[]): Promise<void> {
    const listed = new Set<string>();
    const changed: string[] = [];
    for (const entry of entries) {
      if (entry.skipped !== undefined) continue;
      listed.add(entry.key);
      const recorded = this.ledger.versionOf(entry.key);
      const now = recorded && (await versionOf(entry.file));
      if (recorded !== undefined && now !== undefined && !isSameVersion(recorded, now))
        changed.push(entry.key);
    }
    const gone = this.ledger.keysUnder(this.realDirectory).filter((key) => !listed.has(key));
    this.ledger.remove([...gone, ...changed]);
  }

  private async scanOnce(): Promise<void> {
    const seen = new Set<string>();
    for (const entry of await listTrailEntries(this.directory, this.realDirectory)) {
      if (entry.skipped !== undefined) this.noteSkipped(entry.file, entry.skipped);
      // A link and its target are one file, read once.
      else if (!seen.has(entry.key)) {
        seen.add(entry.key);
        if (!this.ledger.has(entry.key)) await this.consider(entry.file, entry.key);
      }
    }
    for (const key of this.pending.keys()) if (!seen.has(key)) this.pending.delete(key);
  }

  /** Reads `file` once it has settled, unless it stops short and may still grow. */
  private async consider(file: string, key: string): Promise<void> {
    const version = await versionOf(file);
    if (version === undefined || this.ledger.isForgotten(version)) return;
    const now = Date.now();
    const pending = this.pending.get(key);
    if (pending === undefined || !isSameVersion(pending.version, version)) {
      this.pending.set(key, { version, changedAt: now, cutShort: false });
      return;
    }
    const waiting = now - pending.changedAt < (this.options.incompleteMilliseconds ?? 60_000);
    if (pending.cutShort && waiting) return;
    const read = readTrailBytes(await readFile(file), file);
    if (read.incomplete === true && waiting) {
      pending.cutShort = true;
      return;
    }
    this.ledger.add(key, version);
    this.pending.delete(key);
    this.options.onFile(file, read);
  }

  private noteSkipped(file: string, reason: string): void {
    if (this.skipped.has(file)) return;
    if (this.skipped.size < MAX_SKIPPED_NAMED) {
      this.skipped.add(file);
      this.options.onSkipped?.(file, reason);
    } else if (!this.skippedPastLimit) {
      this.skippedPastLimit = true;
      this.options.onSkipped?.(file, reason, true);
    }
  }
}

/** Size and modification time of `file`; undefined when it is gone. */
async function versionOf(file: string): Promise<FileVersion | undefined> {
  try {
    const info = await stat(file);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
