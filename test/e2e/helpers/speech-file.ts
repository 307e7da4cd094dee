/** Shared by the real-capture tests: the reference recording and small async helpers. */
import { expect } from 'vitest';
import { createConverter } from '../../../main/audio/converter.js';
import type { AudioFormat, AudioSource } from '../../../main/audio/types.js';
import { WavFileSource } from '../../../main/audio/wav-file-source.js';
import { concatPcm } from '../../fakes/pcm.js';
import { align, alignWindows, rmsOf } from '../pulse-align.js';
import { play } from '../pulse-env.js';

/** Public-domain LibriVox speech shipped by Debian's pocketsphinx-testdata. */
export const SPEECH = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav';
export const RATE = 16000;

export { concatPcm as concat } from '../../fakes/pcm.js';

/** The file as the pipeline sees it: 16 kHz mono int16. */
export async function readFile16k(path: string): Promise<Int16Array> {
  const src = new WavFileSource(path);
  const conv = createConverter(await src.open(), RATE);
  const parts: Int16Array[] = [];
  for await (const c of src.chunks()) parts.push(conv.push(c));
  parts.push(conv.flush());
  return concatPcm(parts);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Opens nothing: takes an opened live source, waits for audio to flow, plays SPEECH into
 * `sink`, waits for the monitor's latency tail, closes the source, and returns what was
 * captured as 16 kHz mono.
 */
export async function recordWhilePlaying(
  source: AudioSource,
  format: AudioFormat,
  sink: string,
  onChunk: (chunk: Buffer) => void = () => undefined,
): Promise<Int16Array> {
  const conv = createConverter(format, RATE);
  const parts: Int16Array[] = [];
  let firstChunk!: () => void;
  const flowing = new Promise<void>((r) => (firstChunk = r));
  const capturing = (async () => {
    for await (const chunk of source.chunks()) {
      onChunk(chunk);
      parts.push(conv.push(chunk));
      firstChunk();
    }
    parts.push(conv.flush());
  })();
  try {
    await withTimeout(flowing, 15_000, 'first audio from the monitor');
    await withTimeout(play(SPEECH, sink), 20_000, 'paplay');
    await new Promise((r) => setTimeout(r, 800)); // the monitor's latency tail
  } finally {
    await withTimeout(source.close(), 5000, 'close');
    await withTimeout(capturing, 5000, 'capture to end after close');
  }
  return concatPcm(parts);
}

/**
 * Asserts that `captured` holds SPEECH with the same waveform, window by window: PulseAudio
 * resampled 16k → 44.1k and we resampled back; both filters are near-transparent for speech.
 * A busy machine may make the audio server skip a few milliseconds, so one whole-file
 * correlation is not required, but nearly every part is. Returns the numbers for the log.
 */
export async function expectSameSpeech(captured: Int16Array): Promise<string> {
  const ref = await readFile16k(SPEECH);
  expect(captured.length).toBeGreaterThan(ref.length);
  const a = align(captured, ref, RATE);
  const w = alignWindows(captured, ref, RATE);
  expect(w.windows.length).toBeGreaterThanOrEqual(6);
  expect(w.goodShare).toBeGreaterThanOrEqual(0.85);
  expect(w.medianCorr).toBeGreaterThan(0.97);
  // Captured audio is never lost (no earlier drift); a stalled paplay may insert silence.
  expect(w.lastLag - w.firstLag).toBeGreaterThan(-RATE / 100);
  expect(w.lastLag - w.firstLag).toBeLessThan(RATE);
  expect(Math.abs(w.medianGainDb)).toBeLessThan(1);
  // Same duration: the whole file is inside the capture, and nothing but silence follows it.
  expect(w.lastLag + ref.length).toBeLessThanOrEqual(captured.length);
  expect(rmsOf(captured, w.lastLag + ref.length + RATE / 10, captured.length)).toBeLessThan(rmsOf(ref, 0, ref.length) / 1000);
  return `${(captured.length / RATE).toFixed(2)} s captured, speech at ${(a.lag / RATE).toFixed(3)} s, corr ${a.corr.toFixed(4)} whole / ` +
    `${w.medianCorr.toFixed(4)} median of ${w.windows.length} windows (${(w.goodShare * 100).toFixed(0)} % > 0.95), ` +
    `drift ${(((w.lastLag - w.firstLag) / RATE) * 1000).toFixed(1)} ms, gain ${a.gainDb.toFixed(2)} dB`;
}
