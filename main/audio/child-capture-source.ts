/**
 * Live capture in a child process (capture-child.ts), for the CLI: PortAudio's printf's and probing
 * noise stay out of the captions on stdout, and a native crash ends the capture with DEVICE_LOST
 * instead of killing the run (perf-reliability.md B4). PCM arrives on a pipe, control on IPC.
 *
 * Not for the desktop app: Electron's runAsNode fuse is off, so its binary cannot run the child.
 */
import { EarshotError, type ErrorInfo } from '../../shared/errors.js';
import { systemClock, type Clock, type TimerHandle, type Unsubscribe } from '../util/clock.js';
import { errorFromMessage, FrameDecoder, parseChildMessage, type ChildMessage } from './capture-protocol.js';
import { describeExit, spawnCaptureProcess, type CaptureProcess, type SpawnCapture } from './capture-process.js';
import { ChunkQueue } from './chunk-queue.js';
import { StderrFilter } from './stderr-filter.js';
import type { AudioFormat, AudioOverflowEvent, AudioSource, AudioSourceStats } from './types.js';

export interface ChildCaptureOptions {
  /** What the child resolves, as for --source: mic, system or device:ID. */
  spec: string;
  spawn?: SpawnCapture;
  clock?: Clock;
  /** Where the child's stderr goes once filtered. Default: this process's stderr. */
  stderr?: (text: string) => void;
  /** Audio queued here (and, separately, in the child) before the oldest is dropped. Default 5 s. */
  maxQueuedMs?: number;
  /** A driver that neither opens nor fails within this is given up on. Default 20 s. */
  openTimeoutMs?: number;
  /** Time the child gets to stop by itself before it is killed. Default 2.5 s. */
  stopGraceMs?: number;
}

interface Pending {
  resolve(f: AudioFormat): void;
  reject(e: EarshotError): void;
  timer: TimerHandle;
}

export class ChildCaptureSource implements AudioSource {
  readonly live = true;
  private readonly clock: Clock;
  private child: CaptureProcess | null = null;
  private opening: Promise<AudioFormat> | null = null;
  private pending: Pending | null = null;
  private format: AudioFormat | null = null;
  private name: string;
  private queue: ChunkQueue | null = null;
  private readonly decoder = new FrameDecoder();
  private readonly filter: StderrFilter;
  private reported: EarshotError | null = null;
  /** Open failed or close() was called: the child's exit is expected. */
  private finished = false;
  private exited = false;
  private endSeen = false;
  private started = false;
  private closing: Promise<void> | null = null;
  private readonly exitWaiters = new Set<() => void>();
  private readonly counters = { overflows: 0, bytes: 0, lostMs: 0 };
  private readonly overflowListeners = new Set<(e: AudioOverflowEvent) => void>();
  private readonly errorListeners = new Set<(e: ErrorInfo) => void>();

  constructor(private readonly opts: ChildCaptureOptions) {
    this.clock = opts.clock ?? systemClock;
    this.name = initialName(opts.spec);
    this.filter = new StderrFilter(opts.stderr ?? ((t) => void process.stderr.write(t)));
  }

  get description(): string {
    return this.name;
  }

