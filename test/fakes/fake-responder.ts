/**
 * What every fake provider responder has in common, whatever its protocol: it records the
 * frames and text messages it got and the protocol violations it noticed, keeps the audio
 * (which the coverage checks compare with the source), and lets the tone-word recogniser
 * hear it.
 */
import { ToneRecognizer } from './tone-asr.js';

export abstract class FakeResponder<Frame> {
  readonly frames: Frame[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer: ToneRecognizer;
  private readonly chunks: Int16Array[] = [];

  constructor(rate: number) {
    this.recognizer = new ToneRecognizer({ rate });
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
