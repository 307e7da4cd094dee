/**
 * A fake speech recogniser for REAL speech: it knows a catalogue of reference recordings with
 * their transcripts (passage-catalogue.ts) and "recognises" received audio by finding where
 * in those recordings it comes from, then says the transcript words of the stretch it heard.
 * Same surface as ToneRecognizer, so every fake server can use either.
 *
 * How it finds the audio: every 10 ms frame gets 19 fingerprint bits (speech-features.ts:
 * which band differences grew since the last frame). The last 600 ms of received bits are
 * compared with every 600 ms stretch of every reference; the score is 1 − 2 × the share of
 * bits that differ. Gain and fixed colouring do not change the bits, so a copy 12 dB quieter
 * scores as the original and a delay is just another alignment. Measured (600 ms windows):
 * the true alignment scores ≥ 0.94 after a 16k→44.1k→16k round trip, ≥ 0.7 half a frame off
 * the reference's frame grid, and 0.43 (5 % below 0.22) for speech that WebRTC AEC3 partly
 * gated and reshaped during double-talk; unrelated stretches (other passages, the same words
 * read elsewhere, noise, tone speech) at most 0.20. A stretch locks at ≥ 0.25 (the best match
 * of all); then each new frame is checked at the next reference frame (±1 frame, for drift)
 * and the lock holds while that scores ≥ 0.15. Right after the start or digital silence a
 * shorter window (≥ 300 ms) may lock, at ≥ 0.4.
 *
 * What it says: each alignment (a reference and a frame offset, "segment") marks the
 * reference frames its matching windows covered, and which of them arrived at their level
 * (a voiced frame more than 20 dB below the rest of the stretch was gated, as an echo
 * canceller does: not heard). A transcript word (placed on the reference's frames, see
 * passage-catalogue.ts) is said once at least half of its voiced frames were heard in this
 * connection, at the received time its reference time maps to; it is final once the
 * received audio has passed its end. A word is said once per segment, so a passage cut by a
 * reconnect gives each connection the words it heard (at least half of), and a passage
 * played twice is said twice.
 */
import type { RecognizerFactory } from './fake-responder.js';
import { librivoxCatalogue, type PassageCatalogue, type Reference } from './passage-catalogue.js';
import { BANDS, BITS_PER_FRAME, FeatureExtractor, frameBits, frameLoudness, popcount, SILENT_LOG_POWER, type FeatureFrames } from './speech-features.js';
import type { RecognizedWord } from './tone-asr.js';

export interface PassageRecognizerOptions {
  rate: number;
  catalogue: PassageCatalogue;
  /** Window compared with the references (default 600 ms). */
  windowMs?: number;
  /** Score that locks onto a reference stretch (default 0.25). */
  lockAt?: number;
  /** Score that keeps a lock frame by frame (default 0.15). */
  keepAt?: number;
}

/** A factory for fake servers: `startFireworksServer({ recognizer: passageRecognizer() })`. */
export function passageRecognizer(catalogue: PassageCatalogue = librivoxCatalogue()): RecognizerFactory {
  return (rate) => new PassageRecognizer({ rate, catalogue });
}

interface Segment {
  ref: Reference;
  refIndex: number;
  /** Received frame index minus reference frame index. */
  shift: number;
  /** Per reference frame: 1 = inside a matching window and not gated. */
  heard: Uint8Array;
  /** Received level minus reference level (dB) over this stretch's voiced frames. */
  gain: number | undefined;
  /** Windows matched: words count only once a few have, so a stray match says nothing. */
  matches: number;
}

/** Matched windows before a segment's words count. */
const CONFIRM = 5;
/** While nothing is locked, search all references every this many frames. */
const SEARCH_EVERY = 8;
/** A window locks only where the reference has speech in at least this share of its frames. */
const MIN_VOICED = 0.25;
/** The shortest window that may lock (frames), right after the start or digital silence... */
const MIN_WINDOW = 30;
/** ...and the score it needs: short windows agree by chance more often. */
const SHORT_LOCK_AT = 0.4;
/** A voiced frame this far (dB) below its stretch's level was gated: not heard. */
const GATED_DB = 20;

