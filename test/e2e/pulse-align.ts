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

export interface WindowMatch {
  /** Sample offset of the window inside the reference. */
  refStart: number;
  /** Where that window sits in the capture, minus refStart (drifts if audio was lost). */
  lag: number;
  corr: number;
  gainDb: number;
}

export interface WindowedAlignment {
  windows: WindowMatch[];
  /** Share of windows whose shape matches (corr > 0.95). */
  goodShare: number;
  medianCorr: number;
  medianGainDb: number;
  firstLag: number;
  lastLag: number;
}

/**
 * Aligns the reference window by window, each one searched near where the previous one was
 * found, so a capture with a short dropout (a busy CI machine can make the audio server skip
 * a few milliseconds) still shows that every part of the speech arrived with the same shape,
 * instead of one lost packet spoiling a single whole-file correlation. Near-silent windows
 * carry no shape and are skipped. The lag drifts later when the *player* stalled (the sink
 * then plays silence, which the capture rightly records) and earlier when the *capture* lost
 * audio; tests allow the first and not the second.
 */
export function alignWindows(capture: Int16Array, ref: Int16Array, rate: number, windowMs = 250, slackMs = 700): WindowedAlignment {
  const whole = align(capture, ref, rate);
  const win = Math.round((rate * windowMs) / 1000);
  const slack = Math.round((rate * slackMs) / 1000);
  const loud = rmsOf(ref, 0, ref.length) * 0.25;
  const windows: WindowMatch[] = [];
  let lag = whole.lag;
  for (let start = 0; start + win <= ref.length; start += win) {
    const seg = ref.subarray(start, start + win);
    if (rmsOf(seg, 0, win) < loud) continue;
    const from = Math.max(0, lag + start - slack);
    const to = Math.min(capture.length, lag + start + win + slack);
    if (to - from < win) break;
    const m = align(capture.subarray(from, to), seg, rate);
    windows.push({ refStart: start, lag: from + m.lag - start, corr: m.corr, gainDb: m.gainDb });
    if (m.corr > 0.9) lag = from + m.lag - start;
  }
  const corrs = windows.map((w) => w.corr).sort((a, b) => a - b);
  const gains = windows.map((w) => w.gainDb).sort((a, b) => a - b);
  return {
    windows,
    goodShare: windows.length ? windows.filter((w) => w.corr > 0.95).length / windows.length : 0,
    medianCorr: corrs.length ? corrs[Math.floor(corrs.length / 2)]! : 0,
    medianGainDb: gains.length ? gains[Math.floor(gains.length / 2)]! : -Infinity,
    firstLag: windows[0]?.lag ?? whole.lag,
    lastLag: windows[windows.length - 1]?.lag ?? whole.lag,
  };
}
