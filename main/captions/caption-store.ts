/**
 * Caption state for one run: every segment the session reported, in display order, and
 * the diffs any UI needs to follow it. The UI sees a bounded window (the newest segments);
 * final segments stay here for export however long the run is.
 */
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import type { CaptionChange } from '../stt/session-events.js';
import type { Unsubscribe } from '../util/clock.js';
import { diffSegments, isEmptyDiff, sameSegment } from './snapshot-diff.js';

export interface CaptionStoreOptions {
  /** Segments kept in the UI snapshot (the newest ones). The overlay shows at most 10 lines. */
  windowSize?: number;
}

export const DEFAULT_WINDOW_SIZE = 200;

interface Entry {
  segment: Segment;
  /** Order of first appearance; breaks ties between equal start times. */
  seq: number;
}

export class CaptionStore {
  private readonly windowSize: number;
  private readonly byId = new Map<string, Entry>();
  /** All entries, sorted by (start, seq). */
  private readonly entries: Entry[] = [];
  private nextSeq = 0;
  private revision = 0;
  private rejectedCount = 0;
  /** The window as of the last emitted diff. */
  private published: Segment[] = [];
  private readonly listeners = new Set<(diff: CaptionDiff) => void>();
  private readonly finalListeners = new Set<(change: CaptionChange) => void>();

  constructor(options: CaptionStoreOptions = {}) {
    const size = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`windowSize must be a positive integer, got ${size}`);
    this.windowSize = size;
  }

  get rev(): number {
    return this.revision;
  }

  on(listener: (diff: CaptionDiff) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Changes to the set of final segments, wherever they are (also outside the UI window):
   * an upsert when a segment becomes final or a final one is corrected, a remove when a
   * final segment is withdrawn. This is what the history journal records.
   */
  onFinalChange(listener: (change: CaptionChange) => void): Unsubscribe {
    this.finalListeners.add(listener);
    return () => {
      this.finalListeners.delete(listener);
    };
  }

  /** Applies one change; returns the emitted diff, or null when the UI window did not change. */
  apply(change: CaptionChange): CaptionDiff | null {
    return this.applyAll([change]);
  }

  /** Applies several changes (e.g. from one provider message) as one diff. */
  applyAll(changes: Iterable<CaptionChange>): CaptionDiff | null {
    let touched = false;
    for (const change of changes) {
      touched = (change.kind === 'upsert' ? this.upsert(change.segment) : this.remove(change.id)) || touched;
    }
    return touched ? this.publish() : null;
  }

  /** Starts a new run: forgets everything and emits the removals (not as final changes: history keeps them). */
  clear(): CaptionDiff | null {
    this.byId.clear();
    this.entries.length = 0;
    return this.publish();
  }

  snapshot(): CaptionSnapshot {
    return { rev: this.revision, segments: this.published.slice() };
  }

  /** Every final segment of the run, in display order, for export. */
  finalSegments(): Segment[] {
    return this.entries.filter((e) => e.segment.final).map((e) => e.segment);
  }

  /** Number of segments held (final and open), for diagnostics. */
  get size(): number {
    return this.entries.length;
  }

  /** Upserts refused because their times were not finite numbers (a session bug). */
  get rejected(): number {
    return this.rejectedCount;
  }

  private upsert(raw: Segment): boolean {
    if (!Number.isFinite(raw.start) || !Number.isFinite(raw.end)) {
      this.rejectedCount++;
      return false;
    }
    const segment: Segment = { id: raw.id, text: raw.text.trim(), start: raw.start, end: raw.end, final: raw.final };
    // Optional fields only when present, so single-source transcripts stay as they were.
    if (raw.speaker !== undefined) segment.speaker = raw.speaker;
    if (raw.source !== undefined) segment.source = raw.source;
    if (raw.label !== undefined) segment.label = raw.label;
    const old = this.byId.get(segment.id);
    if (old && sameSegment(old.segment, segment)) return false;
    if (segment.final) this.emitFinal({ kind: 'upsert', segment });
    else if (old?.segment.final) this.emitFinal({ kind: 'remove', id: segment.id });
    if (old) {
      if (old.segment.start !== segment.start) {
        this.entries.splice(this.indexOf(old), 1);
        old.segment = segment;
        this.insert(old);
      } else {
        old.segment = segment;
      }
      return true;
    }
    const entry: Entry = { segment, seq: this.nextSeq++ };
    this.byId.set(segment.id, entry);
    this.insert(entry);
    return true;
  }

  private remove(id: string): boolean {
    const entry = this.byId.get(id);
    if (!entry) return false;
    if (entry.segment.final) this.emitFinal({ kind: 'remove', id });
    this.entries.splice(this.indexOf(entry), 1);
    this.byId.delete(id);
    return true;
  }

  private emitFinal(change: CaptionChange): void {
    for (const listener of [...this.finalListeners]) listener(change);
  }

  private publish(): CaptionDiff | null {
    const window = this.entries.slice(-this.windowSize).map((e) => e.segment);
    const diff = diffSegments(this.published, window, this.revision + 1);
    if (isEmptyDiff(diff)) return null;
    this.revision = diff.rev;
    this.published = window;
    for (const listener of [...this.listeners]) listener(diff);
    return diff;
  }

  /** First index whose key is not below the entry's key. */
  private lowerBound(start: number, seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid];
      if (e.segment.start < start || (e.segment.start === start && e.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(entry: Entry): void {
    this.entries.splice(this.lowerBound(entry.segment.start, entry.seq), 0, entry);
  }

  private indexOf(entry: Entry): number {
    const i = this.lowerBound(entry.segment.start, entry.seq);
    if (this.entries[i] !== entry) throw new Error(`caption store out of order at ${entry.segment.id}`);
    return i;
  }
}
