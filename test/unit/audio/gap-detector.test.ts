import { describe, expect, it } from 'vitest';
import { GapDetector } from '../../../main/audio/gap-detector.js';

const RATE = 48000;
const CHUNK_MS = 20;
const FRAMES = (RATE * CHUNK_MS) / 1000;

/**
 * Simulates a capture: chunk i is captured at i × 20 ms (scaled by the device clock's drift) and
 * arrives after `latency(i)` ms. `lose(i)` drops chunk i before delivery. Returns what was reported.
 */
function simulate(opts: { chunks: number; latency?: (i: number) => number; lose?: (i: number) => boolean; drift?: number }) {
  const d = new GapDetector(RATE);
  const events: Array<{ at: number; lost: number }> = [];
  const arrivals: Array<{ t: number; i: number }> = [];
  for (let i = 0; i < opts.chunks; i++) {
    if (opts.lose?.(i)) continue;
    const captured = (i + 1) * CHUNK_MS * (1 + (opts.drift ?? 0));
    arrivals.push({ t: captured + (opts.latency?.(i) ?? 5), i });
  }
  // Arrival order is capture order even when latency varies (the driver queue is FIFO).
  let last = 0;
  for (const a of arrivals) {
    last = Math.max(last, a.t);
    const lost = d.onFrames(FRAMES, last);
    if (lost) events.push({ at: a.i, lost });
  }
  return events;
}

describe('GapDetector', () => {
  it('reports nothing for steady delivery with jitter', () => {
    expect(simulate({ chunks: 3000, latency: (i) => 5 + ((i * 7919) % 23) })).toEqual([]);
  });

  it('reports nothing when the event loop stalls for 1.5 s but the queue catches up', () => {
    // Chunks captured during the stall all arrive when it ends.
    expect(simulate({ chunks: 3000, latency: (i) => (i >= 1000 && i < 1075 ? (1075 - i) * CHUNK_MS + 5 : 5) })).toEqual([]);
  });

  it('reports a 200 ms loss once, with its size', () => {
    const events = simulate({ chunks: 3000, lose: (i) => i >= 1500 && i < 1510 });
    expect(events).toHaveLength(1);
    expect(events[0].lost).toBeCloseTo(200, 0);
    expect(events[0].at).toBeGreaterThan(1500);
    expect(events[0].at).toBeLessThan(1500 + 250); // within about 5 s of audio
  });

  it('reports separate losses separately', () => {
    const events = simulate({ chunks: 6000, lose: (i) => (i >= 1000 && i < 1005) || (i >= 4000 && i < 4020) });
    expect(events.map((e) => Math.round(e.lost))).toEqual([100, 400]);
  });

  it('tolerates the drift between a sound card clock and the system clock (200 ppm either way)', () => {
    expect(simulate({ chunks: 30000, drift: 2e-4 })).toEqual([]);
    expect(simulate({ chunks: 30000, drift: -2e-4 })).toEqual([]);
  });
});