export class PassageRecognizer {
  readonly rate: number;
  private readonly extractor: FeatureExtractor;
  private readonly refs: Reference[];
  private readonly size: number;
  private readonly lockAt: number;
  private readonly keepAt: number;
  /** The last `size` frames' bits and peaks (a ring), and the window in time order. */
  private readonly ringBits: Int32Array;
  private readonly ringPeak: Float32Array;
  private readonly window: Int32Array;
  /** Every received frame's loudness (dB), to tell gated frames. */
  private loudness = new Float32Array(1024);
  private readonly prev = new Float32Array(BANDS);
  private frames = 0;
  /** Frames since the start or the last digitally silent frame. */
  private sounding = 0;
  private pos = 0;
  /** The first full window is searched at once: a stream may start mid-passage. */
  private sinceSearch = SEARCH_EVERY;
  private current: Segment | null = null;
  private readonly segments: Segment[] = [];
  private flushed = false;

  constructor(options: PassageRecognizerOptions) {
    this.rate = options.rate;
    this.extractor = new FeatureExtractor(options.rate);
    this.refs = options.catalogue.references;
    this.size = Math.max(MIN_WINDOW, Math.round((options.windowMs ?? 600) / 10));
    this.lockAt = options.lockAt ?? 0.25;
    this.keepAt = options.keepAt ?? 0.15;
    this.ringBits = new Int32Array(this.size);
    this.ringPeak = new Float32Array(this.size);
    this.window = new Int32Array(this.size);
  }

  /** Samples fed so far. */
  get position(): number {
    return this.pos;
  }

  /** True while the last frame heard lies inside a word of the passage being heard. */
  get inWord(): boolean {
    const s = this.current;
    if (!s) return false;
    const f = this.frames - 1 - s.shift;
    return s.ref.placed.some((w) => f >= w.from && f < w.to);
  }

  feed(samples: Int16Array): void {
    this.pos += samples.length;
    const got = this.extractor.push(samples);
    for (let i = 0; i < got.count; i++) this.step(got, i);
  }

  /** End of stream: every word heard enough is final, the rest will never be said. */
  flush(): void {
    // The last 15 ms or so never filled a whole frame; they were heard all the same.
    const s = this.current;
    if (s && !this.flushed) s.heard.fill(1, Math.max(0, this.frames - s.shift), Math.max(0, Math.ceil(this.pos / this.extractor.hop) - s.shift));
    this.flushed = true;
  }

  words(): RecognizedWord[] {
    const out: (RecognizedWord & { order: number })[] = [];
    this.segments.forEach((s, order) => {
      if (s.matches < CONFIRM) return;
      for (const w of s.ref.placed) {
        let voiced = 0;
        let heard = 0;
        for (let f = w.from; f < w.to; f++) {
          voiced += s.ref.voiced[f]!;
          heard += s.ref.voiced[f]! & s.heard[f]!;
        }
        const passed = this.flushed || this.frames >= w.to + s.shift;
        if (passed ? 2 * heard < voiced : heard < Math.min(voiced, 4)) continue;
        // One reader reads every LibriVox passage: voice 0 (no fake diarisation of real speech).
        out.push({ text: w.text, start: this.seconds(w.from + s.shift), end: this.seconds(w.to + s.shift), final: passed, voice: 0, order });
      }
    });
    out.sort((a, b) => a.start - b.start || a.order - b.order);
    return out.map(({ order: _, ...w }) => w);
  }

  /** Received time of a frame boundary: half a hop before the centre of frame k's window. */
  private seconds(frame: number): number {
    const { win, hop } = this.extractor;
    return Math.max(0, (frame * hop + (win - hop) / 2) / this.rate);
  }

  private step(got: FeatureFrames, i: number): void {
    const cur = got.values.subarray(i * BANDS, (i + 1) * BANDS);
    const t = this.frames++;
    const slot = t % this.size;
    this.ringBits[slot] = t ? frameBits(this.prev, cur) : 0;
    this.ringPeak[slot] = got.peak[i]!;
    this.prev.set(cur);
    if (t >= this.loudness.length) {
      const grown = new Float32Array(this.loudness.length * 2);
      grown.set(this.loudness);
      this.loudness = grown;
    }
    this.loudness[t] = frameLoudness(cur);
    // Digital silence (a pause, the gap before a passage) starts the window afresh.
    if (got.peak[i]! <= SILENT_LOG_POWER + 1) {
      this.sounding = 0;
      this.current = null;
      this.sinceSearch = SEARCH_EVERY;
      return;
    }
    const w = Math.min(++this.sounding, this.size);
    if (w < MIN_WINDOW) return;
    for (let k = 0; k < w; k++) this.window[w - 1 - k] = this.ringBits[(t - k) % this.size]!;
    if (this.current && this.keep(this.current, t, w)) return;
    // A lost lock is searched at once (a new passage may have begun), as is every window
    // while it grows after silence; otherwise every SEARCH_EVERY frames, which costs nothing
    // in coverage since a lock covers its whole window.
    if (this.current || w < this.size) this.sinceSearch = SEARCH_EVERY;
    this.current = null;
    if (++this.sinceSearch < SEARCH_EVERY) return;
    this.sinceSearch = 0;
    this.search(t, w);
  }

