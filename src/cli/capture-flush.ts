/**
 * The periodic flush of a live recording (`run -w`, `record -w`). The capture writer gathers
 * events in a 1 MiB buffer and the file stream queues more behind it, so a recorder killed
 * without its shutdown (SIGKILL, the OOM killer) left a file ending seconds before the kill,
 * on a buffer boundary. Flushing every second bounds that loss.
 *
 * LIMIT: a recorder killed without its shutdown loses the events of about the last second
 * (those since the last flush, and a flush under way), and a `.scap.gz` recording then ends
 * inside its gzip stream, which replay reports as broken after the events before the kill.
 * The flushed bytes are in the kernel's page cache: a process kill keeps them, a power loss
 * may not (there is no fsync).
 */

/** How often a live recording is flushed. */
export const CAPTURE_FLUSH_MS = 1000;

/** What the flush needs of a capture writer (`ScapWriter`). */
export interface FlushableCapture {
  flush(): Promise<void>;
}

/** Flushes a capture every `intervalMs`, never two flushes at once. */
export class CaptureFlusher {
  private readonly timer: NodeJS.Timeout;
  /** The flush under way, if one is. */
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly capture: FlushableCapture,
    intervalMs = CAPTURE_FLUSH_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs).unref();
  }

  /**
   * Starts a flush unless one is under way; resolves when the flush under way ends. A failed
   * flush is not reported here: the writer throws the stream's error at its next write and
   * at close, where the pipeline reports it.
   */
  flush(): Promise<void> {
    this.flushing ??= this.capture
      .flush()
      .catch(() => undefined)
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the flushes and waits for the one under way, so that closing the writer follows it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
  }
}
