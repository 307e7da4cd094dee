/**
 * Caption lines, laid out in code rather than by the browser, so that finished words never
 * move. Words are wrapped greedily: a line's content depends only on the words before it and
 * the first word of the next line, so appending or rewriting the open (partial) tail can only
 * change the tail; every final word keeps its line and x offset. Text is left-aligned for the
 * same reason (centring would shift a line whenever a word is added to it).
 *
 * Meetings (two sources at once): a line never mixes two streams (a change of source or label
 * starts a new line), and each line carries its label ("You", "Others", drawn at its start when
 * labels are shown, so it is measured as part of the line) and its stream's colour slot.
 * Finished lines are in start-time order and open ones follow them (see order()): a line that
 * finishes late (a slower service, the echo check) goes below what is finished instead of
 * re-wrapping it.
 *
 * Pure: the caller injects `measure` (canvas measureText in the page, a fake in tests).
 */
import type { Segment } from '../../shared/captions.js';
import { safeText } from '../../shared/safe-text.js';

export type Measure = (text: string) => number;

export interface Run {
  text: string;
  final: boolean;
}

export interface CaptionLine {
  /** Stable while the line exists: the segment id and word index of its first word. */
  key: string;
  runs: Run[];
  /** Who said it (meetings): shown at the start of the line when labels are on. */
  label?: string;
  /** The stream's colour: 0 = the microphone (first stream), 1 = system audio (second). */
  slot?: 0 | 1;
}

/** What a line draws before its words when labels are on (measured with the line). */
export function labelPrefix(label: string): string {
  return `${safeText(label)}: `;
}

interface Word {
  text: string;
  width: number;
  final: boolean;
  /** True for every word before the first non-final one: these never change again. */
  stable: boolean;
  seg: string;
  start: number;
  index: number;
  /** A piece of an over-long word: joins the previous piece without a space. */
  glued: boolean;
  /** Which stream said it: a line holds words of one stream only. */
  stream: string;
  label: string | undefined;
}

interface Anchor {
  seg: string;
  /** The segment's place in the order (see order()). */
  start: number;
  index: number;
}

/** Where a segment sits in the order (fixed once it is final); seq breaks ties. */
interface Place {
  key: number;
  seq: number;
  /** Placed among the finished segments. */
  final: boolean;
}

const WIDTH_CACHE_LIMIT = 8000;
/** Lines kept above the anchor's reach, so raising the line count (up to 10) shows history at once. */
const LINES_KEPT = 10;

const graphemes = (() => {
  const Seg = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  if (!Seg) return (s: string) => Array.from(s);
  const seg = new Seg(undefined, { granularity: 'grapheme' });
  return (s: string) => Array.from(seg.segment(s), (x) => x.segment);
})();

export class CaptionLayout {
  private measure: Measure;
  private widths = new Map<string, number>();
  private maxWidth = 0;
  private anchor: Anchor | null = null;
  /** Segments cleared after silence, with the text they had; a changed text shows again. */
  private hidden = new Map<string, string>();
  /** Most lines seen since the anchor: a shrinking tail leaves a blank line, not a jump. */
  private highWater = 0;
  /** Words wrapped by the last layout(): stays small however long the session runs. */
  wordsLaidOut = 0;
  private showLabels = true;
  private places = new Map<string, Place>();
  private nextSeq = 0;
  /** Colour slot per source term: the microphone 0, system audio 1, others as they come. */
  private slots = new Map<string, 0 | 1>([['mic', 0], ['system', 1]]);

  constructor(measure: Measure) {
    this.measure = measure;
  }

  /** A new font, size or spacing: every width is stale. */
  setMeasure(measure: Measure): void {
    this.measure = measure;
    this.widths.clear();
    this.reflow();
  }

  /** Labels take room at the start of each line: turning them on or off rewraps. */
  setShowLabels(on: boolean): void {
    if (on === this.showLabels) return;
    this.showLabels = on;
    this.reflow();
  }

  setWidth(px: number): void {
    if (px === this.maxWidth) return;
    this.maxWidth = px;
    this.reflow();
  }

