/**
 * The passage recogniser (the fake ASR for real speech) on the five LibriVox recordings: their
 * exact transcripts whatever the gain, delay or resampling; nothing for silence, noise or tone
 * speech; words only once their audio has been heard; each word once per connection.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../fakes/fake-clock.js';
import { librivoxCatalogue, LIBRIVOX_DIR, readWavMono, type Passage } from '../../fakes/passage-catalogue.js';
import { FireworksResponder } from '../../fakes/fireworks-server.js';
import { PassageRecognizer, passageRecognizer } from '../../fakes/passage-asr.js';
import { concatPcm } from '../../fakes/pcm.js';
import { makeToneSpeech, type RecognizedWord } from '../../fakes/tone-asr.js';

const RATE = 16000;
const catalogue = librivoxCatalogue();
const passages = catalogue.references.map((r) => r.passage);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-passage-asr-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recognise(samples: Int16Array, chunk = 320): { words: RecognizedWord[]; recognizer: PassageRecognizer } {
  const recognizer = new PassageRecognizer({ rate: RATE, catalogue });
  for (let at = 0; at < samples.length; at += chunk) recognizer.feed(samples.subarray(at, at + chunk));
  recognizer.flush();
  return { words: recognizer.words(), recognizer };
}

const texts = (words: readonly RecognizedWord[]) => words.map((w) => w.text);

/** The file after sox `effects` (16-bit output at `rate`, mono), read back as 16 kHz mono. */
function soxCopy(p: Passage, name: string, ...effects: string[]): Int16Array {
  const out = join(dir, `${p.id}-${name}.wav`);
  execFileSync('sox', [join(LIBRIVOX_DIR, `${p.id}.wav`), '-b', '16', out, ...effects]);
  const back = join(dir, `${p.id}-${name}-16k.wav`);
  execFileSync('sox', [out, '-b', '16', '-c', '1', '-r', String(RATE), back]);
  return readWavMono(back).samples;
}

const silence = (ms: number) => new Int16Array((ms * RATE) / 1000);
function noise(ms: number, amplitude: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  return Int16Array.from({ length: (ms * RATE) / 1000 }, () => Math.round((random() * 2 - 1) * amplitude));
}

