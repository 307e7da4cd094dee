import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { AudioBacklog } from '../../../main/stt/audio-backlog.js';

const ramp = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => (from + i) % 32768);

describe('AudioBacklog', () => {
  test('FIFO by timeline index, across the ring wrap', () => {
    const b = new AudioBacklog(10);
    expect(b.append(ramp(0, 7))).toBe(0);
    b.trimBefore(5);
    expect(b.append(ramp(7, 6))).toBe(0);
    expect([b.startIndex, b.endIndex, b.length]).toEqual([5, 13, 8]);
    expect([...b.read(5, 8)]).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...b.read(9, 2)]).toEqual([9, 10]);
  });

  test('overflow drops the oldest and reports how many', () => {
    const b = new AudioBacklog(10);
    b.append(ramp(0, 8));
    expect(b.append(ramp(8, 5))).toBe(3);
    expect(b.startIndex).toBe(3);
    expect([...b.read(3, 10)]).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // An append larger than the whole ring keeps only its newest samples.
    expect(b.append(ramp(13, 25))).toBe(25);
    expect([b.startIndex, b.endIndex]).toEqual([28, 38]);
    expect([...b.read(28, 10)]).toEqual([28, 29, 30, 31, 32, 33, 34, 35, 36, 37]);
    expect(b.droppedTotal).toBe(28);
  });

  test('reads outside the held range are refused; trims are clamped', () => {
    const b = new AudioBacklog(10);
    b.append(ramp(0, 6));
    b.trimBefore(2);
    expect(() => b.read(1, 2)).toThrow(RangeError);
    expect(() => b.read(4, 3)).toThrow(RangeError);
    b.trimBefore(1);
    expect(b.startIndex).toBe(2);
    b.trimBefore(99);
    expect([b.startIndex, b.length]).toEqual([6, 0]);
    expect(b.read(6, 0).length).toBe(0);
  });

  test('read returns a copy that later appends cannot change', () => {
    const b = new AudioBacklog(4);
    b.append(ramp(0, 4));
    const copy = b.read(0, 4);
    b.append(ramp(100, 4));
    expect([...copy]).toEqual([0, 1, 2, 3]);
  });

  test('matches a plain array model under random appends and trims (seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.oneof(fc.record({ append: fc.nat(60) }), fc.record({ trim: fc.nat(50) })), { maxLength: 40 }),
        (capacity, ops) => {
          const b = new AudioBacklog(capacity);
          let model: number[] = [];
          let start = 0;
          let end = 0;
          let dropped = 0;
          for (const op of ops) {
            if ('append' in op) {
              const chunk = ramp(end, op.append);
              const got = b.append(chunk);
              model.push(...chunk);
              end += op.append;
              const over = Math.max(0, model.length - capacity);
              model = model.slice(over);
              start += over;
              dropped += over;
              if (got !== over) return false;
            } else {
              const to = Math.min(Math.max(start, start + op.trim), end);
              b.trimBefore(start + op.trim);
              model = model.slice(to - start);
              start = to;
            }
            if (b.startIndex !== start || b.endIndex !== end || b.droppedTotal !== dropped) return false;
            if ([...b.read(start, end - start)].join() !== model.join()) return false;
          }
          return true;
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
