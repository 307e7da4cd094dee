import { describe, expect, it } from 'vitest';
import { PendingSends } from '../../../main/app/pending-sends.js';

describe('PendingSends', () => {
  it('holds pushes made before the page loaded and delivers them in order when it opens', () => {
    const got: string[] = [];
    const p = new PendingSends<string>((m) => got.push(m));
    p.push('shortcut taken');
    p.push('settings damaged');
    expect(got).toEqual([]);
    expect(p.opened()).toBe(0);
    expect(got).toEqual(['shortcut taken', 'settings damaged']);
    p.push('later');
    expect(got.at(-1)).toBe('later');
  });

  it('holds again while the page reloads', () => {
    const got: number[] = [];
    const p = new PendingSends<number>((m) => got.push(m));
    p.opened();
    p.closed();
    p.push(1);
    expect(got).toEqual([]);
    p.opened();
    expect(got).toEqual([1]);
  });

  it('is bounded and says how many it dropped', () => {
    const got: number[] = [];
    const p = new PendingSends<number>((m) => got.push(m), 3);
    for (let i = 0; i < 5; i++) p.push(i);
    expect(p.opened()).toBe(2);
    expect(got).toEqual([2, 3, 4]);
  });
});
