/**
 * Merges caption diffs to the display rate, so a burst of provider messages becomes one
 * IPC message or one SSE event. Downstream revisions are the coalescer's own and are
 * consecutive; serve snapshots from `snapshot()` here (not from the store) so a consumer's
 * snapshot and the diffs it then receives share one revision sequence.
 */
import { applyDiff, type CaptionDiff, type CaptionSnapshot } from '../../shared/captions.js';
import type { Clock, TimerHandle, Unsubscribe } from '../util/clock.js';
import { diffSegments, isEmptyDiff } from './snapshot-diff.js';

export interface DiffSource {
  on(listener: (diff: CaptionDiff) => void): Unsubscribe;
  snapshot(): CaptionSnapshot;
}

export interface DiffCoalescerOptions {
  clock: Clock;
  /** Minimum time between emitted diffs; default 33 ms (30 per second). */
  intervalMs?: number;
}

export const DEFAULT_COALESCE_MS = 33;

export class DiffCoalescer {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly listeners = new Set<(diff: CaptionDiff) => void>();
  private readonly unsubscribe: Unsubscribe;
  /** The source's state as last seen, in the source's revisions. */
  private latest: CaptionSnapshot;
  /** What downstream consumers have, in this coalescer's revisions. */
  private emitted: CaptionSnapshot;
  private timer: TimerHandle | undefined;
  private lastEmitAt = -Infinity;
  private closed = false;
  private resyncs = 0;

  constructor(private readonly source: DiffSource, options: DiffCoalescerOptions) {
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? DEFAULT_COALESCE_MS;
    if (!(this.intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0, got ${this.intervalMs}`);
    this.latest = source.snapshot();
    this.emitted = { rev: this.latest.segments.length > 0 ? 1 : 0, segments: this.latest.segments };
    this.unsubscribe = source.on((diff) => this.receive(diff));
  }

  on(listener: (diff: CaptionDiff) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Current state in downstream revisions; pending changes are emitted first. */
  snapshot(): CaptionSnapshot {
    this.flush();
    return { rev: this.emitted.rev, segments: this.emitted.segments.slice() };
  }

  /** Times the source skipped a revision and was re-read whole (should stay 0). */
  get resyncCount(): number {
    return this.resyncs;
  }

  /** Emits pending changes now. Returns the emitted diff, or null when nothing changed. */
  flush(): CaptionDiff | null {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return null;
    const diff = diffSegments(this.emitted.segments, this.latest.segments, this.emitted.rev + 1);
    if (isEmptyDiff(diff)) return null;
    this.emitted = { rev: diff.rev, segments: this.latest.segments };
    this.lastEmitAt = this.clock.now();
    for (const listener of [...this.listeners]) listener(diff);
    return diff;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    this.listeners.clear();
  }

  private receive(diff: CaptionDiff): void {
    if (this.closed) return;
    const next = applyDiff(this.latest, diff);
    if (next) {
      this.latest = next;
    } else {
      this.resyncs++;
      this.latest = this.source.snapshot();
    }
    if (this.timer !== undefined) return;
    // A timer even when the interval has passed: changes from one provider message arrive
    // synchronously one after another and should leave as one diff.
    const wait = Math.max(0, this.lastEmitAt + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
