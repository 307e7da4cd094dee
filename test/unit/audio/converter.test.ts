import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConverter } from '../../../main/audio/converter.js';
import type { AudioFormat } from '../../../main/audio/types.js';
import { db, fitAmplitude } from './sine-fit.js';
import { encode } from './wav-builder.js';
import { concatPcm } from '../../fakes/pcm.js';

function run(format: AudioFormat, bytes: Uint8Array, cuts: number[], outRate = 16000): Int16Array {
  const conv = createConverter(format, outRate);
  const parts: Int16Array[] = [];
  let at = 0;
  for (const c of cuts) {
    const end = Math.min(bytes.length, at + c);
    // Hand over a copy that is then scribbled on: the converter must not keep references.
    const piece = Buffer.from(bytes.subarray(at, end));
    parts.push(conv.push(piece));
    piece.fill(0x5a);
    at = end;
  }
  parts.push(conv.push(bytes.subarray(at)), conv.flush());
  return concatPcm(parts);
}

const noise = (n: number, seed: number) => {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 31 - 1) * 0.99;
  });
};

describe('createConverter', () => {
  it('16 kHz mono s16 passes through bit-exact, however it is chunked (odd byte splits too)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 20 }), (seed, cuts) => {
        const bytes = encode(noise(4000, seed), 's16');
        const out = run({ sampleRate: 16000, channels: 1, sampleFormat: 's16' }, bytes, cuts);
        expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(bytes)).toBe(true);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('output does not depend on chunking for 44.1 kHz stereo s24 (partial frames carried)', () => {
    const format: AudioFormat = { sampleRate: 44100, channels: 2, sampleFormat: 's24' };
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 1500 }), { maxLength: 20 }), (seed, cuts) => {
        const bytes = encode(noise(6000, seed), 's24');
        const whole = run(format, bytes, []);
        const chunked = run(format, bytes, cuts);
        expect(Array.from(chunked)).toEqual(Array.from(whole));
        expect(whole.length).toBe(Math.ceil((3000 * 16000) / 44100));
      }),
      { seed: 99, numRuns: 40 },
    );
  });

  it('48 kHz stereo f32 → 16 kHz mono: downmixes, resamples, keeps level', () => {
    const n = 4800;
    const tone = Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    // Same tone in both channels plus opposite-phase noise that the downmix cancels.
    const hiss = noise(n, 5).map((x) => x * 0.1);
    const inter = tone.flatMap((t, i) => [t + hiss[i], t - hiss[i]]);
    const out = run({ sampleRate: 48000, channels: 2, sampleFormat: 'f32' }, encode(inter, 'f32'), [1001, 7, 3333]);
    expect(out.length).toBe(1600);
    expect(db(fitAmplitude(out, 1000, 16000, 100, 1500) / (0.5 * 32768))).toBeCloseTo(0, 1);
  });

  it('clips over-range float input instead of wrapping', () => {
    const out = run({ sampleRate: 16000, channels: 1, sampleFormat: 'f32' }, encode([2, -2, 0.5], 'f32'), []);
    expect(Array.from(out)).toEqual([32767, -32768, 16384]);
  });

  it('u8 8 kHz mono → 24 kHz works (any output rate)', () => {
    const bytes = encode(Array.from({ length: 800 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 500 * i) / 8000)), 'u8');
    const out = run({ sampleRate: 8000, channels: 1, sampleFormat: 'u8' }, bytes, [100], 24000);
    expect(out.length).toBe(2400);
    expect(db(fitAmplitude(out, 500, 24000, 200, 2200) / (0.5 * 32768))).toBeCloseTo(0, 1);
  });

  it('drops and counts a trailing partial frame at flush', () => {
    const conv = createConverter({ sampleRate: 16000, channels: 2, sampleFormat: 's16' }, 16000);
    conv.push(new Uint8Array(10)); // 2 frames + 2 bytes
    conv.flush();
    expect(conv.droppedBytes).toBe(2);
  });
});
