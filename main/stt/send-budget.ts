/**
 * Rate bound for audio on the wire: a token bucket holding at most one frame, refilled at
 * `rate` samples per millisecond. Over any window of length T the link therefore carries at
 * most rate × T + one frame, which is what lets a reconnect backlog be replayed quickly
 * without the bursts that providers reject (AssemblyAI 3007, stt-protocols.md §6).
 */
export class SendBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerMs: number,
    private readonly capacity: number,
    now: number,
  ) {
    if (!(ratePerMs > 0) || !(capacity > 0)) throw new RangeError('send budget needs a positive rate and capacity');
    this.tokens = capacity;
    this.last = now;
  }

  /** Milliseconds until `samples` may be sent (0 = now). */
  waitMs(samples: number, now: number): number {
    this.refill(now);
    const need = Math.min(samples, this.capacity) - this.tokens;
    return need <= 0 ? 0 : Math.ceil(need / this.ratePerMs);
  }

  take(samples: number, now: number): void {
    this.refill(now);
    this.tokens -= samples;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.ratePerMs);
      this.last = now;
    }
  }
}
