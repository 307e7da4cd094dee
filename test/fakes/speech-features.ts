/**
 * Spectral fingerprints of speech for the passage recogniser (passage-asr.ts): every 10 ms, the
 * log mean power in 20 mel-spaced bands between 150 Hz and 6 kHz of a 64 ms Hann window, and
 * from those the frame's fingerprint bits (frameBits).
 *
 * Why these: a change of gain only adds a constant to every log power, which the bits ignore;
 * a window much longer than the hop keeps a delay that is not a whole hop from changing the
 * bits much (half a hop off: 70 % of the bits still agree beyond chance with 64 ms, only
 * 34 % with 25 ms); and 6 kHz stays clear of the anti-aliasing roll-off of a 16k→44.1k→16k
 * round trip. Bands are in Hz, not bins, so streams at other rates (OpenAI's 24 kHz) give
 * comparable fingerprints.
 */

export const BANDS = 20;
const LOW_HZ = 150;
const HIGH_HZ = 6000;
/**
 * Added to every band power (full scale = 1): below 16-bit quantisation noise, so digital
 * silence gets one flat value and speech 12 dB quieter keeps its shape.
 */
const POWER_FLOOR = 1e-9;

export interface FeatureFrames {
  /** frames × BANDS log powers, row-major. */
  values: Float32Array;
  /** Per frame: the loudest band's log power (to tell digital silence from sound). */
  peak: Float32Array;
  count: number;
}

/** Streaming extractor: feed samples in any pieces, get each 10 ms frame once its window is full. */
export class FeatureExtractor {
  readonly hop: number;
  readonly win: number;
  private readonly size: number;
  private readonly window: Float64Array;
  private readonly bandOf: Int16Array;
  private readonly binsIn: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly bits: Uint32Array;
  private pending = new Float64Array(0);
  private used = 0;
  /** Frames produced so far. */
  frames = 0;

  constructor(readonly rate: number) {
    this.hop = Math.round(rate / 100);
    this.win = Math.round((rate * 64) / 1000);
    let size = 1;
    while (size < this.win) size *= 2;
    this.size = size;
    this.window = Float64Array.from({ length: this.win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (this.win - 1)));
    const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
    this.bandOf = new Int16Array(size / 2).fill(-1);
    this.binsIn = new Float64Array(BANDS);
    for (let k = 0; k < size / 2; k++) {
      const hz = (k * rate) / size;
      if (hz < LOW_HZ || hz >= HIGH_HZ) continue;
      const b = Math.floor(((mel(hz) - mel(LOW_HZ)) / (mel(HIGH_HZ) - mel(LOW_HZ))) * BANDS);
      this.bandOf[k] = b;
      this.binsIn[b]!++;
    }
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
    this.bits = bitReversal(size);
  }

  /** Appends samples; returns the fingerprints of the frames they completed. */
  push(samples: Int16Array): FeatureFrames {
    const buf = new Float64Array(this.pending.length - this.used + samples.length);
    buf.set(this.pending.subarray(this.used));
    for (let i = 0; i < samples.length; i++) buf[this.pending.length - this.used + i] = samples[i]! / 32768;
    const count = buf.length >= this.win ? Math.floor((buf.length - this.win) / this.hop) + 1 : 0;
    const values = new Float32Array(count * BANDS);
    const peak = new Float32Array(count);
    for (let f = 0; f < count; f++) peak[f] = this.frame(buf, f * this.hop, values, f * BANDS);
    this.pending = buf;
    this.used = count * this.hop;
    this.frames += count;
    return { values, peak, count };
  }

  private frame(x: Float64Array, from: number, out: Float32Array, at: number): number {
    const { re, im, bits, size } = this;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < this.win; i++) re[bits[i]!] = x[from + i]! * this.window[i]!;
    fftInPlace(re, im);
    const power = new Float64Array(BANDS);
    for (let k = 0; k < size / 2; k++) {
      const b = this.bandOf[k]!;
      if (b >= 0) power[b]! += re[k]! * re[k]! + im[k]! * im[k]!;
    }
    let peak = -Infinity;
    for (let b = 0; b < BANDS; b++) {
      const v = Math.log(power[b]! / Math.max(1, this.binsIn[b]!) + POWER_FLOOR);
      out[at + b] = v;
      if (v > peak) peak = v;
    }
    return peak;
  }
}

/**
 * A frame's fingerprint bits (Haitsma & Kalker's audio fingerprint on these bands): bit b says
 * whether the difference between bands b and b+1 grew since the previous frame. Any gain and
 * any fixed or slowly changing colouring cancel out, and damage (an echo canceller gating or
 * reshaping part of the speech) flips only some bits; two unrelated sounds agree on half.
 */
export function frameBits(prev: ArrayLike<number>, cur: ArrayLike<number>, at = 0, prevAt = 0): number {
  let bits = 0;
  for (let b = 0; b < BANDS - 1; b++) {
    const d = cur[at + b]! - cur[at + b + 1]! - (prev[prevAt + b]! - prev[prevAt + b + 1]!);
    if (d > 0) bits |= 1 << b;
  }
  return bits;
}

export const BITS_PER_FRAME = BANDS - 1;

/** Number of set bits. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A frame's total power in dB (full scale 0). */
export function frameLoudness(values: ArrayLike<number>, at = 0): number {
  let sum = 0;
  for (let b = 0; b < BANDS; b++) sum += Math.exp(values[at + b]!);
  return 10 * Math.log10(sum);
}

/** The log power a band of digital silence has: anything this low holds no sound. */
export const SILENT_LOG_POWER = Math.log(POWER_FLOOR);

/** Fingerprints of a whole recording. */
export function featuresOf(samples: Int16Array, rate: number): FeatureFrames {
  return new FeatureExtractor(rate).push(samples);
}

function bitReversal(n: number): Uint32Array {
  const out = new Uint32Array(n);
  const levels = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < levels; b++) r |= ((i >> b) & 1) << (levels - 1 - b);
    out[i] = r;
  }
  return out;
}

/** Radix-2 FFT on input already placed in bit-reversed order. */
function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let len = 2; len <= n; len *= 2) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let j = 0; j < len / 2; j++) {
        const a = i + j;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}
