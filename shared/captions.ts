/**
 * Caption state as every UI sees it: ordered segments on one continuous timeline,
 * changed by diffs that carry a revision number so a consumer can detect a gap
 * and ask for a snapshot instead.
 */
export interface Segment {
  /** Stable for the whole run, unique across reconnects (e.g. "2:14" = session 2, provider id 14). */
  id: string;
  /** Trimmed text. */
  text: string;
  /** Seconds on the continuous timeline (0 = first captured sample). */
  start: number;
  end: number;
  /** True once the provider will not change it any more. */
  final: boolean;
  /** Who spoke, when the service tells ("Speaker A"); absent when unknown. */
  speaker?: string;
  /** The source term exactly as given (`mic`, `system`, `device:ID`, `file:PATH`). */
  source?: string;
  /**
   * Who the line is from, as shown (meetings: "You", "Others", or the service's speaker label
   * within a stream); absent when a run has one source and nobody to tell apart.
   */
  label?: string;
}

export interface CaptionDiff {
  /** Revision after applying this diff; consecutive diffs have consecutive revs. */
  rev: number;
  upserts: Segment[];
  removals: string[];
}

export interface CaptionSnapshot {
  rev: number;
  /** In display order: by start time, ties by the order they first appeared. */
  segments: Segment[];
}

export const EMPTY_SNAPSHOT: CaptionSnapshot = { rev: 0, segments: [] };

/** Orders segments for display. Stable: equal starts keep their relative order. */
export function compareSegments(a: Segment, b: Segment): number {
  return a.start - b.start;
}

/**
 * Applies a diff to a snapshot and returns the new snapshot, or `null` when the diff
 * does not follow the snapshot's revision (the caller must then request a snapshot).
 * A diff at or below the current revision is stale and leaves the snapshot as is.
 */
export function applyDiff(snapshot: CaptionSnapshot, diff: CaptionDiff): CaptionSnapshot | null {
  if (diff.rev <= snapshot.rev) return snapshot;
  if (diff.rev !== snapshot.rev + 1) return null;
  const removed = new Set(diff.removals);
  const byId = new Map<string, Segment>();
  const order: string[] = [];
  for (const s of snapshot.segments) {
    if (removed.has(s.id)) continue;
    byId.set(s.id, s);
    order.push(s.id);
  }
  for (const s of diff.upserts) {
    if (!byId.has(s.id)) order.push(s.id);
    byId.set(s.id, s);
  }
  const segments = order.map((id) => byId.get(id)!);
  segments.sort(compareSegments);
  return { rev: diff.rev, segments };
}

/** The transcript text of final segments, as exported. */
export function finalText(segments: readonly Segment[]): string {
  return segments.filter((s) => s.final && s.text).map((s) => s.text).join(' ');
}
