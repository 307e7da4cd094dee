/**
 * Live capture in a child process (capture-child.ts), for the CLI: PortAudio's printf's and probing
 * noise stay out of the captions on stdout, and a native crash ends the capture with DEVICE_LOST
 * instead of killing the run (perf-reliability.md B4). PCM arrives on a pipe, control on IPC.
 *
 * Not for the desktop app: Electron's runAsNode fuse is off, so its binary cannot run the child.
 *
 * Recovery: when the sound server restarts (PulseAudio/PipeWire) or a device goes away and
 * comes back, the child's stream goes silent-dead: no error, no audio, forever. With
 * `reopenAfterSilentMs` set, a child that delivers nothing for that long is killed and a new
 * one opens the same source, with backoff, until audio flows again; the pipeline hears of it
 * through onRecovery ('lost', then 'resumed') and captions go on from the same queue.
 */
import { EarshotError, type ErrorInfo } from '../../shared/errors.js';
import { systemClock, type Clock, type TimerHandle, type Unsubscribe } from '../util/clock.js';
import { errorFromMessage, FrameDecoder, parseChildMessage, type ChildMessage } from './capture-protocol.js';
import { describeExit, spawnCaptureProcess, type CaptureProcess, type SpawnCapture } from './capture-process.js';
import { ChunkQueue } from './chunk-queue.js';
import { StderrFilter } from './stderr-filter.js';
import type { AudioFormat, AudioOverflowEvent, AudioSource, AudioSourceStats, SourceRecoveryEvent } from './types.js';

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
  /** Reopen the source when no audio at all arrives for this long (off when absent). */
  reopenAfterSilentMs?: number;
  /** Waits between reopen attempts (the last one repeats). Default 0.5, 1, 2, 4 s. */
  reopenBackoffMs?: readonly number[];
}


