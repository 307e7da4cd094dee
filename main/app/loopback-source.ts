/**
 * System audio on Windows and macOS, where PortAudio cannot capture it: a hidden capture
 * page gets a loopback stream from Chromium (display-media audio, enabled through
 * electron-audio-loopback's feature flags) and posts float PCM blocks to main. This class
 * turns those posts into the same AudioSource the pipeline reads from PortAudio or a file.
 * The queue is bounded; what it drops is counted as overflow, never silently lost.
 */
import { EarshotError } from '../../shared/errors.js';
import type { CaptureChunk, CaptureStatus } from '../../shared/ipc-contract.js';
import type { AudioFormat, AudioSource, AudioSourceStats } from '../audio/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';

export interface CaptureControl {
  /** Asks the capture page to start (it answers with a status). */
  start(): void;
  stop(): void;
}

export interface LoopbackSourceOptions {
  control: CaptureControl;
  clock: Clock;
  /** How long the page may take to start capturing. */
  startTimeoutMs?: number;
  /** Audio held for a slow reader before the oldest block is dropped. */
  maxQueuedSeconds?: number;
}

export class LoopbackAudioSource implements AudioSource {
  readonly description = 'system audio (loopback)';
  readonly live = true;
  private format: AudioFormat | null = null;
  private readonly queue: Buffer[] = [];
  private queuedFrames = 0;
  private waiting: ((v: IteratorResult<Buffer>) => void) | null = null;
  private opening: { resolve: (f: AudioFormat) => void; reject: (e: Error) => void; timer: TimerHandle } | null = null;
  private closed = false;
  private nextSeq = 0;
  private readonly counters: AudioSourceStats = { overflows: 0, bytes: 0 };
  private readonly startTimeoutMs: number;
  private readonly maxQueuedSeconds: number;

  constructor(private readonly options: LoopbackSourceOptions) {
    this.startTimeoutMs = options.startTimeoutMs ?? 5000;
    this.maxQueuedSeconds = options.maxQueuedSeconds ?? 2;
  }

  open(): Promise<AudioFormat> {
    if (this.closed) return Promise.reject(new EarshotError('DEVICE_OPEN_FAILED', 'system audio capture was closed'));
    if (this.format) return Promise.resolve(this.format);
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.opening = null;
        this.options.control.stop();
        reject(new EarshotError('DEVICE_OPEN_FAILED', 'system audio capture did not start (screen-recording permission?)'));
      }, this.startTimeoutMs);
      this.opening = { resolve, reject, timer };
      this.options.control.start();
    });
  }

  /** From the capture page, via validated IPC. */
  onStatus(status: CaptureStatus): void {
    const opening = this.opening;
    if (status.state === 'started') {
      this.format = { sampleRate: status.sampleRate, channels: status.channels, sampleFormat: 'f32' };
      if (opening) {
        this.options.clock.clearTimeout(opening.timer);
        this.opening = null;
        opening.resolve(this.format);
      }
      return;
    }
    const err = status.state === 'error'
      ? new EarshotError('DEVICE_OPEN_FAILED', `system audio: ${status.message}`)
      : new EarshotError('DEVICE_LOST', 'system audio capture stopped');
    if (opening) {
      this.options.clock.clearTimeout(opening.timer);
      this.opening = null;
      opening.reject(err);
      return;
    }
    if (this.format) void this.close();
  }

  /** From the capture page, via validated IPC. Blocks in another format are ignored. */
  onChunk(chunk: CaptureChunk): void {
    const f = this.format;
    if (this.closed || !f || chunk.sampleRate !== f.sampleRate || chunk.channels !== f.channels) return;
    if (chunk.seq !== this.nextSeq && this.nextSeq !== 0) this.counters.overflows++; // the page skipped blocks
    this.nextSeq = chunk.seq + 1;
    const bytes = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
    this.counters.bytes += bytes.length;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: Buffer.from(bytes), done: false });
      return;
    }
    this.queue.push(Buffer.from(bytes));
    this.queuedFrames += chunk.data.length / f.channels;
    while (this.queuedFrames > this.maxQueuedSeconds * f.sampleRate && this.queue.length > 1) {
      const dropped = this.queue.shift()!;
      this.queuedFrames -= dropped.length / 4 / f.channels;
      this.counters.overflows++;
    }
  }

  chunks(): AsyncIterable<Buffer> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<Buffer>> => {
          const head = this.queue.shift();
          if (head) {
            this.queuedFrames -= head.length / 4 / (this.format?.channels ?? 1);
            return Promise.resolve({ value: head, done: false });
          }
          if (this.closed) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => { this.waiting = resolve; });
        },
        return: async (): Promise<IteratorResult<Buffer>> => {
          await this.close();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.control.stop();
    if (this.opening) {
      this.options.clock.clearTimeout(this.opening.timer);
      this.opening.reject(new EarshotError('DEVICE_OPEN_FAILED', 'system audio capture was closed'));
      this.opening = null;
    }
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  stats(): AudioSourceStats {
    return { ...this.counters };
  }
}
