/**
 * Fires once when captions have not changed for `seconds` (0 = never). Re-armed by every
 * caption change; a late timer checks the clock instead of trusting that it fired on time.
 */
export interface TimerPort {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export class SilenceTimer {
  private seconds = 0;
  private lastActivity: number;
  private handle: unknown = null;
  private fired = true;

  constructor(private readonly timers: TimerPort, private readonly onSilence: () => void) {
    this.lastActivity = timers.now();
  }

  /** Changes the delay; counts from the last activity, not from now. */
  setDelay(seconds: number): void {
    if (seconds === this.seconds) return;
    this.seconds = seconds;
    this.arm();
  }

  /** Captions changed. */
  activity(): void {
    this.lastActivity = this.timers.now();
    this.fired = false;
    this.arm();
  }

  dispose(): void {
    this.disarm();
    this.fired = true;
  }

  private arm(): void {
    this.disarm();
    if (this.fired || this.seconds <= 0) return;
    const due = this.lastActivity + this.seconds * 1000;
    this.handle = this.timers.setTimeout(() => this.check(), Math.max(0, due - this.timers.now()));
  }

  private check(): void {
    this.handle = null;
    if (this.fired || this.seconds <= 0) return;
    if (this.timers.now() - this.lastActivity < this.seconds * 1000) {
      this.arm();
      return;
    }
    this.fired = true;
    this.onSilence();
  }

  private disarm(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }
}
