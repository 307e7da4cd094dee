/**
 * A fake speech recogniser for REAL speech: it knows a catalogue of reference recordings with
 * their transcripts (passage-catalogue.ts) and "recognises" received audio by finding where
 * in those recordings it comes from, then says the transcript words of the stretch it heard.
 * Same surface as ToneRecognizer, so every fake server can use either.
 *
 * How it finds the audio: every 10 ms frame gets a spectral fingerprint (speech-features.ts);
 * the last 400 ms of received fingerprints are compared with every 400 ms stretch of every
 * reference by correlation after removing each band's mean over the window. That removes any
 * gain (a copy 12 dB quieter matches as well as the original) and any fixed colouring, and a
 * delay is just another alignment. Silence, noise and tone speech correlate at most ~0.7 with
 * speech, the true alignment ≥ 0.98 even after a 16k→44.1k→16k round trip; the same words
 * read in two passages ("ill disposed") reach ~0.92, so a stretch locks only at ≥ 0.95 and to
 * the best match of all. Once locked, each new frame is checked against the next reference
 * frame (±1 frame, for drift) and that cheap check keeps the lock while it holds ≥ 0.85.
 *
 * What it says: each alignment (a reference and a frame offset, "segment") marks the
 * reference frames its matching windows covered. A transcript word (placed on the reference's
 * frames, see passage-catalogue.ts) is said once at least half of its frames were covered in
 * this connection, at the received time its reference time maps to; it is final once the
 * received audio has passed its end. A word is said once per segment, so a passage cut by a
 * reconnect gives each connection the words it heard (at least half of), and a passage
 * played twice is said twice.
 */
import type { RecognizerFactory } from './fake-responder.js';
import { librivoxCatalogue, type PassageCatalogue, type Reference } from './passage-catalogue.js';
import { BANDS, FeatureExtractor, SILENT_LOG_POWER, type FeatureFrames } from './speech-features.js';
import type { RecognizedWord } from './tone-asr.js';

export interface PassageRecognizerOptions {
  rate: number;
  catalogue: PassageCatalogue;
  /** Window compared with the references (default 400 ms). */
  windowMs?: number;
  /** Correlation that locks onto a reference stretch (default 0.95). */
  lockAt?: number;
  /** Correlation that keeps a lock frame by frame (default 0.85). */
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
  covered: Uint8Array;
  /** Windows matched: words count only once a few have, so a stray match says nothing. */
  matches: number;
}

/** Matched windows before a segment's words count. */
const CONFIRM = 5;
/** While nothing is locked, search all references every this many frames. */
const SEARCH_EVERY = 8;
/** A window locks only where the reference has speech in at least this share of its frames. */
const MIN_VOICED = 0.25;

