/**
 * Follows a JSON-lines log file (a Kubernetes audit log) as it grows, like `tail -F`: new
 * complete lines are handed on with their line number; when the file is renamed away and a
 * new one created (rotation), the rest of the old file is read before the new one from its
 * start; when it shrinks (copy-truncate rotation), reading starts over from the top.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface FollowOptions {
  /** Read the lines already in the file first; default false (start at its end, as Falco). */
  fromStart?: boolean;
  /** Milliseconds between checks; default 200. */
  pollMilliseconds?: number;
  /**
   * Called once per complete, non-empty line. `line` counts from 1 in the current file, or,
   * when following began at the end of a file, from 1 at that point (the lines skipped are
   * not counted, so a large log is not read just to number them).
   */
  onLine: (text: string, line: number) => void;
  /** A read failed; following goes on at the next check. */
  onError?: (error: Error) => void;
}

interface OpenFile {
  handle: FileHandle;
  inode: number;
  offset: number;
  line: number;
  partial: string;
}

/**
 * @example
 * const follower = new LineFollower('/var/log/kube-audit.log', { onLine: (text, line) => take(text, line) });
 * await follower.start();
 */
export class LineFollower {
  private current: OpenFile | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly path: string,
    private readonly options: FollowOptions,
  ) {}

  /** Opens the file (if it exists yet) and starts checking it. */
  async start(): Promise<void> {
    this.current = await this.openCurrent(!this.options.fromStart);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMilliseconds ?? 200);
  }

  /** Reads what is new now, without waiting for the next check. */
  poll(): Promise<void> {
    this.running = this.running
      .then(() => this.check())
      .catch((error: unknown) => this.options.onError?.(error as Error));
    return this.running;
  }

  /** Stops checking and closes the file; a partial last line is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.current?.handle.close();
    this.current = undefined;
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const onDisk = await stat(this.path).catch(() => undefined);
    if (this.current === undefined) {
      if (onDisk !== undefined) this.current = await this.openCurrent(false);
      if (this.current !== undefined) await this.readNew(this.current);
      return;
    }
    if (onDisk !== undefined && onDisk.ino !== this.current.inode) {
      // Rotated: finish the old file, then start the new one from its first line.
      await this.readNew(this.current);
      await this.current.handle.close();
      this.current = await this.openCurrent(false);
    } else if (onDisk !== undefined && onDisk.size < this.current.offset) {
      Object.assign(this.current, { offset: 0, line: 0, partial: '' });
    }
    if (this.current !== undefined) await this.readNew(this.current);
  }

  private async openCurrent(atEnd: boolean): Promise<OpenFile | undefined> {
    const handle = await open(this.path, 'r').catch(() => undefined);
    if (handle === undefined) return undefined;
    const info = await handle.stat();
    return { handle, inode: info.ino, offset: atEnd ? info.size : 0, line: 0, partial: '' };
  }

  private async readNew(file: OpenFile): Promise<void> {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.offset);
      if (bytesRead === 0) return;
      file.offset += bytesRead;
      this.takeText(file, buffer.subarray(0, bytesRead).toString('latin1'));
    }
  }

  private takeText(file: OpenFile, chunk: string): void {
    // Chunks are split as latin1 so no UTF-8 sequence is cut; lines are decoded whole.
    const pieces = (file.partial + chunk).split('\n');
    file.partial = pieces.pop() ?? '';
    for (const piece of pieces) {
      file.line++;
      const text = Buffer.from(piece, 'latin1').toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') this.options.onLine(text, file.line);
    }
  }
}
