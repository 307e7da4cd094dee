/**
 * Reference recordings the passage recogniser (passage-asr.ts) knows: each a recording with its
 * transcript, fingerprinted once (speech-features.ts) and with every transcript word placed on
 * the recording's 10 ms frames.
 *
 * Word times are an approximation (the transcripts have none): the voiced frames of the
 * recording (louder than its noise floor by a third of its dynamic range) are shared out
 * among the words in order, in proportion to each word's letters plus one, so a word spans
 * from the first to the last voiced frame of its share. Good to a few hundred ms, which is
 * what the captions' times need; the words themselves are the transcript's, exactly.
 *
 * The default catalogue is Debian's pocketsphinx-testdata: five public-domain LibriVox
 * sentences (Sense and Sensibility, 3-7 s each, 16 kHz mono) with their transcripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BANDS, featuresOf, frameBits, frameLoudness, type FeatureFrames } from './speech-features.js';

export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

export interface Passage {
  id: string;
  /** The transcript, one entry per word. */
  words: readonly string[];
  samples: Int16Array;
  rate: number;
}

export interface PlacedWord {
  text: string;
  /** First frame of the word and the frame after its last one (10 ms frames of the recording). */
  from: number;
  to: number;
}

export interface Reference {
  passage: Passage;
  features: FeatureFrames;
  /** Per frame: 1 when louder than the recording's noise floor by a third of its range. */
  voiced: Uint8Array;
  /** Per frame: fingerprint bits (frameBits) and loudness in dB. */
  bits: Int32Array;
  loudness: Float32Array;
  placed: PlacedWord[];
}

export class PassageCatalogue {
  readonly references: Reference[];

  constructor(passages: readonly Passage[]) {
    this.references = passages.map((passage) => {
      const features = featuresOf(passage.samples, passage.rate);
      const voiced = voicedFrames(features);
      const v = features.values;
      const bits = Int32Array.from({ length: features.count }, (_, f) => (f ? frameBits(v, v, f * BANDS, (f - 1) * BANDS) : 0));
      const loudness = Float32Array.from({ length: features.count }, (_, f) => frameLoudness(v, f * BANDS));
      return { passage, features, voiced, bits, loudness, placed: placeWords(passage.words, voiced) };
    });
  }

  byId(id: string): Passage {
    const ref = this.references.find((r) => r.passage.id === id);
    if (!ref) throw new Error(`passage-catalogue: no passage "${id}"`);
    return ref.passage;
  }
}

/** The LibriVox passages in `dir` (files `fileids`, `transcription` and one WAV per id). */
export function loadLibrivoxPassages(dir = LIBRIVOX_DIR): Passage[] {
  const ids = readFileSync(join(dir, 'fileids'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const transcripts = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, 'transcription'), 'utf8').split('\n')) {
    const m = /^(.*)\(([^()]+)\)\s*$/.exec(line.trim());
    if (!m) continue;
    transcripts.set(m[2]!, m[1]!.split(/\s+/).filter((w) => w && w !== '<s>' && w !== '</s>'));
  }
  return ids.map((id) => {
    const words = transcripts.get(id);
    if (!words) throw new Error(`passage-catalogue: no transcript for ${id}`);
    return { id, words, ...readWavMono(join(dir, `${id}.wav`)) };
  });
}

let librivox: PassageCatalogue | undefined;

/** The LibriVox catalogue, built once per process. */
export function librivoxCatalogue(): PassageCatalogue {
  return (librivox ??= new PassageCatalogue(loadLibrivoxPassages()));
}

/** A 16-bit PCM WAV file as mono samples (channels averaged). */
export function readWavMono(path: string): { samples: Int16Array; rate: number } {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let at = 12;
  let rate = 0;
  let channels = 0;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (buf.readUInt16LE(body) !== 1 || buf.readUInt16LE(body + 14) !== 16) throw new Error(`${path}: not 16-bit PCM`);
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (!rate) throw new Error(`${path}: data before fmt`);
      const frames = Math.floor(Math.min(size, buf.length - body) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += buf.readInt16LE(body + 2 * (i * channels + c));
        samples[i] = Math.round(sum / channels);
      }
      return { samples, rate };
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function voicedFrames(features: FeatureFrames): Uint8Array {
  const loudness = Array.from({ length: features.count }, (_, f) => frameLoudness(features.values, f * BANDS));
  const sorted = [...loudness].sort((a, b) => a - b);
  const floor = sorted[Math.floor(sorted.length * 0.1)]!;
  const top = sorted[Math.floor(sorted.length * 0.95)]!;
  return Uint8Array.from(loudness, (v) => (v > floor + (top - floor) / 3 ? 1 : 0));
}

function placeWords(words: readonly string[], voicedMask: Uint8Array): PlacedWord[] {
  const voiced = [...voicedMask].flatMap((v, f) => (v ? [f] : []));
  if (voiced.length < words.length) throw new Error('passage-catalogue: fewer voiced frames than words');
  const weights = words.map((w) => w.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const placed: PlacedWord[] = [];
  let used = 0;
  let share = 0;
  words.forEach((text, i) => {
    share += weights[i]!;
    // At least one voiced frame each, and leave one for every word still to come.
    const end = Math.min(voiced.length - (words.length - 1 - i), Math.max(used + 1, Math.round((share / total) * voiced.length)));
    placed.push({ text, from: voiced[used]!, to: voiced[end - 1]! + 1 });
    used = end;
  });
  return placed;
}
