/** MeetingMix on a fake clock: both sides of a meeting mixed into one kept track. */
import { describe, expect, it } from 'vitest';
import { MeetingMix } from '../../../main/audio/meeting-mix.js';
import { concat } from '../../e2e/helpers/speech-file.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const RATE = 1000; // 1 sample per ms keeps the arithmetic readable

function setup(maxLagSeconds = 0.5) {
  const clock = new FakeClock();
  const out: Int16Array[] = [];
  const mix = new MeetingMix({ sides: 2, rate: RATE, clock, maxLagSeconds, write: (pcm) => out.push(pcm) });
  const all = () => concat(out);
  return { clock, mix, all };
}

const frame = (n: number, v: number) => new Int16Array(n).fill(v);

describe('MeetingMix', () => {
  it('adds both sides sample by sample, whichever arrives first, and clips instead of wrapping', async () => {
    const t = setup();
    await t.clock.advanceAsync(50);
    t.mix.push(0, frame(50, 100));
    expect(t.all()).toHaveLength(0); // waits for the other side
    t.mix.push(1, Int16Array.from({ length: 50 }, (_, i) => (i < 30 ? 20 : 30)));
    expect(Array.from(new Set(t.all()))).toEqual([120, 130]);
    expect(t.all()).toHaveLength(50);
    await t.clock.advanceAsync(10);
    t.mix.push(0, frame(10, 30000));
    t.mix.push(1, frame(10, 30000));
    expect(t.all().slice(-10).every((v) => v === 32767)).toBe(true);
  });

  it('lines up a side that started later by when its first audio arrived', async () => {
    const t = setup(1);
    t.mix.push(0, frame(100, 1));
    await t.clock.advanceAsync(100);
    t.mix.push(0, frame(100, 1));
    t.mix.push(1, frame(100, 10)); // side 1 began 100 ms after side 0
    t.mix.flush();
    const all = t.all();
    expect(all).toHaveLength(200);
    expect(Array.from(all.slice(0, 100))).toEqual(new Array(100).fill(1));
    expect(Array.from(all.slice(100))).toEqual(new Array(100).fill(11));
  });

  it('never holds one side back more than the allowed lag when the other stalls, and places the stalled side by when it comes back', async () => {
    const t = setup(0.5);
    t.mix.push(0, frame(100, 1));
    t.mix.push(1, frame(100, 2));
    // Side 1's device stops; side 0 goes on for 2 s, 100 ms at a time.
    for (let i = 0; i < 20; i++) {
      await t.clock.advanceAsync(100);
      t.mix.push(0, frame(100, 1));
    }
    const held = 2100 - t.all().length;
    expect(held).toBeLessThanOrEqual(500);
    expect(t.all().slice(100).every((v) => v === 1)).toBe(true); // silence stood in for side 1
    // Side 1 comes back with the last 100 ms: it lines up with side 0's last 100 ms, not back in the gap.
    t.mix.push(1, frame(100, 2));
    t.mix.flush();
    const all = t.all();
    expect(all).toHaveLength(2100);
    expect(Array.from(all.slice(-100))).toEqual(new Array(100).fill(3));
    expect(all.slice(100, 2000).every((v) => v === 1)).toBe(true);
  });

  it('does not mistake frames arriving in bursts for an outage', async () => {
    const t = setup(0.5);
    for (let i = 0; i < 10; i++) {
      await t.clock.advanceAsync(100);
      t.mix.push(0, frame(100, 1));
      // Side 1 delivers 200 ms every other turn, up to 100 ms late.
      if (i % 2 === 1) t.mix.push(1, frame(200, 2));
    }
    t.mix.flush();
    expect(Array.from(new Set(t.all()))).toEqual([3]);
    expect(t.all()).toHaveLength(1000);
  });

  it('flush writes what is still queued; a frame ends when it arrives, so a shorter one sits at the end', () => {
    const t = setup();
    t.mix.push(0, frame(40, 5));
    t.mix.push(1, frame(10, 5));
    t.mix.flush();
    expect(Array.from(t.all())).toEqual([...new Array(30).fill(5), ...new Array(10).fill(10)]);
    t.mix.flush();
    expect(t.all()).toHaveLength(40);
  });
});
