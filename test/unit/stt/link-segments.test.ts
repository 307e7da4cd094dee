import { describe, expect, test } from 'vitest';
import { LinkSegments } from '../../../main/stt/link-segments.js';
import { SendBudget } from '../../../main/stt/send-budget.js';

describe('LinkSegments', () => {
  test('times are shifted by the link\'s first sample; ids carry the link number', () => {
    const s = new LinkSegments(3, 48000, 16000);
    const { changes } = s.upsert({ id: '0', text: ' hello ', start: 0.5, end: 1.25, final: false }, 2);
    expect(changes).toEqual([{ kind: 'upsert', segment: { id: '3:0', text: 'hello', start: 3.5, end: 4.25, final: false } }]);
  });

  test('a final waits for all earlier segments; the release point is the end of the contiguous run', () => {
    const s = new LinkSegments(1, 16000, 16000);
    s.upsert({ id: '0', text: 'a', start: 0, end: 1, final: false }, 1);
    const r1 = s.upsert({ id: '1', text: 'b', start: 2, end: 3, final: true }, 3);
    expect(r1.finalEnd).toBeUndefined();
    expect(r1.changes).toEqual([{ kind: 'upsert', segment: { id: '1:1', text: 'b', start: 3, end: 4, final: false } }]);
    const r2 = s.upsert({ id: '0', text: 'a', start: 0, end: 1, final: true }, 3);
    expect(r2.finalEnd).toBe(16000 + 3 * 16000);
    expect(r2.changes.map((c) => (c.kind === 'upsert' ? `${c.segment.id}${c.segment.final ? '!' : ''}` : c.id))).toEqual(['1:0!', '1:1!']);
  });

  test('unchanged re-sends emit nothing; empty text is not shown; missing times come from the send position', () => {
    const s = new LinkSegments(1, 0, 16000);
    expect(s.upsert({ id: '0', text: 'x', final: false }, 2).changes).toEqual([{ kind: 'upsert', segment: { id: '1:0', text: 'x', start: 2, end: 2, final: false } }]);
    expect(s.upsert({ id: '0', text: 'x', final: false }, 2).changes).toEqual([]);
    expect(s.upsert({ id: '0', text: '  ', final: false }, 2.5).changes).toEqual([{ kind: 'remove', id: '1:0' }]);
    expect(s.upsert({ id: '1', text: '', start: 3, end: 4, final: false }, 4).changes).toEqual([]);
  });

  test('retire: non-final removed, except audio already lost to overflow (kept as final)', () => {
    const s = new LinkSegments(2, 0, 16000);
    s.upsert({ id: '0', text: 'kept', start: 0, end: 1, final: true }, 1);
    s.upsert({ id: '1', text: 'lost audio', start: 2, end: 3, final: false }, 3);
    s.upsert({ id: '2', text: 'replayed', start: 5, end: 6, final: false }, 6);
    const changes = s.retire(4 * 16000);
    expect(changes).toEqual([
      { kind: 'upsert', segment: { id: '2:1', text: 'lost audio', start: 2, end: 3, final: true } },
      { kind: 'remove', id: '2:2' },
    ]);
    expect(s.pending).toBe(0);
  });

  test('a jump (lost audio skipped on a live link) keeps later times on the timeline', () => {
    const s = new LinkSegments(1, 16000, 16000);
    s.upsert({ id: '0', text: 'before', start: 0.5, end: 1, final: true }, 1);
    s.jump(2 * 16000, 10 * 16000);
    const r = s.upsert({ id: '1', text: 'after', start: 2.5, end: 3, final: true }, 3);
    expect(r.changes).toEqual([{ kind: 'upsert', segment: { id: '1:1', text: 'after', start: 10.5, end: 11, final: true } }]);
    expect(r.finalEnd).toBe(11 * 16000);
  });

  test('retract of a final is ignored; retract of a pending one can unblock later finals', () => {
    const s = new LinkSegments(1, 0, 16000);
    s.upsert({ id: '0', text: 'a', start: 0, end: 1, final: true }, 1);
    expect(s.retract('0').changes).toEqual([]);
    s.upsert({ id: '1', text: 'b', start: 2, end: 3, final: false }, 3);
    s.upsert({ id: '2', text: 'c', start: 4, end: 5, final: true }, 5);
    const r = s.retract('1');
    expect(r.changes.map((c) => (c.kind === 'remove' ? `-${c.id}` : `${c.segment.id}${c.segment.final ? '!' : ''}`))).toEqual(['-1:1', '1:2!']);
    expect(r.finalEnd).toBe(5 * 16000);
  });
});

describe('SendBudget', () => {
  test('one frame at once, then the refill rate', () => {
    const b = new SendBudget(32, 800, 0); // 2x real time at 16 kHz
    expect(b.waitMs(800, 0)).toBe(0);
    b.take(800, 0);
    expect(b.waitMs(800, 0)).toBe(25);
    expect(b.waitMs(800, 10)).toBe(15);
    expect(b.waitMs(800, 25)).toBe(0);
    b.take(800, 25);
    // Idle time does not accumulate beyond one frame.
    expect(b.waitMs(800, 10_000)).toBe(0);
    b.take(800, 10_000);
    expect(b.waitMs(800, 10_000)).toBe(25);
  });
});
