/** EchoFilter on a fake clock: what reaches the output for microphone and system lines. */
import { describe, expect, it } from 'vitest';
import { commonInOrder, EchoFilter, wordsOf } from '../../../main/captions/echo-filter.js';
import { CaptionStore } from '../../../main/captions/caption-store.js';
import type { Segment } from '../../../shared/captions.js';
import { FakeClock } from '../../fakes/fake-clock.js';

function seg(id: string, text: string, start: number, end: number, final = true): Segment {
  return { id, text, start, end, final };
}

function setup(holdMs = 1500) {
  const clock = new FakeClock();
  const store = new CaptionStore();
  const finalsSeen: string[] = [];
  const removedFinals: string[] = [];
  store.onFinalChange((c) => (c.kind === 'upsert' ? finalsSeen.push(c.segment.id) : removedFinals.push(c.id)));
  const filter = new EchoFilter({ clock, holdMs }, (c) => store.apply(c));
  const shown = () => store.snapshot().segments.map((s) => `${s.id}${s.final ? '' : '~'}`);
  return { clock, store, filter, shown, finalsSeen, removedFinals };
}

describe('wordsOf / commonInOrder', () => {
  it('ignores case and punctuation, and allows one edit in longer words', () => {
    expect(wordsOf('Hello, Mister Dashwood!  ')).toEqual(['hello', 'mister', 'dashwood']);
    expect(commonInOrder(wordsOf('mister dashwoods had leisure'), wordsOf('and mister dashwood had then leisure'))).toBe(4);
    expect(commonInOrder(['cat'], ['cap'])).toBe(0); // short words must match exactly
    expect(commonInOrder(['one', 'two', 'three'], ['three', 'two', 'one'])).toBe(1); // order matters
  });
});

describe('EchoFilter', () => {
  it('drops a microphone line that repeats a system line close in time, and counts it', async () => {
    const t = setup();
    t.filter.fromReference({ kind: 'upsert', segment: seg('s1', 'he was not an ill disposed young man', 10, 13) });
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'he was not an ill disposed young man', 10.04, 13.04, false) });
    expect(t.shown()).toEqual(['s1']); // the open echo is hidden at once
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'he was not ill disposed young men', 10.04, 13.04) });
    expect(t.shown()).toEqual(['s1']);
    expect(t.filter.suppressed).toBe(1);
    expect(t.finalsSeen).toEqual(['s1']);
  });

  it('keeps the person’s own words, shown open while waiting and final after the hold', async () => {
    const t = setup(1500);
    t.filter.fromReference({ kind: 'upsert', segment: seg('s1', 'what do you think about the budget', 5, 7) });
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'i think we should cut travel', 7.5, 9.5) });
    expect(t.shown()).toEqual(['s1', 'm1~']);
    await t.clock.advanceAsync(1499);
    expect(t.finalsSeen).toEqual(['s1']);
    await t.clock.advanceAsync(1);
    expect(t.shown()).toEqual(['s1', 'm1']);
    expect(t.finalsSeen).toEqual(['s1', 'm1']);
    expect(t.filter.suppressed).toBe(0);
  });

  it('catches the echo when the system copy arrives after the microphone’s, without a final line ever jumping', async () => {
    const t = setup(1500);
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'unless to be rather cold hearted', 20.05, 22) });
    expect(t.shown()).toEqual(['m1~']);
    await t.clock.advanceAsync(800);
    t.filter.fromReference({ kind: 'upsert', segment: seg('s1', 'unless to be rather cold hearted and rather selfish', 20, 23, false) });
    expect(t.shown()).toEqual(['s1~']);
    await t.clock.advanceAsync(5000);
    expect(t.finalsSeen).toEqual([]);
    expect(t.removedFinals).toEqual([]);
    expect(t.filter.suppressed).toBe(1);
  });

  it('does not match across a long gap in time, nor a one-word reply that is not right on the system word', () => {
    const t = setup();
    t.filter.fromReference({ kind: 'upsert', segment: seg('s1', 'he might even have been made amiable himself', 30, 33) });
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'he might even have been made amiable himself', 40, 43) });
    t.filter.fromReference({ kind: 'upsert', segment: seg('s2', 'okay so yes', 50, 51) });
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m2', 'yes', 52, 52.3) });
    t.filter.flush();
    expect(t.shown()).toEqual(['s1', 'm1', 's2', 'm2']);
    expect(t.filter.suppressed).toBe(0);
  });

  it('passes corrections of a line already committed, and removes what the service withdraws', async () => {
    const t = setup(100);
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'first draft', 1, 2) });
    await t.clock.advanceAsync(100);
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'first draft corrected', 1, 2.2) });
    expect(t.store.snapshot().segments.map((s) => s.text)).toEqual(['first draft corrected']);
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m2', 'maybe', 3, 3.5, false) });
    t.filter.fromTarget({ kind: 'remove', id: 'm2' });
    expect(t.shown()).toEqual(['m1']);
  });

  it('flush decides held lines at once (the run is ending)', () => {
    const t = setup(10_000);
    t.filter.fromReference({ kind: 'upsert', segment: seg('s1', 'had he married a more amiable woman', 1, 3) });
    t.filter.fromTarget({ kind: 'upsert', segment: seg('m1', 'my own words here', 4, 5) });
    t.filter.flush();
    expect(t.shown()).toEqual(['s1', 'm1']);
    expect(t.finalsSeen).toEqual(['s1', 'm1']);
  });
});