  /** Hides everything shown now (clear after silence); new text starts on a fresh line. */
  clear(segments: readonly Segment[]): void {
    this.hidden = new Map(segments.map((s) => [s.id, s.text]));
    this.anchor = null;
    this.highWater = 0;
  }

  /** The last `maxLines` lines, newest at the bottom. */
  layout(segments: readonly Segment[], maxLines: number): CaptionLine[] {
    const words = this.wordsFrom(this.visible(this.order(segments)));
    this.wordsLaidOut = words.length;
    const lines = this.wrap(words);
    this.highWater = Math.max(this.highWater, lines.length);
    const first = Math.max(0, this.highWater - maxLines);
    const out: CaptionLine[] = [];
    for (let i = first; i < this.highWater; i++) {
      const line = lines[i];
      out.push(line ? this.toCaptionLine(line) : { key: `pad:${i - lines.length}`, runs: [] });
    }
    this.advanceAnchor(lines, Math.max(0, this.highWater - Math.max(maxLines, LINES_KEPT)));
    return out;
  }

  private reflow(): void {
    this.highWater = 0;
    if (this.anchor) this.anchor.index = 0;
  }

  /**
   * Finished segments in start-time order, then the open (partial) ones. A segment takes its
   * place among the finished ones when it is first seen final, never before one that was
   * already finished then: finished lines never re-wrap or move down, whichever stream is
   * slower. With one source this is plain start-time order (the open segment is the last).
   */
  private order(segments: readonly Segment[]): Segment[] {
    let floor = Number.NEGATIVE_INFINITY;
    for (const s of segments) {
      const p = this.places.get(s.id);
      if (p?.final && p.key > floor) floor = p.key;
    }
    let sorted = true;
    let prev: Place | undefined;
    for (const s of segments) {
      let p = this.places.get(s.id);
      if (!p || (s.final && !p.final)) {
        p = s.final ? { key: Math.max(s.start, floor), seq: this.nextSeq++, final: true } : { key: s.start, seq: this.nextSeq++, final: false };
        if (p.final) floor = p.key;
        this.places.set(s.id, p);
      }
      if (prev && before(p, prev)) sorted = false;
      prev = p;
    }
    if (this.places.size > 2 * segments.length + 200) {
      const present = new Set(segments.map((s) => s.id));
      for (const id of this.places.keys()) if (!present.has(id)) this.places.delete(id);
    }
    if (sorted) return segments as Segment[];
    return [...segments].sort((a, b) => {
      const pa = this.places.get(a.id)!;
      const pb = this.places.get(b.id)!;
      return before(pa, pb) ? -1 : before(pb, pa) ? 1 : 0;
    });
  }

  private visible(segments: readonly Segment[]): Segment[] {
    if (this.hidden.size === 0) return segments.filter((s) => s.text !== '');
    const present = new Set<string>();
    const out: Segment[] = [];
    for (const s of segments) {
      present.add(s.id);
      const was = this.hidden.get(s.id);
      if (was !== undefined && was === s.text) continue;
      if (was !== undefined) this.hidden.delete(s.id);
      if (s.text !== '') out.push(s);
    }
    for (const id of this.hidden.keys()) if (!present.has(id)) this.hidden.delete(id);
    return out;
  }

  private wordsFrom(segments: readonly Segment[]): Word[] {
    let from = 0;
    let skip = 0;
    if (this.anchor) {
      const a = this.anchor;
      const at = segments.findIndex((s) => s.id === a.seg);
      if (at >= 0) {
        from = at;
        skip = a.index;
      } else {
        // The anchor segment was removed: start at what followed it.
        const next = segments.findIndex((s) => (this.places.get(s.id)?.key ?? s.start) >= a.start);
        from = next >= 0 ? next : segments.length;
        this.anchor = null;
        this.highWater = 0;
      }
    }
    const words: Word[] = [];
    let stable = true;
    for (let i = from; i < segments.length; i++) {
      const s = segments[i]!;
      stable &&= s.final;
      const pieces = this.splitSegment(s.text);
      const start = this.places.get(s.id)?.key ?? s.start;
      const stream = `${s.source ?? ''}\u0000${s.label ?? ''}`;
      for (let w = i === from ? skip : 0; w < pieces.length; w++) {
        const p = pieces[w]!;
        words.push({ text: p.text, width: this.width(p.text), final: s.final, stable, seg: s.id, start, index: w, glued: p.glued, stream, label: s.label });
      }
    }
    return words;
  }

