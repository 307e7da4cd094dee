/**
 * Turns caption diffs into history: each segment that becomes final (or whose final text is
 * corrected) is appended once, and a final segment the provider withdraws is recorded as
 * removed. Only finals are stored, never partials (saved transcripts full of repeated
 * partial lines are a known complaint). The sink is the journal when history is on.
 */
import type { CaptionDiff, Segment } from '../../shared/captions.js';

export interface HistorySink {
  append(segment: Segment): void;
  appendRemoval(id: string): void;
}

export class HistoryRecorder {
  /** Text last recorded per id, so an unchanged final is not written twice. */
  private readonly recorded = new Map<string, string>();
  private readonly maxTracked: number;

  constructor(private readonly sink: HistorySink, options: { maxTracked?: number } = {}) {
    this.maxTracked = options.maxTracked ?? 5000;
  }

  /** Returns the segments newly recorded (for the history window). */
  apply(diff: CaptionDiff): Segment[] {
    const added: Segment[] = [];
    for (const id of diff.removals) {
      if (this.recorded.delete(id)) this.sink.appendRemoval(id);
    }
    for (const s of diff.upserts) {
      if (!s.final || s.text.trim() === '') continue;
      if (this.recorded.get(s.id) === s.text) continue;
      this.recorded.delete(s.id);
      this.recorded.set(s.id, s.text);
      this.sink.append(s);
      added.push(s);
    }
    // Bounded: old finals are no longer revised, so forgetting them costs nothing.
    while (this.recorded.size > this.maxTracked) this.recorded.delete(this.recorded.keys().next().value!);
    return added;
  }

  reset(): void {
    this.recorded.clear();
  }
}
