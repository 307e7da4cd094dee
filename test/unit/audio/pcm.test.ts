import { describe, expect, it } from 'vitest';
import { levelOf, SILENCE_DBFS } from '../../../main/audio/level.js';
import { bytesToInt16, decodeToFloat, downmixToMono, floatToInt16, int16ToBytes } from '../../../main/audio/pcm.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('decodeToFloat', () => {
  it('u8 is offset binary around 128', () => {
    expect(Array.from(decodeToFloat(bytes(0, 64, 128, 192, 255), 'u8'))).toEqual([-1, -0.5, 0, 0.5, 127 / 128]);
  });
  it('s16 little-endian, full scale 32768', () => {
    expect(Array.from(decodeToFloat(bytes(0x00, 0x80, 0xff, 0x7f, 0x00, 0x40, 0xff, 0xff), 's16'))).toEqual([
      -1, 32767 / 32768, 0.5, -1 / 32768,
    ]);
  });
  it('s24 sign-extends the top byte', () => {
    expect(Array.from(decodeToFloat(bytes(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40), 's24'))).toEqual([
      -1, 8388607 / 8388608, -1 / 8388608, 0.5,
    ]);
  });
  it('s32 and f32', () => {
    expect(Array.from(decodeToFloat(bytes(0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xc0), 's32'))).toEqual([-1, -0.5]);
    const f = Buffer.alloc(8);
    f.writeFloatLE(0.25, 0);
    f.writeFloatLE(-1.5, 4);
    expect(Array.from(decodeToFloat(f, 'f32'))).toEqual([0.25, -1.5]);
  });
  it('works on an unaligned view into a larger buffer', () => {
    const big = new Uint8Array([9, 0x00, 0x40, 0x00, 0xc0]);
    expect(Array.from(decodeToFloat(big.subarray(1), 's16'))).toEqual([0.5, -0.5]);
  });
});

describe('downmixToMono', () => {
  it('averages channels', () => {
    expect(Array.from(downmixToMono(new Float64Array([1, 0, 0.5, 0.5, -1, 1]), 2))).toEqual([0.5, 0.5, 0]);
    expect(Array.from(downmixToMono(new Float64Array([0.3, 0.6, 0.9, 0, 0, 0.3]), 3))).toEqual([0.6, 0.1].map((x) => expect.closeTo(x, 12)));
  });
  it('mono is returned as is', () => {
    const m = new Float64Array([1, 2]);
    expect(downmixToMono(m, 1)).toBe(m);
  });
});

describe('floatToInt16', () => {
  it('scales, rounds to nearest and clips', () => {
    expect(Array.from(floatToInt16([0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768, NaN]))).toEqual([
      0, 16384, -16384, 32767, -32768, 32767, -32768, 0, 1, -1, 0,
    ]);
  });
  it('s16 → float → s16 round-trips every value', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const back = floatToInt16(decodeToFloat(int16ToBytes(all), 's16'));
    expect(Buffer.from(back.buffer).equals(Buffer.from(all.buffer))).toBe(true);
  });
  it('bytes ↔ int16 views are little-endian, also misaligned', () => {
    const b = new Uint8Array([7, 0x34, 0x12, 0xff, 0xff]);
    expect(Array.from(bytesToInt16(b.subarray(1)))).toEqual([0x1234, -1]);
  });
});

describe('levelOf', () => {
  it('reports -100 dBFS for silence and empty input', () => {
    expect(levelOf(new Int16Array(100))).toEqual({ rmsDbfs: SILENCE_DBFS, peakDbfs: SILENCE_DBFS });
    expect(levelOf(new Int16Array(0)).rmsDbfs).toBe(SILENCE_DBFS);
  });
  it('full-scale square is 0 dBFS, a half-scale sine about -9 dBFS RMS and -6 peak', () => {
    expect(levelOf(Int16Array.from({ length: 100 }, (_, i) => (i % 2 ? 32767 : -32768))).peakDbfs).toBeCloseTo(0, 3);
    const sine = Int16Array.from({ length: 16000 }, (_, i) => Math.round(16384 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    const l = levelOf(sine);
    expect(l.rmsDbfs).toBeCloseTo(-6.02 - 3.01, 1);
    expect(l.peakDbfs).toBeCloseTo(-6.02, 1);
  });
  it('never reports below -100 dBFS', () => {
    expect(levelOf(new Int16Array([1])).rmsDbfs).toBeCloseTo(-90.3, 1);
    expect(levelOf(new Int16Array(1e6).fill(0).map((_, i) => (i === 0 ? 1 : 0))).rmsDbfs).toBe(-100);
  });
});
