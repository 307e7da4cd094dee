import { describe, expect, it } from 'vitest';
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../../shared/captions.js';
import { CaptionSync, type CaptionSyncDeps } from '../../../renderer/lib/caption-sync.js';

const seg = (id: string, text: string, final = true, start = 0): Segment => ({ id, text, final, start, end: start + 1 });
const diff = (rev: number, upserts: Segment[] = [], removals: string[] = []): CaptionDiff => ({ rev, upserts, removals });

/** A main process stand-in: answers snapshot requests when the test says so. */
function harness(opts: Partial<CaptionSyncDeps> = {}) {
  const requests: { resolve: (s: unknown) => void; reject: (e: Error) => void }[] = [];
  const changes: { rev: number; texts: string[]; cause: string }[] = [];
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const sync = new CaptionSync({
    getSnapshot: () => new Promise<CaptionSnapshot>((resolve, reject) => requests.push({ resolve: resolve as (s: unknown) => void, reject })),
    onChange: (s, cause) => changes.push({ rev: s.rev, texts: s.segments.map((x) => x.text), cause }),
    schedule: (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => { t.cancelled = true; };
    },
    ...opts,
  });
  const answer = async (snap: unknown) => {
    requests.shift()!.resolve(snap);
    await Promise.resolve();
    await Promise.resolve();
  };
  const fail = async () => {
    requests.shift()!.reject(new Error('down'));
    await Promise.resolve();
    await Promise.resolve();
  };
  return { sync, requests, changes, timers, answer, fail };
}

describe('CaptionSync', () => {
  it('asks for a snapshot at start and replays diffs that arrived meanwhile', async () => {
    const h = harness();
    h.sync.start();
    expect(h.requests).toHaveLength(1);
    h.sync.handleDiff(diff(5, [seg('a', 'hello world')]));
    h.sync.handleDiff(diff(6, [seg('b', 'again')]));
    expect(h.changes).toEqual([]);
    await h.answer({ rev: 5, segments: [seg('a', 'hello world')] });
    expect(h.changes.map((c) => [c.rev, c.cause])).toEqual([[5, 'snapshot'], [6, 'diff']]);
    expect(h.sync.snapshot.segments.map((s) => s.text)).toEqual(['hello world', 'again']);
    expect(h.sync.stats.staleDiffs).toBe(1);
  });

  it('on a rev gap asks for a snapshot, holds later diffs, then catches up', async () => {
    const h = harness();
    h.sync.start();
    await h.answer({ rev: 0, segments: [] });
    h.sync.handleDiff(diff(1, [seg('a', 'one', false)]));
    expect(h.sync.snapshot.rev).toBe(1);
    h.sync.handleDiff(diff(3, [seg('a', 'one two three', true)]));
    expect(h.sync.stats.gaps).toBe(1);
    expect(h.requests).toHaveLength(1);
    h.sync.handleDiff(diff(4, [seg('b', 'four', false, 1)]));
    h.sync.handleDiff(diff(5, [seg('b', 'four five', false, 1)]));
    expect(h.sync.snapshot.rev).toBe(1);
    await h.answer({ rev: 3, segments: [seg('a', 'one two three')] });
    expect(h.sync.snapshot.rev).toBe(5);
    expect(h.sync.snapshot.segments.map((s) => s.text)).toEqual(['one two three', 'four five']);
  });

  it('ignores stale and malformed diffs', async () => {
    const h = harness();
    h.sync.start();
    await h.answer({ rev: 2, segments: [seg('a', 'kept')] });
    h.sync.handleDiff(diff(2, [seg('a', 'stale')]));
    h.sync.handleDiff({ rev: 3, upserts: [{ id: 'x' }], removals: [] });
    h.sync.handleDiff('nonsense');
    expect(h.sync.snapshot.segments.map((s) => s.text)).toEqual(['kept']);
    expect(h.sync.stats).toMatchObject({ staleDiffs: 1, malformed: 2 });
    h.sync.handleDiff(diff(3, [], ['a']));
    expect(h.sync.snapshot).toEqual({ rev: 3, segments: [] });
  });

  it('retries a failed snapshot with growing delays, keeping diffs meanwhile', async () => {
    const h = harness();
    h.sync.start();
    await h.fail();
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    h.sync.handleDiff(diff(8, [seg('a', 'late')]));
    h.timers[0]!.fn();
    await h.fail();
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000]);
    h.timers[1]!.fn();
    await h.answer({ rev: 7, segments: [] });
    expect(h.sync.snapshot.segments.map((s) => s.text)).toEqual(['late']);
    expect(h.sync.stats.snapshotErrors).toBe(2);
  });

  it('treats a malformed snapshot as a failure', async () => {
    const h = harness();
    h.sync.start();
    await h.answer({ rev: 'x', segments: null });
    expect(h.sync.stats).toMatchObject({ malformed: 1, snapshotErrors: 1 });
    expect(h.timers).toHaveLength(1);
  });

  it("accepts a snapshot with a lower rev: main's count restarted", async () => {
    const h = harness();
    h.sync.start();
    await h.answer({ rev: 40, segments: [seg('a', 'before restart')] });
    h.sync.handleDiff(diff(2, [seg('z', 'after')]));
    expect(h.sync.stats.staleDiffs).toBe(1);
    h.sync.requestSnapshot();
    await h.answer({ rev: 2, segments: [seg('z', 'after')] });
    h.sync.handleDiff(diff(3, [seg('z', 'after restart')]));
    expect(h.sync.snapshot.segments.map((s) => s.text)).toEqual(['after restart']);
  });

  it('keeps at most maxSegments, dropping the oldest final ones', async () => {
    const h = harness({ maxSegments: 10 });
    h.sync.start();
    await h.answer({ rev: 0, segments: [] });
    for (let i = 1; i <= 30; i++) h.sync.handleDiff(diff(i, [seg(`s${i}`, `w${i}`, i !== 1, i)]));
    const segs = h.sync.snapshot.segments;
    expect(segs.length).toBeLessThanOrEqual(10);
    expect(segs[0]!.id).toBe('s1'); // not final: never dropped
    expect(segs[segs.length - 1]!.id).toBe('s30');
    expect(h.sync.stats.segmentsPruned).toBe(30 - segs.length);
  });

  it('bounds the diffs it holds and counts what it dropped', async () => {
    const h = harness({ maxPending: 3 });
    h.sync.start();
    for (let i = 1; i <= 5; i++) h.sync.handleDiff(diff(i, [seg('a', `v${i}`)]));
    expect(h.sync.stats.pendingDropped).toBe(2);
    await h.answer({ rev: 0, segments: [] });
    // 1 and 2 were dropped, so 3 does not follow rev 0: a new snapshot is asked for shortly.
    expect(h.sync.snapshot.rev).toBe(0);
    expect(h.timers).toHaveLength(1);
    h.timers[0]!.fn();
    await h.answer({ rev: 4, segments: [seg('a', 'v4')] });
    expect(h.sync.snapshot).toMatchObject({ rev: 5, segments: [{ text: 'v5' }] });
  });

  it('does nothing after dispose', async () => {
    const h = harness();
    h.sync.start();
    h.sync.dispose();
    await h.answer({ rev: 1, segments: [seg('a', 'x')] });
    h.sync.handleDiff(diff(2));
    expect(h.changes).toEqual([]);
    h.sync.dispose();
  });
});
