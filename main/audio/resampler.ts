/**
 * Streaming rational polyphase FIR resampler (Kaiser-windowed sinc), pure TypeScript.
 *
 * Why not @echogarden/speex-resampler-wasm: this runs synchronously (no async WASM init in the audio
 * path), its filter is specified and tested here against our own requirements, and it behaves the
 * same in Node, Electron and a browser. test/bench/resampler-bench.ts measures the cost of that choice.
 *
 * Properties:
 * - Output does not depend on how the input is chunked, bit for bit: every output sample is computed
 *   from the same inputs in the same order whatever the chunk boundaries were.
 * - Zero group delay: output sample k is aligned with input time k / outRate (the symmetric kernel
 *   is centred on it). The price is look-ahead: an output is emitted only once `lookahead` input
 *   samples beyond its position have arrived (≈1.1 ms at 48 kHz → 16 kHz), and `flush()` emits the rest.
 * - Sample count is conserved: after flush, exactly ceil(inputs × out / in) outputs.
 */
import { DEFAULT_SPEC, designPolyphase, type FilterSpec, type PolyphaseDesign } from './resampler-design.js';

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly d: PolyphaseDesign | null;
  private readonly scratch: Float64Array;
  /** Input history; hist[0] is absolute input index histStart. */
  private hist = new Float64Array(0);
  private histStart = 0;
  private histLen = 0;
  /** Inputs received since the start (or the last flush). */
  private nIn = 0;
  /** Next output index k, as floor(k·M/L) = q and (k·M) mod L = r. */
  private k = 0;
  private q = 0;
  private r = 0;

  constructor(inRate: number, outRate: number, spec: FilterSpec = DEFAULT_SPEC) {
    this.inRate = inRate;
    this.outRate = outRate;
    this.d = inRate === outRate ? null : designPolyphase(inRate, outRate, spec);
    this.scratch = new Float64Array(this.d ? this.d.taps : 0);
    this.reset();
  }

  /** Input samples of look-ahead an output waits for (its latency, not a delay in the signal). */
  get lookahead(): number {
    return this.d ? this.d.T : 0;
  }

  /** Mono float samples in, whatever outputs are complete out. */
  push(input: ArrayLike<number>): Float64Array {
    if (!this.d) return Float64Array.from(input);
    this.append(input, input.length);
    this.nIn += input.length;
    const { L, M, T } = this.d;
    const ready = this.nIn > T ? ceilDiv((this.nIn - T) * L, M) : 0;
    return this.produce(ready);
  }

  /** Ends the stream: emits the outputs that were waiting for look-ahead, then starts afresh. */
  flush(): Float64Array {
    if (!this.d) return new Float64Array(0);
    const { L, M, T } = this.d;
    // Beyond the end the signal is silence.
    this.append(null, T);
    const out = this.produce(ceilDiv(this.nIn * L, M));
    this.reset();
    return out;
  }

  private reset(): void {
    const T = this.d ? this.d.T : 0;
    this.hist = new Float64Array(Math.max(1024, 4 * T + 16));
    // Before the start the signal is silence: T zeros at indices -T..-1.
    this.histStart = -T;
    this.histLen = T;
    this.nIn = 0;
    this.k = 0;
    this.q = 0;
    this.r = 0;
  }

  private produce(ready: number): Float64Array {
    const d = this.d as PolyphaseDesign;
    const count = Math.max(0, ready - this.k);
    const out = new Float64Array(count);
    const { L, M, T, taps, table } = d;
    const hist = this.hist;
    // With L = 1 (48k, 32k, 96k → 16k) the single phase is symmetric: fold it, half the multiplies.
    const symmetric = L === 1 && table !== null;
    let { q, r } = this;
    for (let o = 0; o < count; o++) {
      const newest = q + T - this.histStart;
      if (symmetric) out[o] = dotSymmetric(hist, newest, table, T);
      else if (table) out[o] = dot(hist, newest, table, r * taps, taps);
      else out[o] = dot(hist, newest, d.phase(r, this.scratch), 0, taps);
      r += M;
      if (r >= L) {
        q += Math.floor(r / L);
        r %= L;
      }
    }
    this.k += count;
    this.q = q;
    this.r = r;
    this.discardBefore(q - T);
    return out;
  }

  /** Appends samples (or zeros when `src` is null), growing or compacting the history as needed. */
  private append(src: ArrayLike<number> | null, n: number): void {
    if (this.histLen + n > this.hist.length) {
      const need = this.histLen + n;
      const grown = new Float64Array(Math.max(need, this.hist.length * 2));
      grown.set(this.hist.subarray(0, this.histLen));
      this.hist = grown;
    }
    const h = this.hist;
    const base = this.histLen;
    if (src) for (let i = 0; i < n; i++) h[base + i] = src[i];
    else h.fill(0, base, base + n);
    this.histLen += n;
  }

  private discardBefore(index: number): void {
    const drop = index - this.histStart;
    if (drop <= 0) return;
    this.hist.copyWithin(0, drop, this.histLen);
    this.histLen -= drop;
    this.histStart = index;
  }
}

/** Newest input first: Σ h[newest − i] · c[cOff + i]. Kept small and monomorphic for the JIT. */
function dot(h: Float64Array, newest: number, c: Float64Array, cOff: number, taps: number): number {
  let acc = 0;
  for (let i = 0; i < taps; i++) acc += h[newest - i] * c[cOff + i];
  return acc;
}

/** The same for a symmetric kernel of 2·half + 1 taps. */
function dotSymmetric(h: Float64Array, newest: number, c: Float64Array, half: number): number {
  const oldest = newest - 2 * half;
  let acc = h[newest - half] * c[half];
  for (let i = 0; i < half; i++) acc += (h[newest - i] + h[oldest + i]) * c[i];
  return acc;
}

function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}
