import { describe, expect, it } from 'vitest';
import { applyDiff, EMPTY_SNAPSHOT, type CaptionDiff, type CaptionSnapshot, type Segment } from '../../../shared/captions.js';
import { CaptionStore } from '../../../main/captions/caption-store.js';
import type { CaptionChange } from '../../../main/stt/session-events.js';

const seg = (id: string, start: number, text = id, final = false, end = start + 1): Segment => ({ id, text, start, end, final });
const up = (s: Segment): CaptionChange => ({ kind: 'upsert', segment: s });

function follow(store: CaptionStore): { diffs: CaptionDiff[]; view: () => CaptionSnapshot } {
  const diffs: CaptionDiff[] = [];
  let view: CaptionSnapshot = EMPTY_SNAPSHOT;
  store.on((d) => {
    diffs.push(d);
    const next = applyDiff(view, d);
    if (!next) throw new Error(`gap at rev ${d.rev}`);
    view = next;
  });
  return { diffs, view: () => view };
}

describe('CaptionStore', () => {
  it('emits consecutive diffs and orders segments by start', () => {
    const store = new CaptionStore();
    const f = follow(store);
    store.apply(up(seg('b', 2)));
    store.apply(up(seg('a', 1)));
    store.apply(up(seg('b', 2, 'b longer')));
    expect(f.diffs.map((d) => d.rev)).toEqual([1, 2, 3]);
    expect(f.diffs[2]).toEqual({ rev: 3, upserts: [seg('b', 2, 'b longer')], removals: [] });
    expect(store.snapshot()).toEqual({ rev: 3, segments: [seg('a', 1), seg('b', 2, 'b longer')] });
    expect(f.view()).toEqual(store.snapshot());
  });

  it('emits nothing when a change changes nothing', () => {
    const store = new CaptionStore();
    const f = follow(store);
    store.apply(up(seg('a', 1, 'hello')));
    expect(store.apply(up(seg('a', 1, 'hello')))).toBeNull();
    expect(store.apply(up(seg('a', 1, '  hello  ')))).toBeNull(); // text is trimmed first
    expect(store.apply({ kind: 'remove', id: 'nope' })).toBeNull();
    expect(f.diffs).toHaveLength(1);
    expect(store.rev).toBe(1);
  });

  it('removes segments and moves a segment whose start changed', () => {
    const store = new CaptionStore();
    const f = follow(store);
    store.applyAll([up(seg('a', 1)), up(seg('b', 2)), up(seg('c', 3))]);
    expect(f.diffs).toHaveLength(1);
    store.apply(up(seg('a', 5)));
    store.apply({ kind: 'remove', id: 'b' });
    expect(store.snapshot().segments.map((s) => s.id)).toEqual(['c', 'a']);
    expect(f.view()).toEqual(store.snapshot());
  });

  it('breaks start-time ties by first appearance, and consumers agree', () => {
    const store = new CaptionStore();
    const f = follow(store);
    store.apply(up(seg('a', 1)));
    store.apply(up(seg('b', 2)));
    store.apply(up(seg('b', 0)));
    store.apply(up(seg('b', 1))); // ties with a; a appeared first
    expect(store.snapshot().segments.map((s) => s.id)).toEqual(['a', 'b']);
    expect(f.view()).toEqual(store.snapshot());
  });

  it('bounds the UI window but keeps every final segment for export', () => {
    const store = new CaptionStore({ windowSize: 3 });
    const f = follow(store);
    for (let i = 0; i < 10; i++) store.apply(up(seg(`s${i}`, i, `w${i}`, true)));
    expect(store.snapshot().segments.map((s) => s.id)).toEqual(['s7', 's8', 's9']);
    expect(f.view()).toEqual(store.snapshot());
    expect(store.finalSegments().map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    // A correction outside the window changes the export but not the UI: no diff.
    expect(store.apply(up(seg('s0', 0, 'fixed', true)))).toBeNull();
    expect(store.finalSegments()[0].text).toBe('fixed');
    // Removing one inside the window brings an older one back into view.
    store.apply({ kind: 'remove', id: 's9' });
    expect(f.view().segments.map((s) => s.id)).toEqual(['s6', 's7', 's8']);
  });

  it('exports only final segments', () => {
    const store = new CaptionStore();
    store.applyAll([up(seg('a', 0, 'one', true)), up(seg('b', 1, 'two', false))]);
    expect(store.finalSegments().map((s) => s.text)).toEqual(['one']);
  });

  it('reports final changes for the journal, including corrections and withdrawals', () => {
    const store = new CaptionStore({ windowSize: 2 });
    const changes: CaptionChange[] = [];
    const off = store.onFinalChange((c) => changes.push(c));
    store.apply(up(seg('a', 0, 'draft')));
    store.apply(up(seg('a', 0, 'done', true)));
    store.apply(up(seg('a', 0, 'done', true)));
    store.apply(up(seg('a', 0, 'done!', true)));
    store.apply({ kind: 'remove', id: 'a' });
    store.apply(up(seg('b', 0, 'x')));
    store.apply({ kind: 'remove', id: 'b' });
    expect(changes).toEqual([up(seg('a', 0, 'done', true)), up(seg('a', 0, 'done!', true)), { kind: 'remove', id: 'a' }]);
    off();
    store.apply(up(seg('c', 0, 'late', true)));
    expect(changes).toHaveLength(3);
  });

  it('refuses segments with times that are not numbers, and counts them', () => {
    const store = new CaptionStore();
    expect(store.apply(up(seg('a', Number.NaN)))).toBeNull();
    expect(store.rejected).toBe(1);
    expect(store.snapshot().segments).toEqual([]);
  });

  it('clear() empties the window with one diff; unsubscribe stops delivery', () => {
    const store = new CaptionStore();
    const seen: number[] = [];
    const off = store.on((d) => seen.push(d.rev));
    store.applyAll([up(seg('a', 0)), up(seg('b', 1))]);
    expect(store.clear()).toEqual({ rev: 2, upserts: [], removals: ['a', 'b'] });
    off();
    store.apply(up(seg('c', 0)));
    expect(seen).toEqual([1, 2]);
    expect(store.finalSegments()).toEqual([]);
  });
});

describe('CaptionStore speaker labels', () => {
  it('keeps who spoke, and a revised speaker of a final line reaches the UI and the final-change listeners', () => {
    const store = new CaptionStore();
    const f = follow(store);
    const finals: CaptionChange[] = [];
    store.onFinalChange((c) => finals.push(c));
    store.apply(up({ ...seg('a', 1, 'hello', true), speaker: 'Speaker A' }));
    store.apply(up({ ...seg('a', 1, 'hello', true), speaker: 'Speaker B' }));
    expect(f.view().segments).toEqual([{ ...seg('a', 1, 'hello', true), speaker: 'Speaker B' }]);
    expect(store.finalSegments()[0]!.speaker).toBe('Speaker B');
    expect(finals.map((c) => (c.kind === 'upsert' ? c.segment.speaker : c.kind))).toEqual(['Speaker A', 'Speaker B']);
    // The same label again changes nothing.
    expect(store.apply(up({ ...seg('a', 1, 'hello', true), speaker: 'Speaker B' }))).toBeNull();
  });
});