  /** Words, with any word wider than a line cut into pieces that fit (CJK text has no spaces). */
  private splitSegment(text: string): { text: string; glued: boolean }[] {
    const out: { text: string; glued: boolean }[] = [];
    // Remote text: a bidi override would reorder the line on screen; controls are dropped.
    for (const word of safeText(text).split(/\s+/)) {
      if (word === '') continue;
      if (this.maxWidth <= 0 || this.width(word) <= this.maxWidth) {
        out.push({ text: word, glued: false });
        continue;
      }
      let piece = '';
      let glued = false;
      for (const g of graphemes(word)) {
        if (piece !== '' && this.width(piece + g) > this.maxWidth) {
          out.push({ text: piece, glued });
          piece = '';
          glued = true;
        }
        piece += g;
      }
      if (piece !== '') out.push({ text: piece, glued });
    }
    return out;
  }

  private wrap(words: readonly Word[]): Word[][] {
    const limit = this.maxWidth > 0 ? this.maxWidth : Number.POSITIVE_INFINITY;
    const space = this.width(' ');
    const lines: Word[][] = [];
    let line: Word[] = [];
    let used = 0;
    for (const w of words) {
      const gap = w.glued ? 0 : space;
      if (line.length > 0 && line[0]!.stream === w.stream && used + gap + w.width <= limit) {
        line.push(w);
        used += gap + w.width;
      } else {
        if (line.length > 0) lines.push(line);
        line = [w];
        used = this.labelWidth(w.label) + w.width;
      }
    }
    if (line.length > 0) lines.push(line);
    return lines;
  }

  /**
   * Moves the start of wrapping past lines that can never be shown again, so the work per
   * frame stays bounded. Only to a line whose first word is stable: the line before it is
   * then closed for good, and wrapping from there gives the same lines as from the start.
   */
  private advanceAnchor(lines: readonly Word[][], firstNeeded: number): void {
    for (let k = Math.min(firstNeeded, lines.length - 1); k > 0; k--) {
      const head = lines[k]![0]!;
      if (!head.stable) continue;
      this.anchor = { seg: head.seg, start: head.start, index: head.index };
      this.highWater -= k;
      return;
    }
  }

  private labelWidth(label: string | undefined): number {
    return this.showLabels && label ? this.width(labelPrefix(label)) : 0;
  }

  private slotOf(source: string): 0 | 1 {
    let slot = this.slots.get(source);
    if (slot === undefined) {
      const taken = new Set(this.slots.values());
      slot = !taken.has(0) ? 0 : !taken.has(1) ? 1 : ((this.slots.size % 2) as 0 | 1);
      this.slots.set(source, slot);
    }
    return slot;
  }

  private toCaptionLine(words: readonly Word[]): CaptionLine {
    const line = toCaptionLine(words);
    const head = words[0]!;
    if (head.label === undefined) return line;
    const source = head.stream.slice(0, head.stream.indexOf('\u0000'));
    return { ...line, label: head.label, slot: this.slotOf(source) };
  }

  private width(text: string): number {
    let w = this.widths.get(text);
    if (w === undefined) {
      if (this.widths.size >= WIDTH_CACHE_LIMIT) this.widths.clear();
      w = this.measure(text);
      this.widths.set(text, w);
    }
    return w;
  }
}

function before(a: Place, b: Place): boolean {
  if (a.final !== b.final) return a.final;
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

function toCaptionLine(words: readonly Word[]): CaptionLine {
  const runs: Run[] = [];
  words.forEach((w, i) => {
    const sep = i === 0 || w.glued ? '' : ' ';
    const last = runs[runs.length - 1];
    if (last && last.final === w.final) last.text += sep + w.text;
    else runs.push({ text: sep + w.text, final: w.final });
  });
  return { key: `${words[0]!.seg}#${words[0]!.index}`, runs };
}
