/**
 * Backpressure from the session to the file pacer. A file can be read far faster than a
 * link takes it (--speed 50 outruns a busy event loop or a slow server), and audio the
 * session has not sent yet sits in its bounded backlog: left alone, the backlog overflows
 * and audio is dropped on a perfectly healthy connection. Instead the pacer waits while
 * the unsent audio passes half the backlog, and the person is told that the file is read
 * slower than asked (once when it starts, and the speed actually reached at the end).
 * Live sources never wait: their capture cannot be slowed down.
 */
import { errorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { SessionStats } from '../stt/session-events.js';
import type { Clock } from '../util/clock.js';

export interface SpeedGovernorOptions {
  /** The asked --speed. */
  speed: number;
  /** Samples per second of the session's audio. */
  rate: number;
  /** The session's backlog size; unsent audio is kept below half of it. */
  backlogSeconds: number;
  stats: () => SessionStats;
  clock: Clock;
  warn: (error: ErrorInfo) => void;
}

export class SpeedGovernor {
  private readonly limit: number;
  private startedAt: number | undefined;
  private heldMs = 0;
  private warned = false;

  constructor(private readonly o: SpeedGovernorOptions) {
    this.limit = Math.floor((o.backlogSeconds * o.rate) / 2);
  }

  /** Unsent audio (samples) the session holds. */
  private unsent(): number {
    const s = this.o.stats();
    return s.capturedSamples - s.sentSamples;
  }

  readonly ready = (): boolean => {
    this.startedAt ??= this.o.clock.now();
    return this.unsent() < this.limit;
  };

  readonly onHold = ({ totalHeldMs }: { heldMs: number; totalHeldMs: number }): void => {
    this.heldMs = totalHeldMs;
    if (this.warned) return;
    this.warned = true;
    this.o.warn(
      errorInfo('SPEED_REDUCED', `${(this.limit / this.o.rate).toFixed(0)} s of audio were waiting to be sent at --speed ${this.o.speed}; reading slower so that nothing is dropped`),
    );
  };

  /** At the end of the file: the speed reached, if it was reduced. */
  summarize(): void {
    if (!this.warned || this.startedAt === undefined) return;
    const wallS = (this.o.clock.now() - this.startedAt) / 1000;
    const stats = this.o.stats();
    const reached = wallS > 0 ? stats.capturedSamples / this.o.rate / wallS : this.o.speed;
    const held = `the file was read at about ${reached.toFixed(1)}× instead of ${this.o.speed}×, after waiting ${(this.heldMs / 1000).toFixed(1)} s in all for the speech service`;
    // Only a claim that is true: a link that really failed for long may still have lost audio.
    this.o.warn(errorInfo('SPEED_REDUCED', stats.droppedSamples === 0 ? `${held}; no audio was dropped` : held));
  }
}
