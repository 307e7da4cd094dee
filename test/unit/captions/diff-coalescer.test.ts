import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDiff, EMPTY_SNAPSHOT, type CaptionDiff, type CaptionSnapshot, type Segment } from '../../../shared/captions.js';
import { CaptionStore } from '../../../main/captions/caption-store.js';
import { DiffCoalescer } from '../../../main/captions/diff-coalescer.js';
import type { CaptionChange } from '../../../main/stt/session-events.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const seg = (id: string, start: number, text = id, final = false): Segment => ({ id, text, start, end: start + 1, final });
const up = (s: Segment): CaptionChange => ({ kind: 'upsert', segment: s });

function setup(intervalMs = 33, windowSize?: number) {
  const clock = new FakeClock();
  const store = new CaptionStore({ windowSize });
  const coalescer = new DiffCoalescer(store, { clock, intervalMs });
  const diffs: CaptionDiff[] = [];
  let view: CaptionSnapshot = EMPTY_SNAPSHOT;
  let gaps = 0;
  coalescer.on((d) => {
    diffs.push(d);
    const next = applyDiff(view, d);
    if (next) view = next;
    else gaps++;
  });
  return { clock, store, coalescer, diffs, view: () => view, gaps: () => gaps };
}

describe('DiffCoalescer', () => {
  it('merges a burst into one diff and spaces diffs by the interval', () => {
    const t = setup(33);
    t.store.apply(up(seg('a', 0, 'he')));
    t.store.apply(up(seg('a', 0, 'hello')));
    t.store.apply(up(seg('b', 1, 'world')));
    expect(t.diffs).toHaveLength(0);
    t.clock.advance(0); // a burst after a quiet period leaves at once, as one diff
    expect(t.diffs).toEqual([{ rev: 1, upserts: [seg('a', 0, 'hello'), seg('b', 1, 'world')], removals: [] }]);
    t.store.apply(up(seg('b', 1, 'world!')));
    t.clock.advance(32);
    expect(t.diffs).toHaveLength(1);
    t.clock.advance(1);
    expect(t.diffs.map((d) => d.rev)).toEqual([1, 2]);
    expect(t.view().segments).toEqual(t.store.snapshot().segments);
  });

  it('emits nothing when changes cancel out within an interval', () => {
    const t = setup(33);
    t.store.apply(up(seg('a', 0)));
    t.clock.advance(0);
    t.store.apply(up(seg('b', 1)));
    t.store.apply({ kind: 'remove', id: 'b' });
    t.clock.advance(100);
    expect(t.diffs).toHaveLength(1);
  });

  it('snapshot() flushes first, so its rev matches the diffs that follow', () => {
    const t = setup(33);
    t.store.apply(up(seg('a', 0)));
    const snap = t.coalescer.snapshot();
    expect(snap).toEqual({ rev: 1, segments: [seg('a', 0)] });
    t.store.apply(up(seg('b', 1)));
    t.clock.advance(50);
    expect(applyDiff(snap, t.diffs[t.diffs.length - 1])!.segments).toEqual(t.store.snapshot().segments);
  });

  it('starts from what the store already has', () => {
    const clock = new FakeClock();
    const store = new CaptionStore();
    store.apply(up(seg('a', 0)));
    const c = new DiffCoalescer(store, { clock });
    expect(c.snapshot()).toEqual({ rev: 1, segments: [seg('a', 0)] });
  });

  it('close() stops timers and delivery and is idempotent', () => {
    const t = setup(33);
    t.store.apply(up(seg('a', 0)));
    t.coalescer.close();
    t.coalescer.close();
    expect(t.clock.pending).toBe(0);
    t.store.apply(up(seg('b', 0)));
    t.clock.advance(100);
    expect(t.diffs).toHaveLength(0);
  });

  it('property: the coalesced diffs reproduce the store, in order, with no gaps', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        id: fc.constantFrom(...ids),
        start: fc.integer({ min: 0, max: 3 }), // few distinct starts: many ties
        text: fc.constantFrom('x', 'y', 'z', ' y '),
        final: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.constantFrom(...ids) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('snapshot' as const) }),
      fc.record({ kind: fc.constant('batch' as const), n: fc.integer({ min: 2, max: 4 }), start: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (steps, windowSize) => {
        const t = setup(33, windowSize);
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'upsert') t.store.apply(up(seg(s.id, s.start, s.text, s.final)));
          else if (s.kind === 'remove') t.store.apply({ kind: 'remove', id: s.id });
          else if (s.kind === 'advance') t.clock.advance(s.ms);
          else if (s.kind === 'snapshot') expect(t.coalescer.snapshot().segments).toEqual(t.store.snapshot().segments);
          else t.store.applyAll(Array.from({ length: s.n }, (_, i) => up(seg(ids[(n + i) % ids.length], s.start, `b${n++}`))));
        }
        t.clock.advance(1000);
        expect(t.gaps()).toBe(0);
        expect(t.diffs.map((d) => d.rev)).toEqual(t.diffs.map((_, i) => i + 1));
        expect(t.view().segments).toEqual(t.store.snapshot().segments);
        expect(t.store.snapshot().segments.length).toBeLessThanOrEqual(windowSize);
        expect(t.coalescer.resyncCount).toBe(0);
      }),
      { seed: 20240611, numRuns: 400 },
    );
  });
});
