import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDiff, compareSegments, type Segment } from '../../../shared/captions.js';
import { diffSegments } from '../../../main/captions/snapshot-diff.js';

const segments = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      text: fc.constantFrom('x', 'y'),
      start: fc.integer({ min: 0, max: 2 }),
      end: fc.constant(5),
      final: fc.boolean(),
    }),
    { selector: (s) => s.id, maxLength: 7 },
  )
  .map((list: Segment[]) => list.slice().sort(compareSegments)); // any tie order a store might hold

describe('diffSegments', () => {
  it('property: applyDiff(base, diffSegments(base, target)) is exactly target', () => {
    fc.assert(
      fc.property(segments, segments, (base, target) => {
        const diff = diffSegments(base, target, 4);
        expect(diff.rev).toBe(4);
        expect(applyDiff({ rev: 3, segments: base }, diff)!.segments).toEqual(target);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('is empty when nothing differs and minimal for a plain edit', () => {
    const a: Segment = { id: 'a', text: 'x', start: 0, end: 1, final: false };
    const b: Segment = { id: 'b', text: 'y', start: 1, end: 2, final: false };
    expect(diffSegments([a, b], [a, b], 2)).toEqual({ rev: 2, upserts: [], removals: [] });
    expect(diffSegments([a, b], [a, { ...b, final: true }], 2)).toEqual({ rev: 2, upserts: [{ ...b, final: true }], removals: [] });
    expect(diffSegments([a, b], [b], 2)).toEqual({ rev: 2, upserts: [], removals: ['a'] });
  });
});
