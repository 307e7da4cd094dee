/**
 * Time and chance are injected so pacing, backoff and timeouts are exact and instant
 * under a fake clock in tests. Production code never calls Date.now, setTimeout or
 * Math.random directly.
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Monotonic milliseconds (not wall-clock time; never jumps backwards). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Returns a number in [0, 1). */
export type Random = () => number;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    // Not unref'd: a pending pacing or backoff timer is what keeps a run alive.
    return setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle;
  },
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as unknown as ReturnType<typeof setTimeout>);
  },
};

export const systemRandom: Random = () => Math.random();

/** Returns a function that removes the listener it was returned for. */
export type Unsubscribe = () => void;
