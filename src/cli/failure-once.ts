/**
 * A source that retries on a timer (an audit log every 200 ms, a CloudTrail scan every second)
 * meets a lasting failure at every try: it is logged once, and again only once the source has
 * worked in between or fails another way.
 */
export class FailureOnce {
  private lastFailure: string | undefined;

  constructor(private readonly log: (error: Error) => void) {}

  /** Logs `error` unless it is the failure logged last, with no success since. */
  failed(error: Error): void {
    if (error.message === this.lastFailure) return;
    this.lastFailure = error.message;
    this.log(error);
  }

  /** The source worked: its next failure is logged, even the same one. */
  succeeded(): void {
    this.lastFailure = undefined;
  }
}