const DEFAULT_REOPEN_BACKOFF_MS = [500, 1000, 2000, 4000];
/** A reopening child that neither opens nor fails within this is killed and tried again. */
const REOPEN_TIMEOUT_MS = 5000;

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
  private readonly recoveryListeners = new Set<(e: SourceRecoveryEvent) => void>();
  /** Which child is current; events of older (killed) children are ignored. */
  private generation = 0;
  private lastPcmAt = 0;
  private silenceTimer: TimerHandle | undefined;
  /** Set while the source is silent-dead and being reopened. */
  private recovery: { since: number; attempts: number; timer: TimerHandle | undefined } | null = null;
  private decoderFor = new Map<number, FrameDecoder>();

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
      const child = this.spawnChild();
      if (!child.send({ type: 'open', spec: this.opts.spec, maxQueuedMs: this.opts.maxQueuedMs ?? 5000 })) child.kill('SIGKILL');
    });
    return this.opening;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.queue || !this.child) throw new EarshotError('INTERNAL', 'chunks() before open()');
    if (!this.started && !this.finished) {
      this.started = true;
      this.child.send({ type: 'start' });
      this.lastPcmAt = this.clock.now();
      this.armSilenceWatch();
    }
    yield* this.queue.drain();
  }

  /** 'lost' when the source went silent-dead and is being reopened, 'resumed' when audio flows again. */
  onRecovery(listener: (e: SourceRecoveryEvent) => void): Unsubscribe {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /** Starts a capture child whose events count only while it is the current one. */
  private spawnChild(): CaptureProcess {
    const gen = ++this.generation;
    const child = (this.opts.spawn ?? spawnCaptureProcess)();
    this.child = child;
    this.exited = false;
    this.endSeen = false;
    this.decoderFor.set(gen, new FrameDecoder());
    child.stderr.on('data', (d: Buffer) => this.filter.push(d));
    child.pcm.on('data', (d: Buffer) => gen === this.generation && this.onPcm(d));
    child.onMessage((m) => gen === this.generation && this.onMessage(m));
    child.onClose((code, signal) => {
      this.decoderFor.delete(gen);
      if (gen === this.generation) this.onClose(code, signal);
    });
    return child;
  }

  // ---------------------------------------------------------------- recovery

  private armSilenceWatch(): void {
    const after = this.opts.reopenAfterSilentMs;
    if (after === undefined || this.finished) return;
    this.clock.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.clock.setTimeout(() => {
      this.silenceTimer = undefined;
      if (this.finished || this.reported) return;
      const silent = this.clock.now() - this.lastPcmAt;
      if (silent < after) return this.armSilenceWatch();
      if (!this.recovery) return this.beginRecovery(`no audio from ${this.name} for ${(silent / 1000).toFixed(1)} s`);
      // Reopened, but the new stream is as dead as the old one (the server is still starting).
      this.retire();
      this.scheduleReopen();
    }, Math.max(100, Math.min(1000, after / 3)));
  }

  private beginRecovery(why: string): void {
    this.recovery = { since: this.clock.now(), attempts: 0, timer: undefined };
    this.emitRecovery({ kind: 'lost', detail: `${why}; reopening it` });
    this.retire();
    this.scheduleReopen();
  }

  /** Kills the current child; its late events are ignored from now on. */
  private retire(): void {
    const child = this.child;
    this.generation++;
    if (child && !this.exited) child.kill('SIGKILL');
    // Gone as far as this source is concerned: close() must not wait for it.
    this.exited = true;
  }

  private scheduleReopen(): void {
    const r = this.recovery;
    if (!r || this.finished) return;
    const steps = this.opts.reopenBackoffMs ?? DEFAULT_REOPEN_BACKOFF_MS;
    const delay = steps[Math.min(r.attempts, steps.length - 1)] ?? 1000;
    r.timer = this.clock.setTimeout(() => this.reopen(), delay);
  }

  private reopen(): void {
    const r = this.recovery;
    if (!r || this.finished) return;
    r.attempts++;
    const child = this.spawnChild();
    r.timer = this.clock.setTimeout(() => {
      // Neither opened nor failed: a wedged driver. Try again with a fresh child.
      this.retire();
      this.scheduleReopen();
    }, REOPEN_TIMEOUT_MS);
    const f = this.format as AudioFormat;
    const format = { sampleRate: f.sampleRate, channels: f.channels };
    if (!child.send({ type: 'open', spec: this.opts.spec, maxQueuedMs: this.opts.maxQueuedMs ?? 5000, format })) child.kill('SIGKILL');
  }

  /** A reopening child opened: same format → stream on; another format cannot be converted mid-run. */
  private reopened(format: AudioFormat, description: string): void {
    const r = this.recovery as NonNullable<typeof this.recovery>;
    this.clock.clearTimeout(r.timer);
    const was = this.format as AudioFormat;
    if (format.sampleRate !== was.sampleRate || format.channels !== was.channels) {
      this.recovery = null;
      this.lost(new EarshotError('DEVICE_LOST', `${this.name} came back as ${format.sampleRate} Hz, ${format.channels} ch instead of ${was.sampleRate} Hz, ${was.channels} ch`));
      this.retire();
      return;
    }
    this.name = description;
    this.child?.send({ type: 'start' });
    // Resumed once audio actually flows (see onPcm): a child can open a stream that stays dead.
    this.lastPcmAt = this.clock.now();
    this.armSilenceWatch();
  }

  private resumed(): void {
    const r = this.recovery;
    if (!r) return;
    this.recovery = null;
    const outageMs = this.clock.now() - r.since;
    this.emitRecovery({ kind: 'resumed', detail: `audio from ${this.name} again after ${(outageMs / 1000).toFixed(1)} s`, attempts: r.attempts, outageMs });
  }

  private emitRecovery(e: SourceRecoveryEvent): void {
    for (const l of [...this.recoveryListeners]) l(e);
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
    this.clock.clearTimeout(this.silenceTimer);
    this.clock.clearTimeout(this.recovery?.timer);
    this.recovery = null;
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
        if (this.recovery) return this.reopened(m.format, m.description);
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
        if (this.recovery) return; // this attempt failed; its exit schedules the next one
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
    const decoder = this.decoderFor.get(this.generation);
    if (!decoder) return;
    this.lastPcmAt = this.clock.now();
    if (this.recovery) this.resumed();
    let frames: Buffer[];
    try {
      frames = decoder.push(data);
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
    if (this.recovery) {
      // This reopen attempt failed (the sound server is not back yet): try again later.
      this.clock.clearTimeout(this.recovery.timer);
      this.scheduleReopen();
      return;
    }
    if (this.reported) this.queue.fail(this.reported);
    else if (this.endSeen && code === 0) this.queue.end(); // the device's stream ended by itself, as in-process capture would
    else this.lost(new EarshotError('DEVICE_LOST', `${this.name}: ${why}`));
  }

  private lost(err: EarshotError): void {
    if (this.reported || this.finished) return;
    this.clock.clearTimeout(this.silenceTimer);
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
