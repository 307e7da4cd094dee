/**
 * Audio for the whole-app tests: tone-coded speech (test/fakes/tone-asr.ts, which the
 * Fireworks-faithful server transcribes exactly) written to WAV files and played with paplay
 * into this test's own null sinks on the shared PulseAudio daemon.
 */
import { join } from 'node:path';
import { makeToneSpeech, VOCABULARY, type ToneSpeech } from '../../fakes/tone-asr.js';
import { writeWav } from '../../fakes/wav-writer.js';
import { loadModule } from '../pulse-env.js';

export interface SpeechFile extends ToneSpeech {
  path: string;
  /** Each sentence's words joined by spaces, in order. */
  sentences: string[];
}

/** Speech made of the vocabulary words at these indexes (distinct per clip, so clips are told apart). */
export function speechFile(dir: string, name: string, wordIndexes: number[], wordsPerSentence: number): SpeechFile {
  const words = wordIndexes.map((i) => VOCABULARY[i]!.text);
  const speech = makeToneSpeech({ words, seed: wordIndexes[0]! + 1, rate: 16000, leadInMs: 300, tailMs: 400, sentence: { min: wordsPerSentence, max: wordsPerSentence } });
  const path = join(dir, `${name}.wav`);
  writeWav(path, speech.samples, 16000, 1);
  const sentences: string[] = [];
  for (const w of speech.words) sentences[w.sentence] = sentences[w.sentence] ? `${sentences[w.sentence]} ${w.text}` : w.text;
  return { ...speech, path, sentences };
}

/** A null sink with a readable description; returns its name and an unload function. */
export async function nullSink(name: string): Promise<{ name: string; monitor: string; unload: () => Promise<void> }> {
  const unload = await loadModule('module-null-sink', `sink_name=${name}`, `sink_properties=device.description=${name}`);
  return { name, monitor: `${name}.monitor`, unload };
}
