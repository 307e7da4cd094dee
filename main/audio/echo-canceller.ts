/**
 * Acoustic echo cancellation of the microphone against system audio, with WebRTC's AEC3
 * (the canceller inside Chrome and every WebRTC call), as WebAssembly from
 * @ennuicastr/webrtcaec3.js. System audio is what the speakers play, so it is AEC3's
 * "render" signal; the microphone is its "capture" signal; what comes out is the microphone
 * with the speakers' sound taken away, before it is sent to the speech service.
 *
 * The two streams come from two capture devices, so their frames arrive in no fixed order
 * and each with its own buffering delay. AEC3 can only cancel echo whose render audio it has
 * already seen (it estimates the delay itself, but only in that direction), so microphone
 * audio is held until system audio reaching `leadMs` past the same moment has been analysed.
 * Positions are matched by when each stream's first audio arrived; `leadMs` covers what that
 * cannot know (one device buffering longer than the other). If system audio stalls, the
 * microphone is never held longer than `maxHoldMs`: it is then processed without reference.
 */
import { createRequire } from 'node:module';
import type { Clock } from '../util/clock.js';

/** One AEC3 instance at the stream's rate: equal-length blocks in, equal-length blocks out. */
export interface EchoEngine {
  /** Samples per block (10 ms at the stream's rate). */
  readonly block: number;
  analyze(render: Float32Array): void;
  process(capture: Float32Array): Float32Array;
}

/** AEC3 runs at 32 kHz inside; the library resamples the stream's rate in and out. */
const AEC3_RATE = 32000;

interface Aec3Instance {
  analyze(data: Float32Array[], opts?: { sampleRateIn?: number }): void;
  processSize(data: Float32Array[], opts?: { sampleRateIn?: number; sampleRateOut?: number }): number;
  process(out: Float32Array[], data: Float32Array[], opts?: { sampleRateIn?: number; sampleRateOut?: number }): void;
}
type Aec3Module = { AEC3: new (rate: number, renderChannels: number, captureChannels: number) => Aec3Instance };

let modulePromise: Promise<Aec3Module> | undefined;

/** Loads the WebAssembly once per process (about 1 MB) and makes an engine for `rate`. */
export async function loadAec3(rate: number): Promise<EchoEngine> {
  if (!modulePromise) {
    // A CommonJS module (emscripten): required, so it finds its .wasm next to itself, also in an asar.
    const load = createRequire(import.meta.url)('@ennuicastr/webrtcaec3.js') as () => Promise<Aec3Module>;
    modulePromise = load();
  }
  const mod = await modulePromise;
  const aec = new mod.AEC3(AEC3_RATE, 1, 1);
  const block = Math.round(rate / 100);
  const io = { sampleRateIn: rate, sampleRateOut: rate };
  return {
    block,
    analyze: (render) => aec.analyze([render], { sampleRateIn: rate }),
    process: (capture) => {
      const out = [new Float32Array(aec.processSize([capture], io))];
      aec.process(out, [capture], io);
      return out[0]!;
    },
  };
}

export interface EchoCancellerOptions {
  rate: number;
  clock: Clock;
  /** How far system audio must be ahead of the microphone before the microphone is processed. */
  leadMs?: number;
  /** The longest the microphone waits for it. */
  maxHoldMs?: number;
}

export const DEFAULT_LEAD_MS = 150;
export const DEFAULT_MAX_HOLD_MS = 300;

export class EchoCanceller {
  private engine: EchoEngine | undefined;
  private readonly maxHold: number;
  private readonly lead: number;
  /** Render samples analysed, and capture samples taken in / given out. */
  private rendered = 0;
  private captured = 0;
  private emitted = 0;
  private renderStartedAt: number | undefined;
  private captureStartedAt: number | undefined;
  /** Render samples not yet a whole block. */
  private renderTail: Float32Array = new Float32Array(0);
  /** Capture samples waiting for their render audio. */
  private held: Float32Array = new Float32Array(0);
  /** Processed output not yet handed back (AEC3 may return a block late). */
  private outQueue: Float32Array<ArrayBufferLike>[] = [];
  private outQueued = 0;
  /** Capture samples processed before their render audio arrived (system audio stalled). */
  unreferencedSamples = 0;

