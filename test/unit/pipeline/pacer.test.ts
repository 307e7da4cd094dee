import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Framer, pace, type PaceOptions } from '../../../main/pipeline/pacer.js';
import type { Clock, TimerHandle } from '../../../main/util/clock.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';

const RATE = 16_000;
const FRAME = 800; // 50 ms

async function* chunks(sizes: number[], opts: { onDone?: () => void; clock?: FakeClock; stallAt?: number; stallMs?: number } = {}) {
  let value = 0;
  try {
    for (const [i, size] of sizes.entries()) {
      if (opts.clock && i === opts.stallAt) {
        const clock = opts.clock;
        await new Promise<void>((r) => clock.setTimeout(r, opts.stallMs ?? 0));
      }
      const chunk = new Int16Array(size);
      for (let k = 0; k < size; k++) chunk[k] = value++ % 30000;
      yield chunk;
    }
  } finally {
    opts.onDone?.();
  }
}

/**
 * Consumes the pacer, advancing the fake clock only to its next due timer. `options.clock`
 * may wrap `fake` (see LateClock); time is always driven through `fake`.
 */
async function drive(fake: FakeClock, source: AsyncIterable<Int16Array>, options: PaceOptions, consumerDelayMs = 0) {
  const out: { at: number; frame: Int16Array }[] = [];
  let done = false;
  const consumer = (async () => {
    for await (const frame of pace(source, options)) {
      out.push({ at: fake.now(), frame });
      if (consumerDelayMs > 0) await new Promise<void>((r) => fake.setTimeout(r, consumerDelayMs));
    }
  })().finally(() => { done = true; });
  for (let guard = 0; !done && guard < 100_000; guard++) {
    await flushMicrotasks(20);
    const due = fake.nextDue();
    if (!done && due !== undefined) fake.advance(due - fake.now());
  }
  await consumer;
  return out;
}

/** A clock whose timers always fire `lateMs` after they were due, like a busy event loop. */
class LateClock implements Clock {
  constructor(readonly inner: FakeClock, readonly lateMs: number) {}
  now() { return this.inner.now(); }
  setTimeout(fn: () => void, ms: number): TimerHandle { return this.inner.setTimeout(fn, ms + this.lateMs); }
  clearTimeout(h: TimerHandle | undefined) { this.inner.clearTimeout(h); }
}

describe('Framer', () => {
  it('cuts any chunking into exact frames and keeps every sample', () => {
    const framer = new Framer(5);
    const input = Int16Array.from({ length: 23 }, (_, i) => i);
    const frames = [...framer.push(input.subarray(0, 3)), ...framer.push(input.subarray(3, 4)), ...framer.push(input.subarray(4))];
    expect(frames.map((f) => f.length)).toEqual([5, 5, 5, 5]);
    const rest = framer.rest()!;
    expect(rest.length).toBe(3);
    expect([...frames.flatMap((f) => [...f]), ...rest]).toEqual([...input]);
    expect(framer.rest()).toBeUndefined();
  });
});

