import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../main/audio/resampler.js';
import { db, fitAmplitude, rms, sine } from './sine-fit.js';

const OUT = 16000;

/** Gain in dB of a sine at f through a fresh inRate → outRate resampler, from a least-squares fit. */
function gainDb(r: Resampler, f: number): number {
  const n = Math.round(r.inRate * 0.1);
  const y = concat(r.push(sine(f, r.inRate, n, 0.5, 0.3)), r.flush());
  const edge = Math.round(r.outRate * 0.01); // skip the start and end transients
  return db(fitAmplitude(y, f, r.outRate, edge, y.length - edge) / 0.5);
}

/** Level in dB (re the input amplitude) of everything a full-scale tone at f leaves in the output. */
function residueDb(r: Resampler, f: number): number {
  const n = Math.round(r.inRate * 0.1);
  const y = concat(r.push(sine(f, r.inRate, n, 1, 0.7)), r.flush());
  const edge = Math.round(r.outRate * 0.01);
  return db(rms(y, edge, y.length - edge) * Math.SQRT2);
}

function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe.each([48000, 44100])('%i Hz → 16 kHz quality', (inRate) => {
  it('passband is within ±0.5 dB up to 6 kHz', () => {
    const r = new Resampler(inRate, OUT);
    const gains = [50, 100, 300, 1000, 2000, 3000, 3400, 4000, 5000, 5500, 5800, 6000].map((f) => gainDb(r, f));
    for (const g of gains) expect(Math.abs(g)).toBeLessThanOrEqual(0.5);
  });

  it('every tone from 8.8 kHz to Nyquist is attenuated by at least 90 dB', () => {
    const r = new Resampler(inRate, OUT);
    let worst = -Infinity;
    for (let f = 8800; f < inRate / 2; f += 100) worst = Math.max(worst, residueDb(r, f));
    worst = Math.max(worst, residueDb(r, inRate / 2 - 10));
    expect(worst).toBeLessThanOrEqual(-90);
  });

  it('has zero group delay: output k matches the input at time k / 16000', () => {
    const r = new Resampler(inRate, OUT);
    const f = 1234;
    const y = concat(r.push(sine(f, inRate, inRate / 10, 0.5)), r.flush());
    const ideal = sine(f, OUT, y.length, 0.5);
    let maxErr = 0;
    for (let k = 100; k < y.length - 100; k++) maxErr = Math.max(maxErr, Math.abs(y[k] - ideal[k]));
    expect(maxErr).toBeLessThan(1e-4);
  });
});

describe('other rate pairs', () => {
  it.each([
    [16000, 24000],
    [8000, 16000],
    [22050, 16000],
    [11025, 16000],
    [44100, 24000],
  ])('%i → %i reproduces a 1 kHz tone at the right time with images and aliases below -80 dB', (inRate, outRate) => {
    const r = new Resampler(inRate, outRate);
    const y = concat(r.push(sine(1000, inRate, inRate / 5, 0.5)), r.flush());
    expect(y.length).toBe(Math.ceil((inRate / 5) * (outRate / inRate)));
    const ideal = sine(1000, outRate, y.length, 0.5);
    const edge = Math.round(outRate * 0.01);
    const err = new Float64Array(y.length).map((_, k) => y[k] - ideal[k]);
    expect(db(rms(err, edge, y.length - edge) / 0.5)).toBeLessThan(-80);
  });

  it('equal rates pass through unchanged', () => {
    const r = new Resampler(16000, 16000);
    const x = sine(440, 16000, 1000, 0.9);
    expect(Array.from(r.push(x))).toEqual(Array.from(x));
    expect(r.flush().length).toBe(0);
  });

  it('rejects non-integer or non-positive rates', () => {
    expect(() => new Resampler(44100.5, 16000)).toThrow(RangeError);
    expect(() => new Resampler(0, 16000)).toThrow(RangeError);
  });
});

describe('streaming invariants (seeded property tests)', () => {
  // Includes a pair whose L (16000) is too large to tabulate, exercising the lazy-phase path.
  const pairs = [[48000, 16000], [44100, 16000], [16000, 24000], [8000, 16000], [22050, 16000], [47999, 16000], [96000, 24000]];
  const seedSignal = (n: number, seed: number) => {
    let s = seed >>> 0 || 1;
    return Float64Array.from({ length: n }, () => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s / 2 ** 31 - 1;
    });
  };

  it('any chunking gives bit-identical output', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer(),
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 30 }),
        ([inRate, outRate], n, seed, cuts) => {
          const x = seedSignal(n, seed);
          const whole = new Resampler(inRate, outRate);
          const expected = concat(whole.push(x), whole.flush());
          const chunked = new Resampler(inRate, outRate);
          const parts: Float64Array[] = [];
          let at = 0;
          for (const c of cuts) {
            const end = Math.min(n, at + c);
            parts.push(chunked.push(x.subarray(at, end)));
            at = end;
          }
          parts.push(chunked.push(x.subarray(at)), chunked.flush());
          const got = concat(...parts);
          expect(got.length).toBe(expected.length);
          expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        },
      ),
      { seed: 20240611, numRuns: 120 },
    );
  });

  it('conserves sample count: ceil(n × out / in) after flush, and never emits ahead of the input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 12 }), ([inRate, outRate], sizes) => {
        const r = new Resampler(inRate, outRate);
        let nIn = 0;
        let nOut = 0;
        for (const size of sizes) {
          nIn += size;
          nOut += r.push(new Float64Array(size)).length;
          // Output k stands for input time k / outRate: it exists only once that time has arrived.
          expect(nOut).toBeLessThanOrEqual(Math.ceil((nIn * outRate) / inRate));
        }
        nOut += r.flush().length;
        expect(nOut).toBe(Math.ceil((nIn * outRate) / inRate));
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it('flush() starts a fresh stream: the same input twice gives the same output twice', () => {
    const r = new Resampler(44100, 16000);
    const x = seedSignal(5000, 3);
    const a = concat(r.push(x), r.flush());
    const b = concat(r.push(x), r.flush());
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
