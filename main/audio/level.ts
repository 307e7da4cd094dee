/** Signal level for meters and "is anything coming in?" checks. */

export const SILENCE_DBFS = -100;

export interface Level {
  /** RMS relative to a full-scale square wave (32768), in dBFS; a full-scale sine reads about -3. */
  rmsDbfs: number;
  peakDbfs: number;
}

export function levelOf(samples: Int16Array): Level {
  let sumSq = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    sumSq += v * v;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  const rms = samples.length ? Math.sqrt(sumSq / samples.length) : 0;
  return { rmsDbfs: toDbfs(rms), peakDbfs: toDbfs(peak) };
}

function toDbfs(amplitude: number): number {
  if (amplitude <= 0) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, 20 * Math.log10(amplitude / 32768));
}
