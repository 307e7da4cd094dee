/**
 * Releases file audio at real time. Frame n is due at start + n x frame / speed on the
 * monotonic clock; every due time is computed from the start, never from the previous
 * wake-up, so timer lateness and sleep overhead never accumulate into drift. A frame that
 * is already due (the consumer or the source was slow) is released at once, so the stream
 * catches up to its schedule but is never ahead of it.
 *
 * Backpressure: when the consumer says it cannot take more (`ready` returns false: the
 * session has a lot of audio it has not sent yet), the next frame waits, and the whole
 * schedule moves back by the time waited, so the stream slows down instead of bursting
 * afterwards or overflowing the consumer's bounded buffer.
 */
import { EarshotError } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';

export interface PaceOptions {
  /** Samples per released frame; the last frame may be shorter. */
  frameSamples: number;
  sampleRate: number;
  /** Playback rate multiplier; 1 = real time, Infinity = no waiting (re-framing only). */
  speed?: number;
  clock: Clock;
  /** Aborting ends the iteration quietly (the caller then flushes what was sent). */
  signal?: AbortSignal;
  /** Called as each frame leaves: its index, when it was due and when it left (clock ms). */
  onRelease?: (info: { index: number; dueMs: number; releasedMs: number; samples: number }) => void;
  /** Backpressure: polled before each frame; while it returns false the stream waits. */
  ready?: () => boolean;
  /** Called after each backpressure wait, with its length and the total so far (clock ms). */
  onHold?: (info: { heldMs: number; totalHeldMs: number }) => void;
}

/** How often `ready` is polled while the consumer is full. */
const HOLD_POLL_MS = 5;

export async function* pace(frames: AsyncIterable<Int16Array>, options: PaceOptions): AsyncGenerator<Int16Array, void, undefined> {
  const { frameSamples, sampleRate, clock, signal, onRelease, ready, onHold } = options;
  const speed = options.speed ?? 1;
  if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new EarshotError('BAD_ARGUMENT', `frame size must be a positive number of samples, got ${frameSamples}`);
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new EarshotError('BAD_ARGUMENT', `sample rate must be positive, got ${sampleRate}`);
  if (!(speed > 0)) throw new EarshotError('BAD_ARGUMENT', `--speed must be greater than 0, got ${speed}`);

  const msPerFrame = (frameSamples * 1000) / sampleRate;
  let startMs: number | undefined;
  let index = 0;
  let totalHeldMs = 0;
  const release = async (frame: Int16Array): Promise<boolean> => {
    startMs ??= clock.now();
    const dueMs = dueOf(index);
    if (!(await sleepUntil(clock, dueMs, signal))) return false;
    if (ready && !ready()) {
      const from = clock.now();
      while (!ready()) {
        if (!(await sleepUntil(clock, clock.now() + HOLD_POLL_MS, signal))) return false;
      }
      // The frame is late by the whole wait; move the rest of the schedule back with it.
      const heldMs = clock.now() - from;
      startMs += heldMs;
      totalHeldMs += heldMs;
      onHold?.({ heldMs, totalHeldMs });
    }
    onRelease?.({ index, dueMs: dueOf(index), releasedMs: clock.now(), samples: frame.length });
    index++;
    return true;
  };

  function dueOf(n: number): number {
    return speed === Infinity ? startMs! : startMs! + (n * msPerFrame) / speed;
  }

  const framer = new Framer(frameSamples);
  for await (const chunk of abortable(frames, signal)) {
    for (const frame of framer.push(chunk)) {
      if (!(await release(frame))) return;
      yield frame;
      if (signal?.aborted) return;
    }
  }
  const rest = framer.rest();
  if (rest && !signal?.aborted && (await release(rest))) yield rest;
}

/** Cuts arbitrary chunks into frames of exactly `size` samples. */
export class Framer {
  private buffer: Int16Array;
  private filled = 0;

  constructor(private readonly size: number) {
    this.buffer = new Int16Array(size);
  }

  *push(chunk: Int16Array): Generator<Int16Array> {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.size - this.filled, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.size) {
        const frame = this.buffer;
        this.buffer = new Int16Array(this.size);
        this.filled = 0;
        yield frame;
      }
    }
  }

  /** The partial last frame, if any (a copy). */
  rest(): Int16Array | undefined {
    if (this.filled === 0) return undefined;
    const out = this.buffer.slice(0, this.filled);
    this.filled = 0;
    return out;
  }
}

/** Resolves true at `dueMs`, or false as soon as the signal aborts. */
function sleepUntil(clock: Clock, dueMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  const wait = dueMs - clock.now();
  if (wait <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, wait);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Iterates `source` but stops waiting for it as soon as the signal aborts. */
async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = false;
  try {
    while (true) {
      const next = it.next();
      pending = true;
      const result = signal ? await orAbort(next, signal) : await next;
      if (result === ABORTED) {
        next.catch(() => undefined); // its outcome no longer matters; never an unhandled rejection
        return;
      }
      pending = false;
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // An async generator queues return() behind a pending next(); do not wait for it then.
    const closing = it.return?.();
    if (!pending) await closing;
    else void closing?.catch(() => undefined);
  }
}

const ABORTED = Symbol('aborted');

/**
 * `promise`, or ABORTED as soon as the signal aborts. Deliberately not a Promise.race with one
 * long-lived "aborted" promise: every race leaves a reaction on that never-settling promise,
 * and each reaction keeps its result (a chunk of audio) alive until the run ends, so an hour
 * of audio stayed in memory. Here the listener is removed as soon as `promise` settles.
 */
function orAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
