/**
 * Detects audio the driver lost, from samples delivered versus the clock.
 *
 * naudiodon with closeOnError:false only printf's an input overflow, so this is the only way to
 * know. Idea: deficit(t) = wall time since the first chunk − audio time delivered since. Delivery is
 * bursty and the event loop jitters, but the *minimum* deficit over a few seconds is stable (it is the
 * best-case latency). Lost samples raise that minimum for good; a stall only delays delivery, and the
 * minimum comes back once the queued audio drains. So: compare the minimum over the last two windows
 * with a baseline; a rise above `thresholdMs` is a loss. Smaller rises are absorbed into the baseline,
 * which is how the slow drift between the sound card's crystal and the system clock (~0.1 ms/s) is
 * tolerated. Losses shorter than the threshold go unnoticed, a documented limit.
 */

export interface GapDetectorOptions {
  windowMs?: number;
  thresholdMs?: number;
}

export class GapDetector {
  private readonly windowMs: number;
  private readonly thresholdMs: number;
  private t0 = -1;
  private deliveredMs = 0;
  private windowStart = 0;
  private windowMin = Number.POSITIVE_INFINITY;
  private prevWindowMin = Number.POSITIVE_INFINITY;
  private baseline: number | null = null;

  constructor(
    private readonly sampleRate: number,
    opts: GapDetectorOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 2000;
    this.thresholdMs = opts.thresholdMs ?? 40;
  }

  /** Record `frames` arriving at `nowMs`; returns the milliseconds just found lost (usually 0). */
  onFrames(frames: number, nowMs: number): number {
    if (this.t0 < 0) {
      // The first chunk was captured before it arrived: time starts now, with nothing owed.
      this.t0 = nowMs;
      this.windowStart = nowMs;
      this.windowMin = 0;
      return 0;
    }
    this.deliveredMs += (frames * 1000) / this.sampleRate;
    this.windowMin = Math.min(this.windowMin, nowMs - this.t0 - this.deliveredMs);
    if (nowMs - this.windowStart < this.windowMs) return 0;

    const m = Math.min(this.windowMin, this.prevWindowMin);
    this.prevWindowMin = this.windowMin;
    this.windowMin = Number.POSITIVE_INFINITY;
    this.windowStart = nowMs;
    if (this.baseline === null) {
      this.baseline = m;
      return 0;
    }
    const rise = m - this.baseline;
    // Either way the baseline follows: drift and jitter are absorbed, a loss is reported once.
    this.baseline = m;
    return rise > this.thresholdMs ? rise : 0;
  }
}
