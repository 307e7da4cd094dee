/**
 * What every fake provider responder has in common, whatever its protocol: it records the
 * frames and text messages it got and the protocol violations it noticed, keeps the audio
 * (which the coverage checks compare with the source), and lets a recogniser hear it: the
 * tone-word recogniser by default, or any other made by the factory it is given (the
 * passage recogniser for real speech, passage-asr.ts).
 */
import { ToneRecognizer, type RecognizedWord } from './tone-asr.js';

/** What a fake server needs from a recogniser (ToneRecognizer and PassageRecognizer have it). */
export interface SpeechRecognizer {
  readonly rate: number;
  /** Samples fed so far. */
  readonly position: number;
  /** The last sample fed is inside a word (for faults scripted to strike mid-word). */
  readonly inWord: boolean;
  feed(samples: Int16Array): void;
  /** End of stream: what was heard becomes final. */
  flush(): void;
  /** Every word so far, in order, with times on this stream's timeline. */
  words(): RecognizedWord[];
}

/** Makes one recogniser per connection, for audio at `rate`. */
export type RecognizerFactory = (rate: number) => SpeechRecognizer;

export abstract class FakeResponder<Frame> {
  readonly frames: Frame[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer: SpeechRecognizer;
  private readonly chunks: Int16Array[] = [];

  constructor(rate: number, recognizer?: RecognizerFactory) {
    this.recognizer = recognizer ? recognizer(rate) : new ToneRecognizer({ rate });
  }

  /** All audio received, in order. */
  audio(): Int16Array {
    const out = new Int16Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Samples heard so far. */
  get samples(): number {
    return this.recognizer.position;
  }

  protected hear(pcm: Int16Array): void {
    this.chunks.push(pcm);
    this.recognizer.feed(pcm);
  }
}

/**
 * The whole little-endian 16-bit samples in `bytes` (a trailing odd byte is left out), as a
 * copy that owns its memory: a received frame may be a view into a larger, shared buffer.
 */
export function pcmFromBytes(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pcm = new Int16Array(bytes.byteLength >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(i * 2, true);
  return pcm;
}