export class PassageRecognizer {
  readonly rate: number;
  private readonly extractor: FeatureExtractor;
  private readonly refs: Reference[];
  private readonly size: number;
  private readonly lockAt: number;
  private readonly keepAt: number;
  /** Per reference, per window end frame: norm of the band-centred window (0 = cannot lock). */
  private readonly refNorms: Float64Array[];
  private readonly canLock: Uint8Array[];
  /** The last `size` received frames, oldest first once `frames` ≥ size (a ring). */
  private readonly ring: Float32Array;
  private readonly ringPeak: Float32Array;
  private readonly centred: Float64Array;
  private frames = 0;
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
    this.size = Math.round((options.windowMs ?? 400) / 10);
    this.lockAt = options.lockAt ?? 0.95;
    this.keepAt = options.keepAt ?? 0.85;
    this.ring = new Float32Array(this.size * BANDS);
    this.ringPeak = new Float32Array(this.size);
    this.centred = new Float64Array(this.size * BANDS);
    this.refNorms = this.refs.map((r) => windowNorms(r.features, this.size));
    this.canLock = this.refs.map((r) => {
      const ok = new Uint8Array(r.features.count);
      let voiced = 0;
      for (let f = 0; f < r.features.count; f++) {
        voiced += r.voiced[f]! - (f >= this.size ? r.voiced[f - this.size]! : 0);
        ok[f] = f >= this.size - 1 && voiced >= MIN_VOICED * this.size ? 1 : 0;
      }
      return ok;
    });
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
    // The last 15 ms or so never filled a whole window; they were heard all the same.
    const s = this.current;
    if (s && !this.flushed) s.covered.fill(1, Math.max(0, this.frames - s.shift), Math.max(0, Math.ceil(this.pos / this.extractor.hop) - s.shift));
    this.flushed = true;
  }

  words(): RecognizedWord[] {
    const out: (RecognizedWord & { order: number })[] = [];
    this.segments.forEach((s, order) => {
      if (s.matches < CONFIRM) return;
      for (const w of s.ref.placed) {
        let heard = 0;
        for (let f = w.from; f < w.to; f++) heard += s.covered[f]!;
        const len = w.to - w.from;
        const passed = this.flushed || this.frames >= w.to + s.shift;
        if (passed ? 2 * heard < len : heard < Math.min(len, 6)) continue;
        out.push({ text: w.text, start: this.seconds(w.from + s.shift), end: this.seconds(w.to + s.shift), final: passed, order });
      }
    });
    out.sort((a, b) => a.start - b.start || a.order - b.order);
    return out.map(({ order: _, ...w }) => w);
  }

  /** Received time of a frame boundary: frame k's window is centred 12.5 ms after its start. */
  private seconds(frame: number): number {
    return Math.max(0, frame * 0.01 + 0.0075);
  }

  private step(got: FeatureFrames, i: number): void {
    const slot = this.frames % this.size;
    this.ring.set(got.values.subarray(i * BANDS, (i + 1) * BANDS), slot * BANDS);
    this.ringPeak[slot] = got.peak[i]!;
    const t = this.frames++;
    if (t < this.size - 1) return;
    const norm = this.centre();
    if (norm === 0) {
      this.current = null;
      return;
    }
    if (this.current && this.keep(this.current, t, norm)) return;
    // A lost lock, the first full window and the first after digital silence are searched at
    // once (a new passage may have begun); otherwise every SEARCH_EVERY frames, which costs
    // nothing in coverage since a lock covers its whole window.
    if (this.current) this.sinceSearch = SEARCH_EVERY;
    this.current = null;
    if (this.hasSilence()) {
      this.sinceSearch = SEARCH_EVERY;
      return;
    }
    if (++this.sinceSearch < SEARCH_EVERY) return;
    this.sinceSearch = 0;
    this.search(t, norm);
  }

  /** Follows the locked segment to this frame; false when it no longer matches. */
  private keep(s: Segment, t: number, norm: number): boolean {
    let best = -1;
    let bestShift = s.shift;
    for (const shift of [s.shift, s.shift - 1, s.shift + 1]) {
      const score = this.score(s.refIndex, t - shift, norm);
      if (score > best) {
        best = score;
        bestShift = shift;
      }
    }
    if (best < this.keepAt) return false;
    s.shift = bestShift;
    this.cover(s, t - bestShift);
    return true;
  }

  private search(t: number, norm: number): void {
    let best = this.lockAt;
    let refIndex = -1;
    let end = -1;
    for (let r = 0; r < this.refs.length; r++) {
      const ok = this.canLock[r]!;
      for (let e = this.size - 1; e < ok.length; e++) {
        if (!ok[e]) continue;
        const score = this.score(r, e, norm);
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
      s = { ref, refIndex, shift, covered: new Uint8Array(ref.features.count), matches: 0 };
      this.segments.push(s);
    }
    this.current = s;
    this.cover(s, end);
  }

  private cover(s: Segment, end: number): void {
    s.covered.fill(1, end - this.size + 1, end + 1);
    s.matches++;
  }

  /**
   * Correlation of the received window (already band-centred, with norm `norm`) with the
   * reference window ending at frame `end`. The reference's band means need no subtracting:
   * the received window sums to zero in every band.
   */
  private score(refIndex: number, end: number, norm: number): number {
    const ref = this.refs[refIndex]!;
    if (end < this.size - 1 || end >= ref.features.count) return -1;
    const refNorm = this.refNorms[refIndex]![end]!;
    if (refNorm === 0) return -1;
    const y = ref.features.values;
    const from = (end - this.size + 1) * BANDS;
    const x = this.centred;
    let dot = 0;
    for (let k = 0; k < x.length; k++) dot += x[k]! * y[from + k]!;
    return dot / (norm * refNorm);
  }

  /** Fills `centred` with the received window, oldest frame first, each band minus its mean. */
  private centre(): number {
    const n = this.size;
    const first = this.frames % n;
    for (let k = 0; k < n; k++) this.centred.set(this.ring.subarray(((first + k) % n) * BANDS, ((first + k) % n + 1) * BANDS), k * BANDS);
    let sumSq = 0;
    for (let b = 0; b < BANDS; b++) {
      let mean = 0;
      for (let k = 0; k < n; k++) mean += this.centred[k * BANDS + b]!;
      mean /= n;
      for (let k = 0; k < n; k++) {
        const v = (this.centred[k * BANDS + b]! -= mean);
        sumSq += v * v;
      }
    }
    return sumSq > 1e-6 ? Math.sqrt(sumSq) : 0;
  }

  /** Digital silence in the window (a pause, the gap before a passage): no new lock here. */
  private hasSilence(): boolean {
    for (const p of this.ringPeak) if (p <= SILENT_LOG_POWER + 1) return true;
    return false;
  }
}

/** Per window end frame, the norm of the window after removing each band's mean. */
function windowNorms(features: FeatureFrames, size: number): Float64Array {
  const out = new Float64Array(features.count);
  const sum = new Float64Array(BANDS);
  const sumSq = new Float64Array(BANDS);
  const v = features.values;
  for (let f = 0; f < features.count; f++) {
    for (let b = 0; b < BANDS; b++) {
      const x = v[f * BANDS + b]!;
      sum[b]! += x;
      sumSq[b]! += x * x;
      if (f >= size) {
        const old = v[(f - size) * BANDS + b]!;
        sum[b]! -= old;
        sumSq[b]! -= old * old;
      }
    }
    if (f < size - 1) continue;
    let total = 0;
    for (let b = 0; b < BANDS; b++) total += Math.max(0, sumSq[b]! - (sum[b]! * sum[b]!) / size);
    out[f] = total > 1e-6 ? Math.sqrt(total) : 0;
  }
  return out;
}
