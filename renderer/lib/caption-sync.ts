/**
 * Keeps the page's copy of the caption state in step with main: applies diffs in rev order,
 * asks for a snapshot at start and whenever a rev is missing, and holds the diffs that arrive
 * while a snapshot is on its way (bounded; overflow is counted and healed by the next gap).
 * Framework-free so it is tested in Node; the Svelte store wraps it.
 */
import { applyDiff, EMPTY_SNAPSHOT, type CaptionDiff, type CaptionSnapshot } from '../../shared/captions.js';
import { isCaptionDiff, isCaptionSnapshot } from './payload-guards.js';

export interface CaptionSyncDeps {
  getSnapshot(): Promise<CaptionSnapshot>;
  onChange(snapshot: CaptionSnapshot, cause: 'diff' | 'snapshot'): void;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
  /** Segments kept; older final ones are dropped (they scrolled away long ago). */
  maxSegments?: number;
  maxPending?: number;
}

export interface CaptionSyncStats {
  diffsApplied: number;
  staleDiffs: number;
  malformed: number;
  gaps: number;
  snapshotsRequested: number;
  snapshotErrors: number;
  pendingDropped: number;
  segmentsPruned: number;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export class CaptionSync {
  snapshot: CaptionSnapshot = EMPTY_SNAPSHOT;
  readonly stats: CaptionSyncStats = {
    diffsApplied: 0, staleDiffs: 0, malformed: 0, gaps: 0, snapshotsRequested: 0,
    snapshotErrors: 0, pendingDropped: 0, segmentsPruned: 0,
  };
  private inFlight = false;
  private pending: CaptionDiff[] = [];
  private retryMs = RETRY_MIN_MS;
  private cancelRetry: (() => void) | null = null;
  private disposed = false;
  private readonly maxSegments: number;
  private readonly maxPending: number;

  constructor(private readonly deps: CaptionSyncDeps) {
    this.maxSegments = deps.maxSegments ?? 400;
    this.maxPending = deps.maxPending ?? 1000;
  }

  start(): void {
    this.requestSnapshot();
  }

  handleDiff(diff: unknown): void {
    if (this.disposed) return;
    if (!isCaptionDiff(diff)) {
      this.stats.malformed++;
      return;
    }
    if (this.inFlight || this.cancelRetry) {
      this.hold(diff);
      return;
    }
    if (this.apply(diff) === 'gap') {
      this.hold(diff);
      this.requestSnapshot();
    }
  }

  /** Asks main for the full state; diffs that arrive meanwhile are held and replayed. */
  requestSnapshot(): void {
    if (this.disposed || this.inFlight) return;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.inFlight = true;
    this.stats.snapshotsRequested++;
    this.deps.getSnapshot().then(
      (snap) => this.receive(snap),
      () => this.failed(),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.pending = [];
  }

  private receive(snap: unknown): void {
    this.inFlight = false;
    if (this.disposed) return;
    if (!isCaptionSnapshot(snap)) {
      this.stats.malformed++;
      this.failed();
      return;
    }
    this.retryMs = RETRY_MIN_MS;
    // Main's snapshot is the truth, even with a lower rev (main may have restarted its count).
    this.snapshot = this.prune(snap);
    const held = this.pending;
    this.pending = [];
    this.deps.onChange(this.snapshot, 'snapshot');
    for (let i = 0; i < held.length; i++) {
      if (this.apply(held[i]!) === 'gap') {
        // A diff is still missing between the snapshot and what we hold: ask again shortly.
        this.pending = held.slice(i);
        this.retryLater(RETRY_MIN_MS);
        return;
      }
    }
  }

  private failed(): void {
    this.inFlight = false;
    if (this.disposed) return;
    this.stats.snapshotErrors++;
    this.retryLater(this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  private retryLater(ms: number): void {
    this.cancelRetry?.();
    this.cancelRetry = this.deps.schedule(() => {
      this.cancelRetry = null;
      this.requestSnapshot();
    }, ms);
  }

  private apply(diff: CaptionDiff): 'applied' | 'stale' | 'gap' {
    const next = applyDiff(this.snapshot, diff);
    if (next === null) {
      this.stats.gaps++;
      return 'gap';
    }
    if (next === this.snapshot) {
      this.stats.staleDiffs++;
      return 'stale';
    }
    this.stats.diffsApplied++;
    this.snapshot = this.prune(next);
    this.deps.onChange(this.snapshot, 'diff');
    return 'applied';
  }

  private hold(diff: CaptionDiff): void {
    this.pending.push(diff);
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.stats.pendingDropped++;
    }
  }

  /** Drops the oldest final segments beyond the limit; open ones always stay. */
  private prune(snap: CaptionSnapshot): CaptionSnapshot {
    const n = snap.segments.length;
    if (n <= this.maxSegments) return snap;
    const cut = n - Math.floor(this.maxSegments * 0.75);
    const segments = snap.segments.filter((s, i) => i >= cut || !s.final);
    this.stats.segmentsPruned += n - segments.length;
    return { rev: snap.rev, segments };
  }
}
