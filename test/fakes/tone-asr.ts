/**
 * "Tone words": synthetic speech that a fake server can recognise exactly. Each word of a
 * fixed vocabulary is a sine burst at its own frequency (300-3000 Hz, log-spaced), words are
 * separated by silence, sentences by longer pauses. A little seeded noise everywhere makes
 * every stretch of the signal unique, so a test can locate any received chunk in the source.
 *
 * The recogniser is incremental and sample-exact: bursts are found by amplitude, the word
 * by counting zero crossings, so a word split across any frames or connections is still
 * recognised whole as long as one connection receives all of it.
 *
 * Voices (for fake diarisation): voice v speaks at VOICE_PEAK / 2^v of full scale (v = 0-2),
 * and the recogniser tells a word's voice from its peak level, so a fake server can label
 * speakers as a diarising service would, from the audio alone.
 */
import { seededRandom } from './fake-clock.js';

const WORD_LIST = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet',
  'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango',
  'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu', 'one', 'two', 'three', 'four',
] as const;

export interface VocabularyWord {
  text: string;
  freq: number;
}

/** 30 words, frequencies 300 → 3000 Hz, each about 8 % above the previous one. */
export const VOCABULARY: readonly VocabularyWord[] = WORD_LIST.map((text, i) => ({
  text,
  freq: 300 * Math.pow(10, i / (WORD_LIST.length - 1)),
}));

const BY_TEXT = new Map(VOCABULARY.map((w) => [w.text, w]));

/** Peak level of voice 0, as a fraction of full scale (the default word amplitude). */
export const VOICE_PEAK = 0.3;
/** Voices 0-2: voice 3 would be below the recogniser's default threshold. */
export const MAX_VOICES = 3;

/** The voice whose level is nearest to a burst's peak (in LSB), halving per voice. */
export function voiceOfPeak(peak: number): number {
  const v = Math.round(Math.log2((VOICE_PEAK * 32767) / Math.max(1, peak)));
  return Math.min(MAX_VOICES - 1, Math.max(0, v));
}

/** The vocabulary word nearest to `freq`, or '<unk>' when more than 3 % away from all. */
export function wordForFrequency(freq: number): string {
  let best = VOCABULARY[0]!;
  let bestErr = Infinity;
  for (const w of VOCABULARY) {
    const err = Math.abs(Math.log(freq / w.freq));
    if (err < bestErr) {
      bestErr = err;
      best = w;
    }
  }
  return bestErr < Math.log(1.03) ? best.text : '<unk>';
}

export interface ToneWord {
  text: string;
  /** Seconds from the first sample of the speech (exact sample boundaries). */
  start: number;
  end: number;
  /** Index of the sentence this word belongs to. */
  sentence: number;
  /** Who says it (0 unless `voices` was given). */
  voice: number;
}

export interface ToneSpeech {
  samples: Int16Array;
  rate: number;
  words: ToneWord[];
  /** The words joined by single spaces. */
  text: string;
}

export interface ToneSpeechOptions {
  /** How many random words, or exactly these words (from VOCABULARY). */
  words: number | readonly string[];
  seed?: number;
  rate?: number;
  /** Peak amplitude of a word, 0-1 of full scale. */
  amplitude?: number;
  /** Uniform noise in LSB added everywhere (0 = digital silence between words). */
  noise?: number;
  leadInMs?: number;
  tailMs?: number;
  /** Words per sentence (random in [min, max]). */
  sentence?: { min: number; max: number };
  /**
   * Who speaks: a number n = sentences take turns among voices 0…n-1; a list = the voice of
   * each word. Voices are levels (see VOICE_PEAK), so `amplitude` cannot be set with them.
   */
  voices?: number | readonly number[];
}

