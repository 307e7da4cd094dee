import { describe, expect, test } from 'vitest';
import { groupSentences, makeToneSpeech, ToneRecognizer, VOCABULARY, wordForFrequency } from '../../fakes/tone-asr.js';
import { seededRandom } from '../../fakes/fake-clock.js';

const feedIn = (r: ToneRecognizer, samples: Int16Array, sizes: () => number) => {
  for (let i = 0; i < samples.length; ) {
    const n = Math.max(1, sizes());
    r.feed(samples.subarray(i, i + n));
    i += n;
  }
};

describe('tone-word fake ASR', () => {
  test('vocabulary: 30 distinct words, 300-3000 Hz, nearest-frequency lookup', () => {
    expect(VOCABULARY).toHaveLength(30);
    expect(new Set(VOCABULARY.map((w) => w.text)).size).toBe(30);
    expect(VOCABULARY[0]!.freq).toBeCloseTo(300);
    expect(VOCABULARY[29]!.freq).toBeCloseTo(3000);
    for (const w of VOCABULARY) expect(wordForFrequency(w.freq * 1.01)).toBe(w.text);
    expect(wordForFrequency(100)).toBe('<unk>');
  });

  test('speech layout: words 250-600 ms, gaps 120-300 ms, sentence pauses ~900 ms', () => {
    const s = makeToneSpeech({ words: 40, seed: 3 });
    for (const [i, w] of s.words.entries()) {
      expect(w.end - w.start).toBeGreaterThanOrEqual(0.25);
      expect(w.end - w.start).toBeLessThanOrEqual(0.6);
      const next = s.words[i + 1];
      if (!next) continue;
      const gap = next.start - w.end;
      if (next.sentence === w.sentence) expect(gap).toBeGreaterThanOrEqual(0.12), expect(gap).toBeLessThanOrEqual(0.3);
      else expect(gap).toBeGreaterThanOrEqual(0.85), expect(gap).toBeLessThanOrEqual(0.95);
    }
    expect(makeToneSpeech({ words: 40, seed: 3 }).samples).toEqual(s.samples);
    expect(makeToneSpeech({ words: ['alpha', 'zulu'], seed: 1 }).text).toBe('alpha zulu');
    expect(() => makeToneSpeech({ words: ['hello'] })).toThrow(/vocabulary/);
  });

  for (const rate of [16000, 24000]) {
    test(`recognises every word with sample-accurate times at ${rate} Hz, however the audio is split`, () => {
      const s = makeToneSpeech({ words: 40, seed: 8, rate });
      const random = seededRandom(99);
      const r = new ToneRecognizer({ rate });
      feedIn(r, s.samples, () => Math.floor(random() * 2000));
      r.flush();
      const got = r.words();
      expect(got.map((w) => w.text).join(' ')).toBe(s.text);
      got.forEach((w, i) => {
        expect(Math.abs(w.start - s.words[i]!.start)).toBeLessThan(0.004);
        expect(Math.abs(w.end - s.words[i]!.end)).toBeLessThan(0.004);
        expect(w.final).toBe(true);
      });
    });
  }

  test('incremental: an open word is reported not final; it becomes final after silence', () => {
    const s = makeToneSpeech({ words: ['golf', 'hotel'], seed: 2, sentence: { min: 2, max: 2 } });
    const r = new ToneRecognizer({ rate: 16000 });
    const mid = Math.round(((s.words[0]!.start + s.words[0]!.end) / 2) * 16000);
    r.feed(s.samples.subarray(0, mid));
    expect(r.inWord).toBe(true);
    expect(r.words()).toMatchObject([{ text: 'golf', final: false }]);
    const afterSilence = Math.round((s.words[0]!.end + 0.1) * 16000);
    r.feed(s.samples.subarray(mid, afterSilence));
    expect(r.words()).toMatchObject([{ text: 'golf', final: true }]);
    expect(r.inWord).toBe(false);
  });

  test('a fragment (the tail of a word cut by a reconnect) is ignored', () => {
    const s = makeToneSpeech({ words: ['kilo', 'lima'], seed: 5, sentence: { min: 2, max: 2 } });
    const cut = Math.round((s.words[0]!.end - 0.08) * 16000);
    const r = new ToneRecognizer({ rate: 16000 });
    r.feed(s.samples.subarray(cut));
    r.flush();
    expect(r.words().map((w) => w.text)).toEqual(['lima']);
  });

  test('voices: sentences take turns, or each word has its own; the recogniser tells them by level', () => {
    const turns = makeToneSpeech({ words: 12, seed: 4, sentence: { min: 4, max: 4 }, voices: 3 });
    expect(turns.words.map((w) => w.voice)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const each = makeToneSpeech({ words: ['alpha', 'bravo', 'zulu', 'one'], seed: 2, voices: [0, 2, 1, 0] });
    for (const s of [turns, each]) {
      const r = new ToneRecognizer({ rate: 16000 });
      r.feed(s.samples);
      r.flush();
      expect(r.words().map((w) => [w.text, w.voice])).toEqual(s.words.map((w) => [w.text, w.voice]));
    }
    // Without voices everything is voice 0, and the audio is as before (same seed, same samples).
    expect(makeToneSpeech({ words: 5, seed: 9 }).words.every((w) => w.voice === 0)).toBe(true);
    expect(makeToneSpeech({ words: 5, seed: 9, voices: 1 }).samples).toEqual(makeToneSpeech({ words: 5, seed: 9 }).samples);
    expect(() => makeToneSpeech({ words: 2, voices: [0, 3] })).toThrow(/voice 3/);
    expect(() => makeToneSpeech({ words: 2, voices: 2, amplitude: 0.5 })).toThrow(/voices set the amplitude/);
  });

  test('groupSentences splits on pauses longer than 600 ms', () => {
    const s = makeToneSpeech({ words: 12, seed: 4, sentence: { min: 4, max: 4 } });
    expect(groupSentences(s.words).map((g) => g.length)).toEqual([4, 4, 4]);
  });
});
