import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Backoff, backoffCeiling, DEFAULT_BACKOFF, fullJitterDelay } from '../../../main/stt/backoff.js';

const opts = { baseMs: 500, capMs: 10_000, minUptimeMs: 5_000 };

describe('backoff', () => {
  test('ceiling doubles from the base and stops at the cap', () => {
    const table = Array.from({ length: 8 }, (_, n) => backoffCeiling(n, opts));
    expect(table).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(backoffCeiling(5000, opts)).toBe(10_000);
  });

  test('full jitter spans [0, ceiling)', () => {
    expect(fullJitterDelay(3, opts, () => 0)).toBe(0);
    expect(fullJitterDelay(3, opts, () => 0.5)).toBe(2000);
    expect(fullJitterDelay(3, opts, () => 0.999999)).toBe(3999);
    fc.assert(
      fc.property(fc.nat(60), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const d = fullJitterDelay(n, opts, () => r);
        return d >= 0 && d < Math.max(1, backoffCeiling(n, opts)) && d <= opts.capMs;
      }),
    );
  });

  test('consecutive failures grow the ceiling; a healthy link resets it', () => {
    const b = new Backoff(opts, () => 0.999);
    const delays = [b.nextDelay(undefined), b.nextDelay(undefined), b.nextDelay(1_000), b.nextDelay(4_999)];
    expect(delays).toEqual([499, 999, 1998, 3996]);
    expect(b.attempt).toBe(4);
    // Stayed up 5 s: back to the first step.
    expect(b.nextDelay(5_000)).toBe(499);
    expect(b.attempt).toBe(1);
  });

  test('a link that dies within seconds of opening counts as a failure', () => {
    const b = new Backoff(opts, () => 0.999);
    for (let i = 0; i < 10; i++) b.nextDelay(2_000);
    expect(b.nextDelay(2_000)).toBe(9990);
  });

  test('defaults: base 500 ms, cap 10 s, min uptime 5 s', () => {
    expect(DEFAULT_BACKOFF).toEqual(opts);
  });
});
