import { describe, expect, it } from 'vitest';
import { SilenceTimer, type TimerPort } from '../../../renderer/lib/silence-timer.js';

class FakeTimers implements TimerPort {
  t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => { this.queue = this.queue.filter((q) => q.id !== h); };
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  get pending() { return this.queue.length; }
}

describe('SilenceTimer', () => {
  it('fires once after the set silence since the last change', () => {
    const timers = new FakeTimers();
    let fired = 0;
    const s = new SilenceTimer(timers, () => fired++);
    s.setDelay(5);
    s.activity();
    timers.advance(4000);
    s.activity();
    timers.advance(4999);
    expect(fired).toBe(0);
    timers.advance(1);
    expect(fired).toBe(1);
    timers.advance(60_000);
    expect(fired).toBe(1);
    s.activity();
    timers.advance(5000);
    expect(fired).toBe(2);
  });

  it('never fires with 0, and counts a new delay from the last change', () => {
    const timers = new FakeTimers();
    let fired = 0;
    const s = new SilenceTimer(timers, () => fired++);
    s.activity();
    timers.advance(100_000);
    expect(fired).toBe(0);
    expect(timers.pending).toBe(0);
    s.activity();
    timers.advance(2000);
    s.setDelay(3);
    timers.advance(999);
    expect(fired).toBe(0);
    timers.advance(1);
    expect(fired).toBe(1);
  });

  it('does not fire before anything was shown, nor after dispose', () => {
    const timers = new FakeTimers();
    let fired = 0;
    const s = new SilenceTimer(timers, () => fired++);
    s.setDelay(3);
    timers.advance(10_000);
    expect(fired).toBe(0);
    s.activity();
    s.dispose();
    timers.advance(10_000);
    expect(fired).toBe(0);
    expect(timers.pending).toBe(0);
  });
});
