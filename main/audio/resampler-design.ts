/**
 * Kaiser-windowed sinc low-pass design for the polyphase resampler.
 *
 * Everything is expressed on the "grid": the input upsampled by L (rate L × inRate), where the
 * prototype filter lives. Output sample k sits at grid position k × M, input sample n at n × L.
 * The filter is symmetric and centred on zero, which is what lets the resampler compensate its
 * group delay exactly (output k is time-aligned with input time k / outRate).
 */

export interface FilterSpec {
  /** Highest frequency kept within ±0.5 dB, as a fraction of min(inRate, outRate). */
  passband: number;
  /** Lowest frequency attenuated by at least `attenuationDb`, same unit. */
  stopband: number;
  /** Stop-band attenuation the Kaiser window is designed for. */
  attenuationDb: number;
}

/**
 * For 16 kHz output: flat to 6 kHz, ≥ 90 dB from 8.8 kHz (content between 8 and 8.8 kHz folds to
 * 7.2-8 kHz, above the band speech recognisers care about). Designed at 100 dB so the measured
 * worst case keeps a margin over the 90 dB requirement.
 */
export const DEFAULT_SPEC: FilterSpec = { passband: 0.375, stopband: 0.55, attenuationDb: 100 };

export interface PolyphaseDesign {
  /** Interpolation factor (out / gcd). */
  L: number;
  /** Decimation factor (in / gcd). */
  M: number;
  /** Input samples needed on each side of an output's position. */
  T: number;
  /** Taps per phase: 2T + 1. */
  taps: number;
  /** Coefficients of phase r at [r × taps, (r+1) × taps), newest input first; or null if built lazily. */
  table: Float64Array | null;
  /** Computes one phase's coefficients (used when L is too large to tabulate). */
  phase(r: number, out: Float64Array): Float64Array;
}

/** Tables above this many phases are computed per output sample instead (exotic rate pairs only). */
const MAX_TABLE_PHASES = 4096;
/**
 * Bounds on the work a rate pair may cost, so that a damaged header (a rate like 383999 Hz)
 * fails at once instead of pinning a core: coefficients in a phase table (32 MB), and taps
 * of a phase computed per output sample (each tap costs a Bessel series there, ~40× a
 * multiply-add; 128 taps keep such pairs, e.g. 47999 → 16000 Hz, faster than real time).
 */
const MAX_TABLE_COEFFS = 4_000_000;
const MAX_LAZY_TAPS = 128;

/** A rate pair whose filter would cost unbounded time or memory (see the bounds above). */
export class ResampleLimitError extends RangeError {
  constructor(readonly inRate: number, readonly outRate: number, what: string) {
    super(`resampling ${inRate} Hz to ${outRate} Hz would need ${what}`);
    this.name = 'ResampleLimitError';
  }
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function designPolyphase(inRate: number, outRate: number, spec: FilterSpec = DEFAULT_SPEC): PolyphaseDesign {
  if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
    throw new RangeError(`sample rates must be positive integers (got ${inRate} → ${outRate})`);
  }
  const g = gcd(inRate, outRate);
  const L = outRate / g;
  const M = inRate / g;
  const base = Math.min(inRate, outRate);
  const grid = L * inRate;
  const fc = ((spec.passband + spec.stopband) / 2) * base / grid; // cycles per grid sample
  const width = ((spec.stopband - spec.passband) * base) / grid;
  const A = spec.attenuationDb;
  const beta = A > 50 ? 0.1102 * (A - 8.7) : A >= 21 ? 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21) : 0;
  const K = (A - 7.95) / (14.36 * width) / 2; // half-length in grid samples (Kaiser's estimate)
  const T = Math.ceil(K / L);
  const taps = 2 * T + 1;
  if (L <= MAX_TABLE_PHASES ? L * taps > MAX_TABLE_COEFFS : taps > MAX_LAZY_TAPS) {
    throw new ResampleLimitError(inRate, outRate, L <= MAX_TABLE_PHASES ? `a filter of ${L * taps} coefficients` : `${taps} filter taps computed for every output sample (${L} phases)`);
  }
  const i0Beta = besselI0(beta);

  const kernel = (j: number): number => {
    const x = j / K;
    if (x <= -1 || x >= 1) return 0;
    const w = besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
    const arg = 2 * fc * j;
    const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
    return 2 * fc * sinc * w;
  };

  const phase = (r: number, out: Float64Array): Float64Array => {
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const c = kernel((i - T) * L + r);
      out[i] = c;
      sum += c;
    }
    // Unity DC gain per phase: otherwise the phases' small gain differences become a periodic
    // modulation (an image) in the output.
    for (let i = 0; i < taps; i++) out[i] /= sum;
    return out;
  };

  let table: Float64Array | null = null;
  if (L <= MAX_TABLE_PHASES) {
    table = new Float64Array(L * taps);
    for (let r = 0; r < L; r++) phase(r, table.subarray(r * taps, (r + 1) * taps));
  }
  return { L, M, T, taps, table, phase };
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
export function besselI0(x: number): number {
  const half = x / 2;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
