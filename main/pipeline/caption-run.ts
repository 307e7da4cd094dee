/**
 * One captioning run: audio source → converter (downmix, resample, int16) → pacer (files
 * only; live sources are paced by their capture) → reconnecting streaming session →
 * caption store. Used as is by the CLI and, through CaptionPipeline, by the desktop app.
 * Capture never waits on the network: audio goes into the session's bounded backlog.
 */
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import { EarshotError, errorInfo, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import { createConverter, type Converter } from '../audio/converter.js';
import { levelOf } from '../audio/level.js';
import type { AudioSource } from '../audio/types.js';
import { CaptionStore } from '../captions/caption-store.js';
import type { ProviderOptions, ProviderSpec } from '../stt/provider.js';
import type { CaptionChange, SessionEvent, SessionStats } from '../stt/session-events.js';
import { DEFAULT_BACKLOG_SECONDS } from '../stt/session-options.js';
import { StreamingSession } from '../stt/streaming-session.js';
import type { TransportFactory } from '../stt/transport.js';
import type { Clock, Random, TimerHandle, Unsubscribe } from '../util/clock.js';
import { pace } from './pacer.js';
import { SpeedGovernor } from './speed-governor.js';

export interface RunConfig {
  source: AudioSource;
  provider: ProviderSpec;
  providerOptions: ProviderOptions;
  frameMs: number;
  /** File sources only: 1 = real time. */
  speed?: number;
  backlogSeconds?: number;
  /** Every frame sent to the service, at its rate (kept meeting audio). */
  onAudio?(pcm: Int16Array): void;
  /** The source term as given (`mic`, `file:PATH`…): every segment carries it as `source`. */
  sourceTerm?: string;
  /**
   * Changes converted audio before it is metered and sent (a meeting's echo canceller). It
   * sees every frame, also while paused, and may hand samples back later; flush() returns
   * what it still holds when the source ends, so nothing is lost.
   */
  transformAudio?: AudioTransform;
}

export interface AudioTransform {
  process(pcm: Int16Array): Int16Array;
  flush(): Int16Array;
}

export interface RunDeps {
  transport: TransportFactory;
  clock: Clock;
  random: Random;
}

export interface RunResult {
  /** The provider confirmed the end of the stream. */
  flushed: boolean;
  /** Set when captioning stopped because it could not go on (refused key, ...). */
  fatal: ErrorInfo | undefined;
  finals: Segment[];
  stats: SessionStats;
  /** The last language the service said it heard, if it said. */
  language?: string;
}

/** Which stream of a meeting (two sources at once) an event is about. */
export interface StreamInfo {
  index: number;
  /** The source term exactly as given (`mic`, `system`, `device:ID`, `file:PATH`). */
  source: string;
  /** Its display label ("You", "Others"). */
  label: string;
}

export type RunEvent =
  | { type: 'status'; status: ConnectionStatus }
  | { type: 'diff'; diff: CaptionDiff }
  /** Every caption change the session reported, before the store applied it (meetings merge these). */
  | { type: 'change'; change: CaptionChange }
  /** The first audio arrived from the source, at this clock time (meetings align streams by it). */
  | { type: 'audio-started'; at: number }
  | { type: 'level'; level: AudioLevel; stream?: StreamInfo }
  | { type: 'warning'; error: ErrorInfo; stream?: StreamInfo }
  | { type: 'fatal'; error: ErrorInfo }
  /** The language the service says it hears (when it changes). */
  | { type: 'language'; code: string; stream?: StreamInfo }
  | { type: 'ended'; result: RunResult };

const LEVEL_INTERVAL_MS = 100;
/** A live source silent for this long (no data at all, not quiet audio) is reported. */
export const NO_AUDIO_WARNING_MS = 5000;

export class CaptionRun {
  readonly store = new CaptionStore();
  readonly done: Promise<RunResult>;
  private readonly session: StreamingSession;
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly abort = new AbortController();
  private resolveDone!: (r: RunResult) => void;
  private started = false;
  private stopping = false;
  private paused = false;
  private fatal: ErrorInfo | undefined;
  private lastLevelAt = -Infinity;
  private levelPeak = -Infinity;
  private levelRms = -Infinity;
  private readonly offSession: Unsubscribe;
  private readonly offStore: Unsubscribe;
  private offOverflow: Unsubscribe | undefined;
  private offSourceError: Unsubscribe | undefined;
  private offRecovery: Unsubscribe | undefined;
  /** The source failed (device unplugged, capture process died): the run ends with this. */
  private sourceError: ErrorInfo | undefined;
  private language: string | undefined;
  private lastChunkAt = 0;
  private warnedNoAudio = false;
  private audioStarted = false;
  private watchdog: TimerHandle | undefined;
  private stopTimer: TimerHandle | undefined;
  /** The session's latest state, shown again when a pause ends (it may be reconnecting). */
  private linkStatus: ConnectionStatus;

  constructor(private readonly config: RunConfig, private readonly deps: RunDeps) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.linkStatus = { kind: 'connecting', provider: config.provider.label, attempt: 1 };
    this.session = new StreamingSession(
      {
        spec: config.provider,
        provider: config.providerOptions,
        frameMs: config.frameMs,
        speed: config.source.live ? 1 : (config.speed ?? 1),
        ...(config.backlogSeconds !== undefined ? { backlogSeconds: config.backlogSeconds } : {}),
      },
      { transport: deps.transport, clock: deps.clock, random: deps.random },
    );
    this.offSession = this.session.on((e) => this.onSession(e));
    this.offStore = this.store.on((diff) => this.emit({ type: 'diff', diff }));
  }

  on(listener: (e: RunEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  snapshot(): CaptionSnapshot {
    return this.store.snapshot();
  }

  finals(): Segment[] {
    return this.store.finalSegments();
  }

  stats(): SessionStats {
    return this.session.stats();
  }

  /** Opens the source (throws EarshotError if it cannot) and starts streaming in the background. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const format = await this.config.source.open();
    // Before connecting: a rate the resampler refuses (a damaged header) fails the start.
    let converter: Converter;
    try {
      converter = createConverter(format, this.config.provider.sampleRate);
    } catch (err) {
      void this.config.source.close();
      // Say which source: the converter only knows rates.
      throw err instanceof EarshotError ? new EarshotError(err.code, `${this.config.source.description}: ${err.detail ?? ''}`) : err;
    }
    for (const error of this.config.source.openWarnings?.() ?? []) this.emit({ type: 'warning', error });
    this.offOverflow = this.config.source.onOverflow?.((e) =>
      this.emit({
        type: 'warning',
        error: errorInfo('AUDIO_OVERFLOW', `${Math.round(e.lostMs)} ms lost (${(e.totalLostMs / 1000).toFixed(1)} s in total, ${e.overflows} time${e.overflows === 1 ? '' : 's'})`),
      }),
    );
    this.offRecovery = this.config.source.onRecovery?.((e) => {
      // The source says it itself; the no-audio watchdog need not say it again.
      if (e.kind === 'lost') this.warnedNoAudio = true;
      this.emit({ type: 'warning', error: errorInfo(e.kind === 'lost' ? 'DEVICE_LOST' : 'DEVICE_RESUMED', `${e.detail}`) });
    });
    this.offSourceError = this.config.source.onError?.((e) => this.sourceFailed(e));
    if (this.config.source.live) {
      this.lastChunkAt = this.deps.clock.now();
      this.armWatchdog();
    }
    // Validates frame size, key and endpoint before any audio flows.
    this.session.start();
    void this.pump(converter).catch((err) => this.failed(toErrorInfo(err)));
  }

  /**
   * New provider options (language, prompt) for the running stream, without stopping
   * capture: the session reconnects with them and resends the audio since the last final.
   * Throws (and changes nothing) when the options are not valid.
   */
  reconfigure(providerOptions: ProviderOptions): void {
    this.session.reconfigure(providerOptions);
  }

  /** Live sources only: while paused, captured audio is discarded, not sent. */
  pause(paused: boolean): void {
    this.paused = paused;
    this.emit({ type: 'status', status: paused ? { kind: 'paused' } : this.linkStatus });
  }

  /**
   * Stops capture, lets the provider finish what it owes, and resolves with the result.
   * With `withinMs`, the provider gets at most that long (a hanging handshake or a slow flush
   * must not keep Ctrl+C waiting); then the run ends as kill() does, keeping the open text.
   */
  stop(options: { withinMs?: number } = {}): Promise<RunResult> {
    if (!this.stopping) {
      this.stopping = true;
      this.abort.abort();
      void this.config.source.close();
      if (!this.started) this.finish(false);
    }
    if (options.withinMs !== undefined && !this.finished && this.stopTimer === undefined) {
      this.stopTimer = this.deps.clock.setTimeout(() => this.endNow(), options.withinMs);
    }
    return this.done;
  }

  /** Ends at once without waiting for the provider (second Ctrl+C, app quit). */
  kill(): Promise<RunResult> {
    this.stopping = true;
    this.endNow();
    return this.done;
  }

  private async pump(converter: Converter): Promise<void> {
    const rate = this.config.provider.sampleRate;
    const source = this.config.source;
    const gotChunk = () => this.audioArrived();
    async function* converted(): AsyncGenerator<Int16Array> {
      for await (const chunk of source.chunks()) {
        gotChunk();
        const out = converter.push(chunk);
        if (out.length) yield out;
      }
      const tail = converter.flush();
      if (tail.length) yield tail;
    }
    // Files only: the pacer waits while the session has much unsent audio (see SpeedGovernor).
    const governor = source.live
      ? undefined
      : new SpeedGovernor({
          speed: this.config.speed ?? 1,
          rate,
          backlogSeconds: this.config.backlogSeconds ?? DEFAULT_BACKLOG_SECONDS,
          stats: () => this.session.stats(),
          clock: this.deps.clock,
          warn: (error) => this.emit({ type: 'warning', error }),
        });
    const frames = !governor
      ? converted()
      : pace(converted(), {
          frameSamples: Math.round((rate * this.config.frameMs) / 1000),
          sampleRate: rate,
          speed: this.config.speed ?? 1,
          clock: this.deps.clock,
          signal: this.abort.signal,
          ready: governor.ready,
          onHold: governor.onHold,
        });
    const transform = this.config.transformAudio;
    const send = (samples: Int16Array) => {
      if (samples.length === 0) return;
      this.meter(samples);
      this.session.pushAudio(samples);
      this.config.onAudio?.(samples);
    };
    try {
      for await (const raw of frames) {
        if (this.fatal) break;
        // The transform keeps its place in time while paused (its output is dropped then).
        const samples = transform ? transform.process(raw) : raw;
        if (this.paused) continue;
        send(samples);
      }
    } catch (err) {
      // Capture died (device gone, capture process killed, a damaged file): the run ends with
      // that error, but what was captured is still flushed, so the sentence being spoken stays.
      this.sourceFailed(toErrorInfo(err));
    }
    if (transform && !this.fatal && !this.paused) send(transform.flush());
    if (converter.droppedBytes > 0) {
      this.emit({ type: 'warning', error: errorInfo('WAV_CORRUPT', `${source.description}: the last ${converter.droppedBytes} bytes were not a whole audio frame and were skipped`) });
    }
    governor?.summarize();
    if (this.fatal) return;
    const { flushed } = await this.session.finish();
    this.finish(flushed);
  }

  /**
   * A device that stops delivering (unplugged, taken by another program, a stuck driver)
   * would otherwise look like silence; say so, once per outage.
   */
  private armWatchdog(): void {
    this.watchdog = this.deps.clock.setTimeout(() => {
      if (this.finished) return;
      const silentMs = this.deps.clock.now() - this.lastChunkAt;
      if (!this.paused && !this.stopping && !this.warnedNoAudio && silentMs >= NO_AUDIO_WARNING_MS) {
        this.warnedNoAudio = true;
        this.emit({ type: 'warning', error: errorInfo('DEVICE_LOST', `no audio from ${this.config.source.description} for ${Math.round(silentMs / 1000)} s`) });
      }
      this.armWatchdog();
    }, 1000);
  }

  private audioArrived(): void {
    this.lastChunkAt = this.deps.clock.now();
    if (!this.audioStarted) {
      this.audioStarted = true;
      this.emit({ type: 'audio-started', at: this.lastChunkAt });
    }
    this.warnedNoAudio = false;
  }

  private onSession(e: SessionEvent): void {
    switch (e.type) {
      case 'caption': {
        const term = this.config.sourceTerm;
        const change = term !== undefined && e.change.kind === 'upsert' ? { kind: 'upsert' as const, segment: { ...e.change.segment, source: term } } : e.change;
        this.emit({ type: 'change', change });
        this.store.apply(change);
        return;
      }
      case 'status':
        this.linkStatus = e.status;
        if (this.paused && e.status.kind === 'live') return;
        this.emit({ type: 'status', status: e.status });
        return;
      case 'warning':
        this.emit({ type: 'warning', error: e.error });
        return;
      case 'fatal':
        this.failed(e.error);
        return;
      case 'language':
        this.language = e.code;
        this.emit({ type: 'language', code: e.code });
        return;
    }
  }

  private sourceFailed(error: ErrorInfo): void {
    // The source reports its failure twice (onError, then chunks() throws): one warning.
    if (this.sourceError) return;
    this.sourceError = error;
    this.emit({ type: 'warning', error });
  }

  private failed(error: ErrorInfo): void {
    if (this.fatal) return;
    this.fatal = error;
    this.emit({ type: 'fatal', error });
    this.emit({ type: 'status', status: { kind: 'error', error } });
    this.endNow();
  }

  /** Stops capture and the session without waiting for the provider. */
  private endNow(): void {
    this.abort.abort();
    void this.config.source.close();
    this.session.abort();
    this.finish(false);
  }

  private finished = false;
  private finish(flushed: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.deps.clock.clearTimeout(this.watchdog);
    this.deps.clock.clearTimeout(this.stopTimer);
    // Audio captured but never sent anywhere is a failure, even when the user stopped the run.
    const fatal = this.fatal ?? this.sourceError ?? this.session.connectFailure();
    const result: RunResult = { flushed, fatal, finals: this.store.finalSegments(), stats: this.session.stats(), ...(this.language ? { language: this.language } : {}) };
    if (!this.fatal) this.emit({ type: 'status', status: fatal ? { kind: 'error', error: fatal } : { kind: 'stopped' } });
    this.emit({ type: 'ended', result });
    this.offSession();
    this.offStore();
    this.offOverflow?.();
    this.offSourceError?.();
    this.offRecovery?.();
    this.resolveDone(result);
  }

  private meter(samples: Int16Array): void {
    const { rmsDbfs, peakDbfs } = levelOf(samples);
    this.levelRms = Math.max(this.levelRms, rmsDbfs);
    this.levelPeak = Math.max(this.levelPeak, peakDbfs);
    const now = this.deps.clock.now();
    if (now - this.lastLevelAt < LEVEL_INTERVAL_MS) return;
    this.lastLevelAt = now;
    this.emit({ type: 'level', level: { rmsDb: this.levelRms, peakDb: this.levelPeak } });
    this.levelRms = -Infinity;
    this.levelPeak = -Infinity;
  }

  private emit(e: RunEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A broken listener (UI) must never stop captioning.
      }
    }
  }
}