describe('pace', () => {
  it('releases frame n at start + n x frame, exact frames, last one shorter', async () => {
    const clock = new FakeClock(5000);
    const out = await drive(clock, chunks([1000, 333, 2000, 67, 1]), { frameSamples: FRAME, sampleRate: RATE, clock });
    expect(out.map((o) => o.frame.length)).toEqual([800, 800, 800, 800, 201]);
    expect(out.map((o) => o.at - 5000)).toEqual([0, 50, 100, 150, 200]);
    const all = out.flatMap((o) => [...o.frame]);
    expect(all).toEqual(Array.from({ length: 3401 }, (_, i) => i));
  });

  it('--speed multiplies the rate', async () => {
    const clock = new FakeClock(0);
    const out = await drive(clock, chunks([800 * 5]), { frameSamples: FRAME, sampleRate: RATE, speed: 4, clock });
    expect(out.map((o) => o.at)).toEqual([0, 12.5, 25, 37.5, 50]);
  });

  it('late wake-ups do not drift: lateness stays one timer late, never accumulates', async () => {
    const fake = new FakeClock(0);
    const frames = 200;
    const out = await drive(fake, chunks(Array(frames).fill(FRAME)), { frameSamples: FRAME, sampleRate: RATE, clock: new LateClock(fake, 7) });
    expect(out).toHaveLength(frames);
    const lateness = out.map((o, n) => o.at - n * 50);
    expect(lateness[0]).toBe(0);
    expect(lateness.slice(1).every((l) => l === 7)).toBe(true);
    // A schedule of sleep(frame) after each wake-up would end 199 x 7 ms late instead.
    expect(out[frames - 1].at).toBe(199 * 50 + 7);
  });

  it('a slow consumer does not push the schedule back', async () => {
    const clock = new FakeClock(0);
    // The consumer spends 30 ms on each frame (e.g. a busy socket write), less than a frame.
    const out = await drive(clock, chunks(Array(100).fill(FRAME)), { frameSamples: FRAME, sampleRate: RATE, clock }, 30);
    expect(out.map((o) => o.at)).toEqual(Array.from({ length: 100 }, (_, n) => n * 50));
  });

  it('after a source stall it catches up to the schedule but never gets ahead of it', async () => {
    const clock = new FakeClock(0);
    const out = await drive(clock, chunks(Array(10).fill(FRAME), { clock, stallAt: 3, stallMs: 220 }), { frameSamples: FRAME, sampleRate: RATE, clock });
    const times = out.map((o) => o.at);
    // Frames 0-2 on time; the source stalls until 100+220 ms; then 3..6 are overdue and leave at once.
    expect(times).toEqual([0, 50, 100, 320, 320, 320, 320, 350, 400, 450]);
    times.forEach((t, n) => expect(t).toBeGreaterThanOrEqual(n * 50));
  });

  it('abort while waiting ends the iteration quietly, clears its timer and closes the source', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    let sourceClosed = false;
    const got: number[] = [];
    const consumer = (async () => {
      for await (const f of pace(chunks(Array(100).fill(FRAME), { onDone: () => { sourceClosed = true; } }), {
        frameSamples: FRAME, sampleRate: RATE, clock, signal: controller.signal,
      })) got.push(f.length);
    })();
    await flushMicrotasks(20);
    clock.advance(50);
    await flushMicrotasks(20);
    clock.advance(20);
    controller.abort();
    await consumer;
    expect(got).toEqual([800, 800]);
    expect(clock.pending).toBe(0);
    expect(sourceClosed).toBe(true);
  });

  it('abort while the source is silent ends the iteration too', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const never: AsyncIterable<Int16Array> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) };
    const consumer = (async () => {
      for await (const _ of pace(never, { frameSamples: FRAME, sampleRate: RATE, clock, signal: controller.signal })) throw new Error('no frame expected');
    })();
    await flushMicrotasks();
    controller.abort();
    await expect(consumer).resolves.toBeUndefined();
  });

  it('reports each release for jitter statistics', async () => {
    const clock = new FakeClock(0);
    const infos: unknown[] = [];
    await drive(clock, chunks([1700]), { frameSamples: FRAME, sampleRate: RATE, clock, onRelease: (i) => infos.push(i) });
    expect(infos).toEqual([
      { index: 0, dueMs: 0, releasedMs: 0, samples: 800 },
      { index: 1, dueMs: 50, releasedMs: 50, samples: 800 },
      { index: 2, dueMs: 100, releasedMs: 100, samples: 100 },
    ]);
  });

  it('rejects nonsense options with BAD_ARGUMENT', async () => {
    const clock = new FakeClock(0);
    for (const bad of [{ frameSamples: 0 }, { frameSamples: 1.5 }, { speed: 0 }, { speed: Number.NaN }, { sampleRate: -1 }]) {
      const it = pace(chunks([10]), { frameSamples: FRAME, sampleRate: RATE, clock, ...bad });
      await expect(it.next()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    }
  });

  it('backpressure: waits while the consumer is full and moves the rest of the schedule back', async () => {
    const clock = new FakeClock(0);
    // The consumer is full from 100 ms until 230 ms.
    const ready = () => clock.now() < 100 || clock.now() >= 230;
    const holds: { heldMs: number; totalHeldMs: number }[] = [];
    const out = await drive(clock, chunks(Array(6).fill(FRAME)), { frameSamples: FRAME, sampleRate: RATE, clock, ready, onHold: (h) => holds.push(h) });
    // Frame 2 was due at 100 and waits (polled every 5 ms) until 230; 3..5 follow 50 ms apart, no burst.
    expect(out.map((o) => o.at)).toEqual([0, 50, 230, 280, 330, 380]);
    expect(holds).toEqual([{ heldMs: 130, totalHeldMs: 130 }]);
    expect(out.flatMap((o) => [...o.frame])).toEqual(Array.from({ length: 6 * FRAME }, (_, i) => i));
  });

  it('abort while held by backpressure ends quietly and leaves no timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const got: number[] = [];
    const consumer = (async () => {
      for await (const f of pace(chunks(Array(10).fill(FRAME)), { frameSamples: FRAME, sampleRate: RATE, clock, signal: controller.signal, ready: () => got.length < 2 })) got.push(f.length);
    })();
    for (let t = 0; t < 40; t++) {
      await flushMicrotasks(20);
      clock.advance(5);
    }
    controller.abort();
    await consumer;
    expect(got).toEqual([800, 800]);
    expect(clock.pending).toBe(0);
  });

  it('keeps no reference to frames it has passed on (an hour of audio must not pile up)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const controller = new AbortController(); // alive and never aborted, as during a run
    const refs: WeakRef<Int16Array>[] = [];
    async function* source() {
      for (let i = 0; i < 50; i++) {
        const chunk = new Int16Array(64 * 1024);
        refs.push(new WeakRef(chunk));
        yield chunk;
      }
    }
    let frames = 0;
    for await (const frame of pace(source(), { frameSamples: 64 * 1024, sampleRate: RATE, speed: Infinity, clock: new FakeClock(0), signal: controller.signal })) {
      frames += frame.length > 0 ? 1 : 0;
    }
    expect(frames).toBe(50);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive).toBe(0);
    expect(controller.signal.aborted).toBe(false);
  });
});
