/**
 * The segments of one link, mapped onto the continuous timeline. A segment becomes final
 * for the captions only when every earlier segment of the link is final too: the audio up to
 * the end of that contiguous run is then safe to release from the backlog, and everything
 * after it will be re-recognised by the next link if this one dies. That keeps the promise
 * "a final caption is never removed, and nothing is shown twice". Only who spoke a final
 * caption may still change, when the service revises its speaker labels (relabel()).
 */
import type { Segment } from '../../shared/captions.js';
import type { CaptionChange } from './session-events.js';

interface Entry {
  captionId: string;
  text: string;
  /** Link-local seconds. */
  start: number;
  end: number;
  providerFinal: boolean;
  final: boolean;
  /** "Speaker A"…, as the codec named it; undefined = not known. */
  speaker: string | undefined;
  shown: Segment | null;
}

export interface SegmentInput {
  id: string;
  text: string;
  start?: number | undefined;
  end?: number | undefined;
  final: boolean;
  speaker?: string | undefined;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export class LinkSegments {
  private readonly entries = new Map<string, Entry>();
  private readonly order: string[] = [];
  private finalCount = 0;
  /** Some text of this link reached the captions. */
  private showedText = false;
  /** Link-local sample → timeline sample, piecewise: a jump where lost audio was skipped. */
  private readonly map: Array<{ local: number; timeline: number }>;

  constructor(
    private readonly linkNo: number,
    /** Timeline index of the link's first sample. */
    readonly firstSample: number,
    private readonly rate: number,
  ) {
    this.map = [{ local: 0, timeline: firstSample }];
  }

  /**
   * The link's audio skips ahead (the backlog overflowed before it was sent): from link-local
   * sample `local` on, it carries timeline sample `timeline` onwards.
   */
  jump(local: number, timeline: number): void {
    this.map.push({ local, timeline });
  }

  /**
   * Applies a provider segment. Returns the caption changes and, when the contiguous final
   * run grew, the timeline sample index where it now ends.
   */
  upsert(ev: SegmentInput, sentSeconds: number): { changes: CaptionChange[]; finalEnd: number | undefined } {
    const changes: CaptionChange[] = [];
    let e = this.entries.get(ev.id);
    if (e?.final) return { changes, finalEnd: undefined };
    if (!e) {
      const start = ev.start ?? sentSeconds;
      e = { captionId: `${this.linkNo}:${ev.id}`, text: '', start, end: start, providerFinal: false, final: false, speaker: undefined, shown: null };
      this.entries.set(ev.id, e);
      this.order.push(ev.id);
    }
    e.text = ev.text.trim();
    if (ev.start !== undefined) e.start = ev.start;
    e.end = Math.max(e.start, ev.end ?? sentSeconds);
    e.providerFinal = ev.final;
    e.speaker = ev.speaker;
    const finalEnd = this.advance(changes);
    if (!e.final) this.show(e, changes);
    return { changes, finalEnd };
  }

  /**
   * The service revised who spoke segment `id` (AssemblyAI's SpeakerRevision comes after the
   * turn is final, often just before the end of the stream). Text, times and finality stay;
   * a segment that is not on screen (withdrawn, or never shown) stays off it.
   */
  relabel(id: string, speaker: string | undefined): CaptionChange[] {
    const changes: CaptionChange[] = [];
    const e = this.entries.get(id);
    if (!e || e.speaker === speaker) return changes;
    e.speaker = speaker;
    if (e.shown) this.show(e, changes);
    return changes;
  }

  retract(id: string): { changes: CaptionChange[]; finalEnd: number | undefined } {
    const changes: CaptionChange[] = [];
    const e = this.entries.get(id);
    if (!e || e.final) return { changes, finalEnd: undefined };
    this.entries.delete(id);
    this.order.splice(this.order.indexOf(id), 1);
    if (e.shown) changes.push({ kind: 'remove', id: e.captionId });
    return { changes, finalEnd: this.advance(changes) };
  }

  /**
   * The link died. Non-final segments are withdrawn, because the next link re-recognises
   * their audio from the backlog, except those whose audio starts before `keptFrom` (the
   * backlog overflowed): they cannot be recognised again, so they are kept as they are.
   */
  retire(keptFrom: number): CaptionChange[] {
    const changes: CaptionChange[] = [];
    for (const id of this.order.slice(this.finalCount)) {
      const e = this.entries.get(id)!;
      if (this.toSample(e.start) < keptFrom) {
        e.final = true;
        this.show(e, changes);
      } else if (e.shown) {
        changes.push({ kind: 'remove', id: e.captionId });
        e.shown = null;
      }
    }
    this.finalCount = this.order.length;
    return changes;
  }

  /** End of stream without a complete flush: whatever was heard is kept as final. */
  promoteAll(): CaptionChange[] {
    const changes: CaptionChange[] = [];
    for (const id of this.order.slice(this.finalCount)) {
      const e = this.entries.get(id)!;
      e.final = true;
      this.show(e, changes);
    }
    this.finalCount = this.order.length;
    return changes;
  }

  /** Whether any text of this link was ever shown. */
  get showedAny(): boolean {
    return this.showedText;
  }

  /** The shown segments that are not final yet, as shown. */
  openShown(): Segment[] {
    const out: Segment[] = [];
    for (const id of this.order.slice(this.finalCount)) {
      const shown = this.entries.get(id)!.shown;
      if (shown && !shown.final) out.push(shown);
    }
    return out;
  }

  /** Segments not final yet. */
  get pending(): number {
    return this.order.length - this.finalCount;
  }

  private advance(changes: CaptionChange[]): number | undefined {
    let finalEnd: number | undefined;
    while (this.finalCount < this.order.length) {
      const e = this.entries.get(this.order[this.finalCount]!)!;
      if (!e.providerFinal) break;
      e.final = true;
      this.show(e, changes);
      finalEnd = this.toSample(e.end);
      this.finalCount++;
    }
    return finalEnd;
  }

  private toSample(localSeconds: number): number {
    const local = Math.round(localSeconds * this.rate);
    let m = this.map[0]!;
    for (const p of this.map) if (p.local <= local) m = p;
    return m.timeline + (local - m.local);
  }

  private toSeconds(localSeconds: number): number {
    return round3(this.toSample(localSeconds) / this.rate);
  }

  private show(e: Entry, changes: CaptionChange[]): void {
    if (!e.text) {
      if (e.shown) changes.push({ kind: 'remove', id: e.captionId });
      e.shown = null;
      return;
    }
    const start = this.toSeconds(e.start);
    const segment: Segment = { id: e.captionId, text: e.text, start, end: Math.max(start, this.toSeconds(e.end)), final: e.final, ...(e.speaker ? { speaker: e.speaker } : {}) };
    const s = e.shown;
    if (s && s.text === segment.text && s.start === segment.start && s.end === segment.end && s.final === segment.final && s.speaker === segment.speaker) return;
    e.shown = segment;
    this.showedText = true;
    changes.push({ kind: 'upsert', segment });
  }
}
