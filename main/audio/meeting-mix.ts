/**
 * A meeting's kept audio: both sides mixed into one track, so "Improve transcript" can send
 * one recording of the whole conversation (the microphone after echo cancelling, so the
 * others are not in it twice).
 *
 * The two sides come from two devices, in frames that arrive in no fixed order. Each side's
 * samples are queued and mixed once both have them. A side that started later is lined up by
 * when its first audio arrived (silence before it). A side that falls more than `maxLagSeconds`
 * behind (its device stopped, or failed to open) is taken as silence for that stretch, so the
 * other side is never held back without bound; when it comes back, its audio is placed by
 * when it arrived again. Memory is bounded by `maxLagSeconds` per side.
 */
import type { Clock } from '../util/clock.js';

export interface MeetingMixOptions {
  sides: number;
  rate: number;
  clock: Clock;
  write(pcm: Int16Array): void;
  maxLagSeconds?: number;
}

export const DEFAULT_MAX_LAG_SECONDS = 2;
/** A side whose audio resumes this much later than where it ended had an outage, not jitter. */
const GAP_SECONDS = 0.3;

export class MeetingMix {
  private readonly queues: Int16Array[][];
  private readonly queued: number[];
  private readonly maxLag: number;
  private readonly gap: number;
  private startedAt: number | undefined;
  private readonly started: boolean[];
  /** Samples of each side already mixed (or stood in for by silence). */
  private mixed = 0;

  constructor(private readonly opts: MeetingMixOptions) {
    this.queues = Array.from({ length: opts.sides }, () => []);
    this.queued = new Array<number>(opts.sides).fill(0);
    this.started = new Array<boolean>(opts.sides).fill(false);
    this.maxLag = Math.round((opts.maxLagSeconds ?? DEFAULT_MAX_LAG_SECONDS) * opts.rate);
    this.gap = Math.round(GAP_SECONDS * opts.rate);
  }

  push(side: number, pcm: Int16Array): void {
    if (pcm.length === 0) return;
    const now = this.opts.clock.now();
    // The mix's time 0 is when the first audio began (a frame ends when it arrives).
    this.startedAt ??= now - (pcm.length * 1000) / this.opts.rate;
    // Where this audio belongs: it ends now. A side that began later, or comes back after its
    // device stopped, starts there (after silence), not where its last audio ended. Ordinary
    // jitter (frames arriving in bursts) is well under GAP_SECONDS and changes nothing.
    const belongsAt = Math.round(((now - this.startedAt) * this.opts.rate) / 1000) - pcm.length;
    const endsAt = this.mixed + this.queued[side]!;
    const gap = belongsAt - endsAt;
    if (gap > 0 && (!this.started[side] || gap > this.gap)) this.enqueue(side, new Int16Array(gap));
    this.started[side] = true;
    this.enqueue(side, pcm.slice());
    this.drain(false);
  }

  /** Mixes out everything still queued (the meeting ended); a side with less is padded with silence. */
  flush(): void {
    this.drain(true);
  }

  private enqueue(side: number, pcm: Int16Array): void {
    this.queues[side]!.push(pcm);
    this.queued[side]! += pcm.length;
  }

  private drain(all: boolean): void {
    const most = Math.max(...this.queued);
    const least = Math.min(...this.queued);
    // Both sides' audio where both have it; past the allowed lag, silence for the one behind.
    const n = all ? most : Math.max(least, most - this.maxLag);
    if (n <= 0) return;
    const out = new Int16Array(n);
    const sum = new Int32Array(n);
    for (let side = 0; side < this.queues.length; side++) this.take(side, n, sum);
    for (let i = 0; i < n; i++) out[i] = sum[i]! > 32767 ? 32767 : sum[i]! < -32768 ? -32768 : sum[i]!;
    this.mixed += n;
    this.opts.write(out);
  }

  /** Adds up to `n` of this side's samples into `sum`; what it lacks stays silence. */
  private take(side: number, n: number, sum: Int32Array): void {
    const queue = this.queues[side]!;
    let filled = 0;
    while (filled < n && queue.length) {
      const head = queue[0]!;
      const k = Math.min(head.length, n - filled);
      for (let i = 0; i < k; i++) sum[filled + i]! += head[i]!;
      filled += k;
      if (k === head.length) queue.shift();
      else queue[0] = head.subarray(k);
    }
    this.queued[side] = Math.max(0, this.queued[side]! - n);
  }
}