  open(): Promise<AudioFormat> {
    if (this.format) return Promise.resolve(this.format);
    if (this.finished && !this.opening) return Promise.reject(new EarshotError('DEVICE_OPEN_FAILED', 'the source was already closed'));
    this.opening ??= new Promise<AudioFormat>((resolve, reject) => {
      const ms = this.opts.openTimeoutMs ?? 20_000;
      const timer = this.clock.setTimeout(() => {
        this.failOpen(new EarshotError('DEVICE_OPEN_FAILED', `${this.name}: the audio driver did not open the device within ${ms / 1000} s`));
        this.child?.kill('SIGKILL');
      }, ms);
      this.pending = { resolve, reject, timer };
      const child = (this.opts.spawn ?? spawnCaptureProcess)();
      this.child = child;
      child.stderr.on('data', (d: Buffer) => this.filter.push(d));
      child.pcm.on('data', (d: Buffer) => this.onPcm(d));
      child.onMessage((m) => this.onMessage(m));
      child.onClose((code, signal) => this.onClose(code, signal));
      if (!child.send({ type: 'open', spec: this.opts.spec, maxQueuedMs: this.opts.maxQueuedMs ?? 5000 })) child.kill('SIGKILL');
    });
    return this.opening;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.queue || !this.child) throw new EarshotError('INTERNAL', 'chunks() before open()');
    if (!this.started && !this.finished) {
      this.started = true;
      this.child.send({ type: 'start' });
    }
    yield* this.queue.drain();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): AudioSourceStats {
    return { ...this.counters };
  }

  onOverflow(listener: (e: AudioOverflowEvent) => void): Unsubscribe {
    this.overflowListeners.add(listener);
    return () => this.overflowListeners.delete(listener);
  }

  /** Capture failed after open (device lost, capture process died); chunks() ends with the same error. */
  onError(listener: (e: ErrorInfo) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  private async shutdown(): Promise<void> {
    this.finished = true;
    this.queue?.end();
    this.failOpen(new EarshotError('DEVICE_OPEN_FAILED', `${this.name}: closed before the device opened`));
    const child = this.child;
    if (!child || this.exited) return;
    if (!child.send({ type: 'stop' })) child.kill('SIGKILL');
    if (await this.waitExit(this.opts.stopGraceMs ?? 2500)) return;
    child.kill('SIGKILL');
    await this.waitExit(1000);
  }

  /** Resolves true once the child has closed, false after `ms`. */
  private waitExit(ms: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.clock.clearTimeout(timer);
        this.exitWaiters.delete(onExit);
        resolve(ok);
      };
      const onExit = () => done(true);
      const timer = this.clock.setTimeout(() => done(false), ms);
      this.exitWaiters.add(onExit);
    });
  }

  private onMessage(raw: unknown): void {
    const m: ChildMessage | null = parseChildMessage(raw);
    if (!m) return;
    switch (m.type) {
      case 'opened': {
        if (!this.pending) return;
        const { sampleRate, channels } = m.format;
        const frameBytes = channels * 2;
        const maxBytes = Math.round(((this.opts.maxQueuedMs ?? 5000) * sampleRate * frameBytes) / 1000);
        this.queue = new ChunkQueue(Math.max(maxBytes, frameBytes));
        this.format = m.format;
        this.name = m.description;
        const p = this.pending;
        this.pending = null;
        this.clock.clearTimeout(p.timer);
        p.resolve(m.format);
        return;
      }
      case 'overflow':
        this.report(m.lostMs, m.where);
        return;
      case 'error': {
        const err = errorFromMessage(m);
        if (this.pending) this.failOpen(err);
        else if (!this.reported && !this.finished) {
          this.reported = err;
          this.emitError(err);
        }
        return;
      }
      case 'end':
        this.endSeen = true;
        return;
      default:
        return;
    }
  }

  private onPcm(data: Buffer): void {
    const queue = this.queue;
    const f = this.format;
    if (!queue || !f || this.finished) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(data);
    } catch (err) {
      this.lost(err as EarshotError);
      this.child?.kill('SIGKILL');
      return;
    }
    const frameBytes = f.channels * 2;
    for (const frame of frames) {
      this.counters.bytes += frame.length;
      const dropped = queue.push(frame);
      if (dropped > 0) this.report((dropped / frameBytes / f.sampleRate) * 1000, 'queue');
    }
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    this.filter.flush();
    for (const w of [...this.exitWaiters]) w();
    const why = describeExit(code, signal, this.child?.pid);
    if (this.pending) {
      const last = this.filter.lastLines().join(' / ');
      this.failOpen(new EarshotError('DEVICE_OPEN_FAILED', `${this.name}: ${why} before the device opened${last ? ` (${last})` : ''}`));
      return;
    }
    if (this.finished || !this.queue) {
      this.queue?.end();
      return;
    }
    if (this.reported) this.queue.fail(this.reported);
    else if (this.endSeen && code === 0) this.queue.end(); // the device's stream ended by itself, as in-process capture would
    else this.lost(new EarshotError('DEVICE_LOST', `${this.name}: ${why}`));
  }

  private lost(err: EarshotError): void {
    if (this.reported || this.finished) return;
    this.reported = err;
    this.emitError(err);
    this.queue?.fail(err);
  }

  private failOpen(err: EarshotError): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.finished = true;
    this.clock.clearTimeout(p.timer);
    p.reject(err);
  }

  private report(lostMs: number, where: AudioOverflowEvent['where']): void {
    this.counters.overflows++;
    this.counters.lostMs += lostMs;
    const e: AudioOverflowEvent = { lostMs, overflows: this.counters.overflows, totalLostMs: this.counters.lostMs, where };
    for (const l of [...this.overflowListeners]) l(e);
  }

  private emitError(err: EarshotError): void {
    const info = err.toInfo();
    for (const l of [...this.errorListeners]) l(info);
  }
}

function initialName(spec: string): string {
  if (spec === 'mic') return 'default input';
  if (spec === 'system') return 'system audio (default output)';
  return spec.startsWith('device:') ? `input ${spec.slice(7)}` : spec;
}
