/**
 * An AudioSource for pipeline tests. Two modes:
 * - `data`: a file-like source (live=false by default) that hands out `data` in `chunkBytes` pieces;
 * - no `data`: a live-like source the test drives with push()/end()/fail(), e.g. on a fake clock.
 * Records how it was used (opened, closed, chunks handed out) so tests can assert on it.
 */
import { ChunkQueue } from '../../main/audio/chunk-queue.js';
import type { AudioFormat, AudioOverflowEvent, AudioSource, AudioSourceStats } from '../../main/audio/types.js';
import type { Unsubscribe } from '../../main/util/clock.js';
import { EarshotError } from '../../shared/errors.js';

export interface FakeAudioSourceOptions {
  format?: AudioFormat;
  /** Whole PCM in `format`; Int16Array is taken as s16le samples. */
  data?: Uint8Array | Int16Array;
  /** Piece size in `data` mode; default 100 ms, rounded to whole frames. */
  chunkBytes?: number;
  live?: boolean;
  description?: string;
  /** open() rejects with this. */
  openError?: EarshotError;
  /** In `data` mode, iteration throws this after the given number of bytes. */
  failAfter?: { bytes: number; error: EarshotError };
}

export class FakeAudioSource implements AudioSource {
  readonly live: boolean;
  readonly description: string;
  readonly format: AudioFormat;
  readonly totalFrames: number | undefined;
  opened = 0;
  closed = 0;
  chunksHandedOut = 0;
  private readonly data: Uint8Array | null;
  private readonly queue = new ChunkQueue(Number.MAX_SAFE_INTEGER);
  private readonly listeners = new Set<(e: AudioOverflowEvent) => void>();
  private readonly counters = { overflows: 0, bytes: 0, lostMs: 0 };

  constructor(private readonly opts: FakeAudioSourceOptions = {}) {
    this.format = opts.format ?? { sampleRate: 16000, channels: 1, sampleFormat: 's16' };
    const d = opts.data;
    this.data = d ? (d instanceof Int16Array ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : d) : null;
    this.live = opts.live ?? this.data === null;
    this.description = opts.description ?? (this.live ? 'fake live input' : 'fake file');
    this.totalFrames = this.data ? Math.floor(this.data.length / this.frameBytes) : undefined;
  }

  get frameBytes(): number {
    const bps = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4 }[this.format.sampleFormat];
    return bps * this.format.channels;
  }

  async open(): Promise<AudioFormat> {
    this.opened++;
    if (this.opts.openError) throw this.opts.openError;
    return this.format;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.opened) throw new EarshotError('INTERNAL', 'chunks() before open()');
    if (!this.data) {
      for await (const c of this.queue.drain()) yield this.count(c);
      return;
    }
    const fb = this.frameBytes;
    const size = Math.max(fb, this.opts.chunkBytes ?? Math.round(this.format.sampleRate / 10) * fb);
    const step = size - (size % fb);
    for (let at = 0; at < this.data.length && !this.closed; at += step) {
      const fail = this.opts.failAfter;
      if (fail && at >= fail.bytes) throw fail.error;
      yield this.count(Buffer.from(this.data.subarray(at, Math.min(this.data.length, at + step))));
    }
  }

  /** Live mode: deliver a chunk now. */
  push(chunk: Uint8Array | Int16Array): void {
    const b = chunk instanceof Int16Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.from(chunk);
    this.queue.push(b);
  }

  /** Live mode: the device stops delivering (iteration ends after queued chunks). */
  end(): void {
    this.queue.end();
  }

  /** Live mode: the device fails (iteration throws after queued chunks). */
  fail(err: EarshotError): void {
    this.queue.fail(err);
  }

  /** Simulates audio lost before Earshot saw it. */
  overflow(lostMs: number, where: AudioOverflowEvent['where'] = 'driver'): void {
    this.counters.overflows++;
    this.counters.lostMs += lostMs;
    const e = { lostMs, overflows: this.counters.overflows, totalLostMs: this.counters.lostMs, where };
    for (const l of [...this.listeners]) l(e);
  }

  onOverflow(listener: (e: AudioOverflowEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed++;
    this.queue.end();
  }

  stats(): AudioSourceStats {
    return { ...this.counters };
  }

  private count(c: Buffer): Buffer {
    this.chunksHandedOut++;
    this.counters.bytes += c.length;
    return c;
  }
}
