/**
 * Retry delays: exponential backoff with "equal jitter", so outputs that failed together do
 * not retry in lockstep, yet never wait less than half the nominal delay.
 */

/** Retry timing of one output, in milliseconds. */
export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 60_000 };

/**
 * The delay before retry number `failures` (1 for the first retry): the nominal delay
 * `initial * 2^(failures-1)` capped at `max`, then a random point in its upper half.
 */
export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const nominal = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return nominal / 2 + (random() * nominal) / 2;
}