describe('PassageRecognizer', () => {
  it('gives the exact transcript of each recording, all final, in time order', () => {
    for (const p of passages) {
      const { words } = recognise(p.samples);
      expect(texts(words), p.id).toEqual(p.words);
      expect(words.every((w) => w.final)).toBe(true);
      words.forEach((w, i) => {
        expect(w.end).toBeGreaterThan(w.start);
        if (i) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.end);
      });
      expect(words.at(-1)!.end).toBeLessThanOrEqual(p.samples.length / RATE + 0.01);
    }
  });

  it('hears a copy 12 dB quieter and 40 ms later the same, 40 ms later', () => {
    for (const p of passages) {
      const quiet = soxCopy(p, 'quiet', 'vol', '-12dB', 'pad', '0.04');
      const { words } = recognise(quiet);
      expect(texts(words), p.id).toEqual(p.words);
      const direct = recognise(p.samples).words;
      const delays = words.map((w, i) => w.start - direct[i]!.start);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0.03);
      expect(Math.max(...delays)).toBeLessThanOrEqual(0.05);
    }
  });

  it('hears the recordings through a 16k → 44.1k stereo → 16k round trip', () => {
    for (const p of passages) {
      const back = soxCopy(p, 'roundtrip', 'channels', '2', 'rate', '44100');
      expect(texts(recognise(back).words), p.id).toEqual(p.words);
    }
  });

  it('says nothing for silence, white noise, speech-shaped noise or tone speech', () => {
    expect(recognise(silence(2000)).words).toEqual([]);
    expect(recognise(noise(2000, 3000, 7)).words).toEqual([]);
    const pinkish = join(dir, 'pink.wav');
    execFileSync('sox', ['-n', '-r', String(RATE), '-b', '16', '-c', '1', pinkish, 'synth', '2', 'pinknoise', 'vol', '0.3']);
    expect(recognise(readWavMono(pinkish).samples).words).toEqual([]);
    expect(recognise(makeToneSpeech({ words: 8, seed: 5 }).samples).words).toEqual([]);
  });

  it('gives two passages played back to back, with a pause, silence or noise between, in order', () => {
    const [a, b, c] = [passages[1]!, passages[3]!, passages[4]!];
    const stream = concatPcm([noise(500, 200, 1), a.samples, silence(700), b.samples, noise(800, 300, 2), c.samples, silence(300)]);
    const { words } = recognise(stream, 1600);
    expect(texts(words)).toEqual([...a.words, ...b.words, ...c.words]);
    // On the received timeline: b's first word comes after a and the 700 ms pause.
    const bFirst = words[a.words.length]!;
    const bAlone = recognise(b.samples).words[0]!;
    expect(bFirst.start).toBeCloseTo(0.5 + a.samples.length / RATE + 0.7 + bAlone.start, 1);
  });

  it('says words as their audio arrives and makes them final only once heard', () => {
    const p = passages[0]!;
    const recognizer = new PassageRecognizer({ rate: RATE, catalogue });
    let finals: RecognizedWord[] = [];
    let sawInterim = false;
    for (let at = 0; at < p.samples.length; at += 320) {
      recognizer.feed(p.samples.subarray(at, at + 320));
      const heardUntil = recognizer.position / RATE;
      const words = recognizer.words();
      // Always a prefix of the transcript; a final word never changes or disappears.
      expect(p.words.slice(0, words.length)).toEqual(texts(words));
      const nowFinal = words.filter((w) => w.final);
      expect(nowFinal.slice(0, finals.length)).toEqual(finals);
      for (const w of nowFinal) expect(w.end).toBeLessThanOrEqual(heardUntil + 0.01);
      sawInterim ||= words.some((w) => !w.final);
      finals = nowFinal;
      // Halfway through, most of the first half is already there: words do not wait for the end.
      if (at === 320 * Math.floor(p.samples.length / 640)) expect(finals.length).toBeGreaterThan(p.words.length / 3);
    }
    expect(sawInterim).toBe(true);
    recognizer.flush();
    expect(texts(recognizer.words())).toEqual(p.words);
  });

  it('gives the same words however the audio is cut into frames', () => {
    const p = passages[2]!;
    const random = seededRandom(11);
    const recognizer = new PassageRecognizer({ rate: RATE, catalogue });
    for (let at = 0; at < p.samples.length; ) {
      const n = 1 + Math.floor(random() * 3000);
      recognizer.feed(p.samples.subarray(at, at + n));
      at += n;
    }
    recognizer.flush();
    expect(recognizer.words()).toEqual(recognise(p.samples).words);
  });

  it('split across two connections: each word once per connection, none lost', () => {
    // Cuts every ~0.58 s through every recording: inside words, between them, at any sample.
    let overlaps = 0;
    for (const p of passages) {
      for (let cut = 8000; cut < p.samples.length - 8000; cut += 9255) {
        const first = recognise(p.samples.subarray(0, cut)).words;
        const second = recognise(p.samples.subarray(cut)).words;
        const a = texts(first);
        const b = texts(second);
        const where = `${p.id} cut at sample ${cut}`;
        // A prefix and a suffix of the transcript that meet, or overlap by the one word that was cut.
        expect(p.words.slice(0, a.length), where).toEqual(a);
        expect(p.words.slice(p.words.length - b.length), where).toEqual(b);
        expect(a.length + b.length - p.words.length, where).toBeGreaterThanOrEqual(0);
        expect(a.length + b.length - p.words.length, where).toBeLessThanOrEqual(1);
        overlaps += a.length + b.length - p.words.length;
        // The second connection's times are on its own timeline.
        expect(second[0]!.start, where).toBeLessThan(0.6);
      }
    }
    expect(overlaps).toBeLessThan(10);
  });

  it('does not hear a word an echo canceller gated (40 dB down), hears the rest', () => {
    const ref = catalogue.references[0]!;
    const p = ref.passage;
    const gated = ref.placed.findIndex((w) => w.text === 'prudently');
    const { from, to } = ref.placed[gated]!;
    const hop = RATE / 100;
    const samples = Int16Array.from(p.samples, (x, i) => (i >= from * hop && i < to * hop ? Math.round(x / 100) : x));
    expect(texts(recognise(samples).words)).toEqual(p.words.filter((_, i) => i !== gated));
    // 12 dB down is not gated: only a level far below the rest of the passage is.
    const quieter = Int16Array.from(p.samples, (x, i) => (i >= from * hop && i < to * hop ? Math.round(x / 4) : x));
    expect(texts(recognise(quieter).words)).toEqual(p.words);
  });

  it('says a passage played twice in one stream twice', () => {
    const p = passages[1]!;
    const { words } = recognise(concatPcm([p.samples, silence(500), p.samples]));
    expect(texts(words)).toEqual([...p.words, ...p.words]);
  });
});

describe('a fake server with the passage recogniser', () => {
  it('answers real speech with its transcript, and still knows tone words by default', () => {
    const p = passages[4]!;
    const speech = concatPcm([silence(200), p.samples]);
    const bytes = new Uint8Array(speech.buffer);
    const withPassages = new FireworksResponder({ recognizer: passageRecognizer(catalogue) });
    const withTones = new FireworksResponder();
    for (let at = 0; at < bytes.length; at += 3200) {
      withPassages.onBinary(bytes.subarray(at, at + 3200));
      withTones.onBinary(bytes.subarray(at, at + 3200));
    }
    const final = (r: FireworksResponder) => r.onText(JSON.stringify({ object: 'stt.input.trace', event_id: 'e1', trace_id: 'final' }))[0] as { text: string };
    expect(final(withPassages).text.trim()).toBe(p.words.join(' '));
    expect(withPassages.violations).toEqual([]);
    expect(final(withTones).text.trim()).not.toBe(p.words.join(' '));
  });
});
