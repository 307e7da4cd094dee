/** Signal measurement helpers shared by the resampler tests and the resampler benchmark. */

export function sine(freq: number, rate: number, n: number, amplitude = 1, phase = 0): Float64Array {
  const out = new Float64Array(n);
  const w = (2 * Math.PI * freq) / rate;
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin(w * i + phase);
  return out;
}

/**
 * Least-squares amplitude of a sinusoid of known frequency in x[from..to), allowing for a
 * constant offset: fits a·cos + b·sin + c and returns sqrt(a² + b²).
 */
export function fitAmplitude(x: ArrayLike<number>, freq: number, rate: number, from = 0, to = x.length): number {
  const w = (2 * Math.PI * freq) / rate;
  // Normal equations for [cos, sin, 1].
  let cc = 0, ss = 0, cs = 0, c1 = 0, s1 = 0, n = 0, xc = 0, xs = 0, x1 = 0;
  for (let i = from; i < to; i++) {
    const c = Math.cos(w * i);
    const s = Math.sin(w * i);
    const v = x[i];
    cc += c * c; ss += s * s; cs += c * s; c1 += c; s1 += s; n++;
    xc += v * c; xs += v * s; x1 += v;
  }
  const [a, b] = solve3([cc, cs, c1, cs, ss, s1, c1, s1, n], [xc, xs, x1]);
  return Math.hypot(a, b);
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

export const db = (ratio: number): number => 20 * Math.log10(Math.max(ratio, 1e-12));

function solve3(m: number[], v: number[]): number[] {
  const det = (a: number[]) =>
    a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
  const d = det(m);
  const col = (k: number) => m.map((x, i) => (i % 3 === k ? v[Math.floor(i / 3)] : x));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}

/**
 * Lag (in samples) at which b best matches a, searched over [-maxLag, maxLag], and the normalised
 * correlation there. Positive lag: b is late (b[i + lag] ≈ a[i]).
 */
export function bestLag(a: ArrayLike<number>, b: ArrayLike<number>, maxLag: number): { lag: number; corr: number } {
  let best = { lag: 0, corr: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      const j = i + lag;
      if (j < 0 || j >= b.length) continue;
      ab += a[i] * b[j]; aa += a[i] * a[i]; bb += b[j] * b[j];
    }
    const corr = aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    if (corr > best.corr) best = { lag, corr };
  }
  return best;
}
