/**
 * Reconnect delays: exponential backoff with full jitter (delay = random × min(cap, base × 2^n)),
 * so many clients that lost the same server do not come back in lockstep. The attempt
 * counter resets only after a link stayed up for `minUptimeMs`: a link that opens and dies
 * within seconds (bad config, overloaded server) counts as a failure, not a success.
 */
import type { Random } from '../util/clock.js';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A link that lived at least this long resets the attempt counter. */
  minUptimeMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 10_000, minUptimeMs: 5_000 };

/** Upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, options: Pick<BackoffOptions, 'baseMs' | 'capMs'>): number {
  // 2^attempt overflows to Infinity for huge attempts; min() keeps it at the cap.
  return Math.min(options.capMs, options.baseMs * Math.pow(2, Math.max(0, attempt)));
}

export function fullJitterDelay(attempt: number, options: Pick<BackoffOptions, 'baseMs' | 'capMs'>, random: Random): number {
  return Math.floor(random() * backoffCeiling(attempt, options));
}

export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: Random,
  ) {}

  /** Consecutive failed attempts since the last healthy link. */
  get attempt(): number {
    return this.failures;
  }

  /**
   * A link ended (or never opened: `uptimeMs` undefined). Returns the delay before the next
   * attempt.
   */
  nextDelay(uptimeMs: number | undefined): number {
    if (uptimeMs !== undefined && uptimeMs >= this.options.minUptimeMs) this.failures = 0;
    const delay = fullJitterDelay(this.failures, this.options, this.random);
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
