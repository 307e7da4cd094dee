import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../shared/captions.js';
import { CaptionLayout, labelPrefix, type CaptionLine } from '../../../renderer/lib/caption-layout.js';
import { expectFinalWordsStay, type Placements } from './final-words-stay.js';

/** Every character (space included) is 10 px wide. */
const measure = (t: string) => t.length * 10;
const you = (id: string, text: string, final: boolean, start: number): Segment => ({ id: `0:${id}`, text, final, start, end: start + 1, source: 'mic', label: 'You' });
const others = (id: string, text: string, final: boolean, start: number): Segment => ({ id: `1:${id}`, text, final, start, end: start + 1, source: 'system', label: 'Others' });
const view = (lines: CaptionLine[]) => lines.map((l) => `${l.label ?? '-'}/${l.slot ?? '-'}: ${l.runs.map((r) => r.text).join('')}`);
const fresh = (width: number) => {
  const l = new CaptionLayout(measure);
  l.setWidth(width);
  return l;
};
const byStart = (segs: Segment[]) => [...segs].sort((a, b) => a.start - b.start);

describe('CaptionLayout in a meeting (two streams)', () => {
  it('never joins two streams in one line; each line has its label and colour slot', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(300);
    const lines = layout.layout([you('a', 'hello there', true, 0), others('a', 'hi', true, 1), you('b', 'how are you', false, 2)], 10);
    expect(view(lines)).toEqual(['You/0: hello there', 'Others/1: hi', 'You/0: how are you']);
  });

  it('counts the label in the line width, and rewraps when labels are turned off', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(150);
    const segs = [others('a', 'aaaa bbbb cccc', true, 0)];
    // "Others: " is 80 px: one word fits after it per line.
    expect(measure(labelPrefix('Others'))).toBe(80);
    expect(view(layout.layout(segs, 10))).toEqual(['Others/1: aaaa', 'Others/1: bbbb', 'Others/1: cccc']);
    layout.setShowLabels(false);
    expect(view(layout.layout(segs, 10))).toEqual(['Others/1: aaaa bbbb cccc']);
  });

  it('orders lines of both streams by start time', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(400);
    const segs = byStart([you('a', 'one', true, 0), others('a', 'two', true, 1), you('b', 'three', true, 2), others('b', 'four', false, 3)]);
    expect(view(layout.layout(segs, 10))).toEqual(['You/0: one', 'Others/1: two', 'You/0: three', 'Others/1: four']);
  });

  it('a late line of the other stream goes below the finished lines, never between them', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(200);
    const first = [others('a', 'first words', true, 1), others('b', 'second words', true, 3)];
    expect(view(layout.layout(first, 10))).toEqual(['Others/1: first words', 'Others/1: second words']);
    // The microphone line started at 2 s but arrives now (its service is slower).
    const late = you('a', 'late mic', false, 2);
    expect(view(layout.layout(byStart([...first, late]), 10))).toEqual(['Others/1: first words', 'Others/1: second words', 'You/0: late mic']);
    // Finished, it stays where it is.
    const done = { ...late, final: true };
    expect(view(layout.layout(byStart([...first, done]), 10))).toEqual(['Others/1: first words', 'Others/1: second words', 'You/0: late mic']);
    // Seen from the start (a page opened now), finished lines are in start order.
    expect(view(fresh(200).layout(byStart([...first, done]), 10)).map((l) => l.split(':')[0])).toEqual(['Others/1', 'You/0', 'Others/1']);
    // An open line sits below the finished ones, whenever it started.
    expect(view(fresh(200).layout(byStart([...first, late]), 10)).map((l) => l.split(':')[0])).toEqual(['Others/1', 'Others/1', 'You/0']);
  });

  it('colours any two sources: the first other source takes the microphone slot, the second the system slot', () => {
    const layout = new CaptionLayout(measure);
    layout.setWidth(400);
    const a: Segment = { id: '0:1', text: 'left', final: true, start: 0, end: 1, source: 'file:a.wav', label: 'a.wav' };
    const b: Segment = { id: '1:1', text: 'right', final: true, start: 1, end: 2, source: 'file:b.wav', label: 'b.wav' };
    expect(view(layout.layout([a, b], 10))).toEqual(['a.wav/0: left', 'b.wav/1: right']);
    // One source without a label: no label, no colour (single-source runs look as before).
    expect(view(new CaptionLayout(measure).layout([{ id: '1', text: 'solo', final: true, start: 0, end: 1, source: 'mic' }], 10))).toEqual(['-/-: solo']);
  });

  it('property: with two streams talking over each other, a finished word never moves and a line never mixes streams', () => {
    type Op = { stream: 0 | 1; kind: 'partial' | 'finalize' | 'final'; words: number; lag: number };
    const op = fc.record({
      stream: fc.constantFrom(0 as const, 1 as const),
      kind: fc.constantFrom('partial' as const, 'finalize' as const, 'final' as const),
      words: fc.integer({ min: 1, max: 6 }),
      lag: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 90, max: 300 }), fc.boolean(), (ops: Op[], maxLines, width, labels) => {
        const layout = new CaptionLayout(measure);
        layout.setWidth(width);
        layout.setShowLabels(labels);
        const make = [you, others];
        const finals: Segment[] = [];
        const partial: (Segment | null)[] = [null, null];
        let n = 0;
        let t = 10;
        const placed: Placements = new Map();
        for (const o of ops) {
          t += 1;
          const s = o.stream;
          // Each stream is in order; against the other it may arrive up to 4 s late.
          const start = Math.max(t - o.lag, ...[...finals, partial[s]].filter((x) => x && x.source === (s ? 'system' : 'mic')).map((x) => x!.start));
          const words = (id: string) => Array.from({ length: o.words }, (_, i) => `${s}${id}w${i}`).join(' ');
          if (o.kind === 'partial') {
            const id = partial[s]?.id.slice(2) ?? `p${++n}`;
            partial[s] = make[s]!(id, words(id), false, partial[s]?.start ?? start);
          } else if (o.kind === 'finalize' && partial[s]) {
            finals.push({ ...partial[s]!, final: true });
            partial[s] = null;
          } else if (o.kind === 'final' && !partial[s]) {
            const id = `f${++n}`;
            finals.push(make[s]!(id, words(id), true, start));
          }
          const lines = layout.layout(byStart([...finals, ...partial.filter((p): p is Segment => p !== null)]), maxLines);
          lines.forEach((line) => {
            const text = line.runs.map((r) => r.text).join('');
            const streams = new Set(text.split(' ').filter(Boolean).map((w) => w[0]));
            expect(streams.size).toBeLessThanOrEqual(1);
            if (streams.size) expect(line.label).toBe([...streams][0] === '0' ? 'You' : 'Others');
          });
          expectFinalWordsStay(lines, placed, measure);
        }
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });
});
