/**
 * The one way caption diffs are computed: from the state a consumer has to the state it
 * should have. Computing diffs from states (rather than concatenating changes) is what lets
 * the store trim its window and the coalescer merge many diffs while `applyDiff` on the
 * consumer side still reproduces the exact segments in the exact order.
 */
import { applyDiff, type CaptionDiff, type Segment } from '../../shared/captions.js';

export function sameSegment(a: Segment, b: Segment): boolean {
  return a.id === b.id && a.text === b.text && a.start === b.start && a.end === b.end && a.final === b.final && a.speaker === b.speaker && a.source === b.source && a.label === b.label;
}

export function isEmptyDiff(diff: Pick<CaptionDiff, 'upserts' | 'removals'>): boolean {
  return diff.upserts.length === 0 && diff.removals.length === 0;
}

/**
 * A diff with revision `rev` that takes `base` to exactly `target` under `applyDiff`
 * (same segments, same order). Empty when nothing differs.
 */
export function diffSegments(base: readonly Segment[], target: readonly Segment[], rev: number): CaptionDiff {
  const before = new Map(base.map((s) => [s.id, s]));
  const targetIds = new Set(target.map((s) => s.id));
  const removals = base.filter((s) => !targetIds.has(s.id)).map((s) => s.id);
  const upserts = target.filter((s) => {
    const old = before.get(s.id);
    return !old || !sameSegment(old, s);
  });
  const diff: CaptionDiff = { rev, upserts, removals };
  if (isEmptyDiff(diff) && sameOrder(base, target)) return diff;

  // applyDiff keeps old segments where they were and appends new ones before a stable sort
  // by start, so among equal starts its order depends on history. Where that differs from
  // the target, re-send the whole group of equal starts so it lands in target order.
  const candidate = applyDiff({ rev: rev - 1, segments: base.slice() }, diff)!.segments;
  const regroup = new Set<string>();
  let i = 0;
  while (i < target.length) {
    let j = i + 1;
    while (j < target.length && target[j].start === target[i].start) j++;
    for (let k = i; k < j; k++) {
      if (candidate[k].id !== target[k].id) {
        for (let m = i; m < j; m++) regroup.add(target[m].id);
        break;
      }
    }
    i = j;
  }
  if (regroup.size === 0) return diff;
  return {
    rev,
    upserts: target.filter((s) => regroup.has(s.id) || !before.has(s.id) || !sameSegment(before.get(s.id)!, s)),
    removals: [...removals, ...base.filter((s) => regroup.has(s.id)).map((s) => s.id)],
  };
}

function sameOrder(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].id !== b[i].id) return false;
  return true;
}
