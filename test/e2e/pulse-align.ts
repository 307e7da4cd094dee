/** Finds where a reference recording sits inside a longer capture, and how well it matches. */

export interface Alignment {
  /** Sample offset of the reference's start inside the capture. */
  lag: number;
  /** Normalised correlation of the reference with the aligned capture (1 = identical shape). */
  corr: number;
  /** RMS level of the aligned capture relative to the reference, in dB. */
  gainDb: number;
}

/** Coarse search on 10 ms energy envelopes, then an exact search on samples around the best match. */
export function align(capture: Int16Array, ref: Int16Array, rate: number): Alignment {
  const hop = Math.round(rate / 100);
  const ce = envelope(capture, hop);
  const re = envelope(ref, hop);
  let coarse = 0;
  let best = -Infinity;
  for (let l = 0; l + re.length <= ce.length; l++) {
    const c = corrAt(ce, re, l);
    if (c > best) {
      best = c;
      coarse = l * hop;
    }
  }
  let lag = coarse;
  let corr = -Infinity;
  for (let l = Math.max(0, coarse - 2 * hop); l <= Math.min(capture.length - ref.length, coarse + 2 * hop); l++) {
    const c = corrAt(capture, ref, l);
    if (c > corr) {
      corr = c;
      lag = l;
    }
  }
  return { lag, corr, gainDb: 20 * Math.log10(rmsOf(capture, lag, lag + ref.length) / rmsOf(ref, 0, ref.length)) };
}

export function rmsOf(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < Math.min(x.length, to); i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, Math.min(x.length, to) - Math.max(0, from)));
}

function envelope(x: Int16Array, hop: number): Float64Array {
  const out = new Float64Array(Math.floor(x.length / hop));
  for (let i = 0; i < out.length; i++) out[i] = rmsOf(x, i * hop, (i + 1) * hop);
  return out;
}

function corrAt(a: ArrayLike<number>, b: ArrayLike<number>, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i + lag];
    const y = b[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