  constructor(private readonly options: EchoCancellerOptions) {
    this.maxHold = Math.round(((options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS) * options.rate) / 1000);
    this.lead = Math.round(((options.leadMs ?? DEFAULT_LEAD_MS) * options.rate) / 1000);
  }

  /** Until an engine is attached (it loads asynchronously), audio passes through untouched. */
  attach(engine: EchoEngine): void {
    this.engine = engine;
  }

  get active(): boolean {
    return this.engine !== undefined;
  }

  /** System audio, as it is sent to its own speech service. */
  render(pcm: Int16Array): void {
    const engine = this.engine;
    if (!engine) return;
    this.renderStartedAt ??= this.options.clock.now();
    const all = concat(this.renderTail, toFloat(pcm));
    let at = 0;
    for (; at + engine.block <= all.length; at += engine.block) engine.analyze(all.subarray(at, at + engine.block));
    this.rendered += at;
    this.renderTail = all.slice(at);
  }

  /** Microphone audio in; the microphone without the speakers out (maybe later, never lost). */
  capture(pcm: Int16Array): Int16Array {
    const engine = this.engine;
    if (!engine) return pcm;
    this.captureStartedAt ??= this.options.clock.now();
    this.held = concat(this.held, toFloat(pcm));
    this.drain(false);
    return this.take(false);
  }

  /** Everything still held, processed (the stream is ending). */
  flush(): Int16Array {
    if (!this.engine) return new Int16Array(0);
    this.drain(true);
    return this.take(true);
  }

  private drain(all: boolean): void {
    const engine = this.engine!;
    const block = engine.block;
    // Where the render stream stands, in capture samples (both started by the clock).
    const offset = this.renderStartedAt === undefined ? -Infinity : Math.round(((this.captureStartedAt! - this.renderStartedAt) * this.options.rate) / 1000);
    let at = 0;
    while (at + block <= this.held.length) {
      const covered = this.captured + block + offset + this.lead <= this.rendered;
      const tooLong = this.held.length - at > this.maxHold;
      if (!covered && !tooLong && !all) break;
      if (!covered) this.unreferencedSamples += block;
      this.push(engine.process(this.held.subarray(at, at + block)));
      this.captured += block;
      at += block;
    }
    if (all && at < this.held.length) {
      // The last partial block: padded to a block, and only its own length kept.
      const last = new Float32Array(block);
      last.set(this.held.subarray(at));
      const n = this.held.length - at;
      this.push(engine.process(last).subarray(0, n));
      this.captured += n;
      at = this.held.length;
    }
    this.held = this.held.slice(at);
  }

  private push(out: Float32Array<ArrayBufferLike>): void {
    this.outQueue.push(out);
    this.outQueued += out.length;
  }

  /** Hands back as many samples as were taken in (so the stream keeps its length and timing). */
  private take(all: boolean): Int16Array {
    const owed = this.captured - this.emitted;
    const n = all ? owed : Math.min(owed, this.outQueued);
    const result = new Int16Array(n);
    let filled = 0;
    while (filled < n && this.outQueue.length) {
      const head = this.outQueue[0]!;
      const k = Math.min(head.length, n - filled);
      for (let i = 0; i < k; i++) result[filled + i] = toInt16(head[i]!);
      filled += k;
      if (k === head.length) this.outQueue.shift();
      else this.outQueue[0] = head.subarray(k);
      this.outQueued -= k;
    }
    // Short output at the very end (AEC3 kept a block): silence keeps the length exact.
    this.emitted += n;
    return result;
  }
}

function toFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

function toInt16(v: number): number {
  const s = Math.round(v * 32768);
  return s > 32767 ? 32767 : s < -32768 ? -32768 : s;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