  /** Follows the locked segment to this frame; false when it no longer matches. */
  private keep(s: Segment, t: number, w: number): boolean {
    let best = -1;
    let bestShift = s.shift;
    for (const shift of [s.shift, s.shift - 1, s.shift + 1]) {
      const score = this.score(s.refIndex, t - shift, w);
      if (score > best) {
        best = score;
        bestShift = shift;
      }
    }
    if (best < this.keepAt) return false;
    s.shift = bestShift;
    this.cover(s, t - bestShift, w);
    return true;
  }

  private search(t: number, w: number): void {
    let best = w >= this.size ? this.lockAt : SHORT_LOCK_AT;
    let refIndex = -1;
    let end = -1;
    for (let r = 0; r < this.refs.length; r++) {
      const ref = this.refs[r]!;
      let voiced = 0;
      for (let e = 0; e < ref.features.count; e++) {
        voiced += ref.voiced[e]! - (e >= w ? ref.voiced[e - w]! : 0);
        if (e < w - 1 || voiced < MIN_VOICED * w) continue;
        const score = this.score(r, e, w);
        if (score > best) {
          best = score;
          refIndex = r;
          end = e;
        }
      }
    }
    if (refIndex < 0) return;
    const shift = t - end;
    let s = this.segments.find((x) => x.refIndex === refIndex && Math.abs(x.shift - shift) <= 3);
    if (s) s.shift = shift;
    else {
      const ref = this.refs[refIndex]!;
      s = { ref, refIndex, shift, heard: new Uint8Array(ref.features.count), gain: undefined, matches: 0 };
      this.segments.push(s);
    }
    this.current = s;
    this.cover(s, end, w);
  }

  /**
   * Marks the reference frames of a matching window heard, except voiced frames that arrived
   * far below the stretch's level (gated). The level (received minus reference, dB) is taken
   * from the window's voiced frames, then followed slowly.
   */
  private cover(s: Segment, end: number, w: number): void {
    const { voiced, loudness: refLoud } = s.ref;
    const diffs: number[] = [];
    for (let f = end - w + 1; f <= end; f++) if (voiced[f]) diffs.push(this.loudness[f + s.shift]! - refLoud[f]!);
    if (diffs.length) {
      diffs.sort((a, b) => a - b);
      // The upper quartile: gated frames pull it down only once they are most of the window,
      // and such a window does not move the level at all.
      const level = diffs[Math.floor(0.75 * (diffs.length - 1))]!;
      if (s.gain === undefined) s.gain = level;
      else if (level > s.gain - GATED_DB / 2) s.gain = 0.9 * s.gain + 0.1 * level;
    }
    for (let f = end - w + 1; f <= end; f++) {
      if (s.heard[f]) continue;
      if (!voiced[f] || s.gain === undefined || this.loudness[f + s.shift]! - refLoud[f]! >= s.gain - GATED_DB) s.heard[f] = 1;
    }
    s.matches++;
  }

  /**
   * 1 − 2 × the share of differing bits between the received window (the last `w` frames)
   * and the reference's `w` frames ending at `end`; −1 where the reference has no such frames.
   */
  private score(refIndex: number, end: number, w: number): number {
    const ref = this.refs[refIndex]!;
    if (end < w - 1 || end >= ref.features.count) return -1;
    const y = ref.bits;
    const from = end - w + 1;
    let differ = 0;
    for (let k = 0; k < w; k++) differ += popcount(this.window[k]! ^ y[from + k]!);
    return 1 - (2 * differ) / (w * BITS_PER_FRAME);
  }
}
