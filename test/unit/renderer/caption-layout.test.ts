import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../shared/captions.js';
import { CaptionLayout, type CaptionLine } from '../../../renderer/lib/caption-layout.js';
import { expectFinalWordsStay, type Placements } from './final-words-stay.js';

/** Every character (space included) is 10 px wide. */
const measure = (t: string) => t.length * 10;
const seg = (id: string, text: string, final: boolean, start = Number(id.replace(/\D/g, '')) || 0): Segment =>
  ({ id, text, final, start, end: start + 1 });
const texts = (lines: CaptionLine[]) => lines.map((l) => l.runs.map((r) => r.text).join(''));

describe('CaptionLayout', () => {
  it('wraps greedily at the width and shows the last N lines, newest at the bottom', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(100);
    const segs = [seg('s1', 'aaaa bbbb cccc dddd', true), seg('s2', 'eeee ffff gg', true)];
    expect(texts(layout.layout(segs, 10))).toEqual(['aaaa bbbb', 'cccc dddd', 'eeee ffff', 'gg']);
    expect(texts(new CaptionLayout(measure).layout(segs, 10))).toEqual(['aaaa bbbb cccc dddd eeee ffff gg']);
    const two = new CaptionLayout(measure);
    two.setWidth(100);
    expect(texts(two.layout(segs, 2))).toEqual(['eeee ffff', 'gg']);
  });

  it('keeps final and partial text in separate runs', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(300);
    const lines = layout.layout([seg('s1', 'we are', true), seg('s2', 'live now', false)], 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.runs).toEqual([{ text: 'we are', final: true }, { text: ' live now', final: false }]);
  });

  it('cuts a word wider than the line into pieces that fit', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(50);
    const lines = layout.layout([seg('s1', 'ab 字字字字字字字字字字字字 cd', true)], 10);
    expect(texts(lines)).toEqual(['ab', '字字字字字', '字字字字字', '字字 cd']);
    for (const l of texts(lines)) expect(measure(l)).toBeLessThanOrEqual(50);
  });

  it('leaves a blank line when the open tail shrinks, so final lines do not move down', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(100);
    const fin = seg('s1', 'aaaa bbbb cccc', true);
    expect(texts(layout.layout([fin, seg('s2', 'dddd eeee ffff', false)], 3))).toEqual(['aaaa bbbb', 'cccc dddd', 'eeee ffff']);
    const shrunk = layout.layout([fin, seg('s2', 'dd', false)], 3);
    expect(texts(shrunk)).toEqual(['aaaa bbbb', 'cccc dd', '']);
    expect(shrunk[2]!.key).toMatch(/^pad:/);
  });

  it('clears after silence and starts new text on a fresh line; changed text shows again', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(150);
    const segs = [seg('s1', 'old words', true), seg('s2', 'still open', false)];
    expect(texts(layout.layout(segs, 2))).toEqual(['old words still', 'open']);
    layout.clear(segs);
    expect(layout.layout(segs, 2)).toEqual([]);
    expect(texts(layout.layout([...segs, seg('s3', 'new', true)], 2))).toEqual(['new']);
    // s2 finishes after "new" was already finished: it goes below it, so "new" does not move.
    expect(texts(layout.layout([segs[0]!, seg('s2', 'still open now', true), seg('s3', 'new', true)], 2)))
      .toEqual(['new still open', 'now']);
  });

  it('lays out only the recent words however long the session, with the same lines as a fresh layout', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(120);
    const segs: Segment[] = [];
    for (let i = 1; i <= 500; i++) {
      segs.push(seg(`s${i}`, `w${i}a w${i}b w${i}c`, true, i));
      layout.layout(segs, 3);
    }
    const tail = [...segs, seg('s501', 'open tail words', false, 501)];
    const incremental = layout.layout(tail, 3);
    expect(layout.wordsLaidOut).toBeLessThan(40);
    const fresh = new CaptionLayout(measure);
    fresh.setWidth(120);
    expect(incremental).toEqual(fresh.layout(tail, 3));
    // History up to ten lines stays at hand for a larger line count.
    expect(layout.layout(tail, 10)).toEqual(fresh.layout(tail, 10));
  });

  it('reflows everything when the width changes', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(100);
    const segs = [seg('s1', 'aaaa bbbb cccc', true)];
    expect(texts(layout.layout(segs, 5))).toEqual(['aaaa bbbb', 'cccc']);
    layout.setWidth(200);
    expect(texts(layout.layout(segs, 5))).toEqual(['aaaa bbbb cccc']);
  });

  it('property: a finished word never changes line or x position while partials come and go', () => {
    type Op = { kind: 'partial'; words: number } | { kind: 'finalize' } | { kind: 'final'; words: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('partial' as const), words: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('finalize' as const) }),
      fc.record({ kind: fc.constant('final' as const), words: fc.integer({ min: 1, max: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 60, max: 260 }), (ops, maxLines, width) => {
        const layout = new CaptionLayout(measure);
        layout.setWidth(width);
        const finals: Segment[] = [];
        let partial: Segment | null = null;
        let n = 0;
        let wordNo = 0;
        const word = () => `w${wordNo++}`;
        // word text → where it was last seen final; rows count from the bottom (the box is bottom-aligned)
        const placed: Placements = new Map();
        for (const o of ops) {
          if (o.kind === 'partial') {
            const id: string = partial?.id ?? `p${++n}`;
            partial = o.words === 0 ? null : seg(id, Array.from({ length: o.words }, (_, i) => `${id}x${i}${'y'.repeat(i % 3)}`).join(' '), false, n);
          } else if (o.kind === 'finalize' && partial) {
            finals.push({ ...partial, final: true });
            partial = null;
          } else if (o.kind === 'final' && !partial) {
            finals.push(seg(`f${++n}`, Array.from({ length: o.words }, word).join(' '), true, n));
          }
          const lines = layout.layout(partial ? [...finals, partial] : finals, maxLines);
          expectFinalWordsStay(lines, placed, measure);
          expect(lines.length).toBeLessThanOrEqual(maxLines);
        }
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });
});

describe('CaptionLayout with remote text', () => {
  it('draws only printable text: no bidi override, escape or control reaches the page', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(400);
    const lines = layout.layout([seg('s1', '\u202eevil\u202c \x1b]0;t\x07ok\x00 \u2066x\u2069', true), seg('s2', 'then\nmore', false)], 4);
    expect(texts(lines)).toEqual(['evil ok x then more']);
    for (const t of texts(lines)) expect(t).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });
});