export function makeToneSpeech(options: ToneSpeechOptions): ToneSpeech {
  const rate = options.rate ?? 16000;
  const random = seededRandom(options.seed ?? 1);
  if (options.voices !== undefined && options.amplitude !== undefined) throw new Error('tone-asr: voices set the amplitude');
  const amplitude = (options.amplitude ?? VOICE_PEAK) * 32767;
  const noise = options.noise ?? 6;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const texts =
    typeof options.words === 'number'
      ? Array.from({ length: options.words }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!.text)
      : [...options.words];
  const sentenceSize = options.sentence ?? { min: 3, max: 6 };
  const ms = (v: number) => Math.round((v * rate) / 1000);

  // Lay out the words first (sample positions), then render.
  const layout: { text: string; from: number; to: number; sentence: number; voice: number }[] = [];
  const voices = options.voices;
  const voiceOf = (i: number, sentence: number) =>
    voices === undefined ? 0 : typeof voices === 'number' ? sentence % voices : (voices[i] ?? 0);
  let pos = ms(options.leadInMs ?? 300);
  let sentence = 0;
  let left = Math.floor(between(sentenceSize.min, sentenceSize.max + 1));
  texts.forEach((text, i) => {
    if (!BY_TEXT.has(text)) throw new Error(`tone-asr: "${text}" is not in the vocabulary`);
    const len = ms(between(250, 600));
    const voice = voiceOf(i, sentence);
    if (!Number.isInteger(voice) || voice < 0 || voice >= MAX_VOICES) throw new Error(`tone-asr: voice ${voice} is not 0-${MAX_VOICES - 1}`);
    layout.push({ text, from: pos, to: pos + len, sentence, voice });
    pos += len;
    if (i === texts.length - 1) return;
    if (--left === 0) {
      sentence++;
      left = Math.floor(between(sentenceSize.min, sentenceSize.max + 1));
      pos += ms(between(850, 950));
    } else {
      pos += ms(between(120, 300));
    }
  });
  pos += ms(options.tailMs ?? 600);

  const out = new Float64Array(pos);
  for (let i = 0; i < out.length; i++) out[i] = noise ? Math.round((random() * 2 - 1) * noise) : 0;
  const ramp = ms(10);
  for (const w of layout) {
    const freq = BY_TEXT.get(w.text)!.freq;
    const phase = random() * 2 * Math.PI;
    const len = w.to - w.from;
    for (let k = 0; k < len; k++) {
      const env = Math.min(1, (k + 1) / ramp, (len - k) / ramp);
      out[w.from + k]! += (amplitude / 2 ** w.voice) * env * Math.sin(phase + (2 * Math.PI * freq * k) / rate);
    }
  }
  const samples = new Int16Array(out.length);
  for (let i = 0; i < out.length; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(out[i]!)));
  const words = layout.map((w) => ({ text: w.text, start: w.from / rate, end: w.to / rate, sentence: w.sentence, voice: w.voice }));
  return { samples, rate, words, text: texts.join(' ') };
}

export interface RecognizedWord {
  text: string;
  /** Seconds from the first sample fed to this recogniser. */
  start: number;
  end: number;
  /** Followed by enough silence (or flushed): it will not change any more. */
  final: boolean;
  /** The voice told from the word's peak level (voiceOfPeak). */
  voice: number;
}

export interface ToneRecognizerOptions {
  rate: number;
  /** Absolute amplitude that counts as sound. */
  threshold?: number;
  /** Bursts shorter than this are noise (e.g. the tail of a word cut by a reconnect). */
  minWordMs?: number;
  /** Silence after a burst before the word is final. */
  endSilenceMs?: number;
  /** An open burst is reported (not final) once it is this long. */
  interimMs?: number;
}

interface Burst {
  start: number;
  lastActive: number;
  crossings: number;
  firstCross: number;
  lastCross: number;
  pendingCrossings: number;
  pendingLast: number;
  /** Highest absolute sample so far. */
  peak: number;
}

export class ToneRecognizer {
  readonly rate: number;
  private readonly threshold: number;
  private readonly minWord: number;
  private readonly endSilence: number;
  private readonly interim: number;
  private readonly hold: number;
  private pos = 0;
  private prev = 0;
  private burst: Burst | null = null;
  private closed: { text: string; start: number; end: number; final: boolean; peak: number }[] = [];
  private flushed = false;

  constructor(options: ToneRecognizerOptions) {
    this.rate = options.rate;
    const samples = (ms: number) => Math.round((ms * this.rate) / 1000);
    this.threshold = options.threshold ?? 1500;
    this.minWord = samples(options.minWordMs ?? 120);
    this.endSilence = samples(options.endSilenceMs ?? 80);
    this.interim = samples(options.interimMs ?? 60);
    this.hold = samples(5);
  }

  /** Samples fed so far. */
  get position(): number {
    return this.pos;
  }

  /** True while a burst is open (the last sample fed is inside a word). */
  get inWord(): boolean {
    return this.burst !== null;
  }

  feed(samples: Int16Array): void {
    for (let k = 0; k < samples.length; k++) {
      const x = samples[k]!;
      const i = this.pos++;
      const active = x > this.threshold || x < -this.threshold;
      let b = this.burst;
      if (!b && active) {
        b = this.burst = { start: i, lastActive: i, crossings: 0, firstCross: 0, lastCross: 0, pendingCrossings: 0, pendingLast: 0, peak: 0 };
      }
      if (b) {
        if (x > b.peak || -x > b.peak) b.peak = Math.abs(x);
        if (this.prev < 0 && x >= 0) {
          b.pendingCrossings++;
          b.pendingLast = i - 1 + -this.prev / (x - this.prev);
          if (b.crossings === 0 && b.pendingCrossings === 1) b.firstCross = b.pendingLast;
        }
        if (active) {
          // Crossings only count once sound follows them, so noise after the burst is ignored.
          if (b.pendingCrossings) {
            b.crossings += b.pendingCrossings;
            b.lastCross = b.pendingLast;
            b.pendingCrossings = 0;
          }
          b.lastActive = i;
        } else if (i - b.lastActive > this.hold) {
          this.closeBurst(b);
        }
      }
      this.prev = x;
    }
    this.markFinal();
  }

  /** End of stream: the open word (if long enough) and all others become final. */
  flush(): void {
    if (this.burst) this.closeBurst(this.burst);
    this.flushed = true;
    this.markFinal();
  }

  /** Every word so far, in order, including the one being spoken (not final). */
  words(): RecognizedWord[] {
    const out: RecognizedWord[] = this.closed.map((w) => ({
      text: w.text,
      start: w.start / this.rate,
      end: w.end / this.rate,
      final: w.final,
      voice: voiceOfPeak(w.peak),
    }));
    const b = this.burst;
    if (b && b.lastActive + 1 - b.start >= this.interim && b.crossings >= 2) {
      out.push({ text: this.textOf(b), start: b.start / this.rate, end: (b.lastActive + 1) / this.rate, final: false, voice: voiceOfPeak(b.peak) });
    }
    return out;
  }

  private closeBurst(b: Burst): void {
    this.burst = null;
    const end = b.lastActive + 1;
    if (end - b.start < this.minWord || b.crossings < 2) return;
    this.closed.push({ text: this.textOf(b), start: b.start, end, final: false, peak: b.peak });
  }

  private markFinal(): void {
    for (const w of this.closed) {
      if (!w.final && (this.flushed || this.pos - w.end >= this.endSilence)) w.final = true;
    }
  }

  private textOf(b: Burst): string {
    const periods = b.crossings - 1;
    const seconds = (b.lastCross - b.firstCross) / this.rate;
    return periods > 0 && seconds > 0 ? wordForFrequency(periods / seconds) : '<unk>';
  }
}

/** Groups words into sentences: a pause longer than `gapMs` starts a new one. */
export function groupSentences<T extends { start: number; end: number }>(words: readonly T[], gapMs = 600): T[][] {
  const groups: T[][] = [];
  let prevEnd = -Infinity;
  for (const w of words) {
    if (groups.length === 0 || w.start - prevEnd > gapMs / 1000) groups.push([]);
    groups[groups.length - 1]!.push(w);
    prevEnd = w.end;
  }
  return groups;
}
