/**
 * A meeting: two sources captioned at once (the microphone and system audio, or any two
 * terms). Each stream is a whole CaptionRun of its own (converter, pacer, reconnecting
 * session), so each keeps every promise a single run makes: lossless reconnects, continuous
 * times, a refused key that is fatal to it. One stream failing does not stop the other.
 *
 * Their caption changes are merged into one store: ids prefixed by the stream ("0:…", "1:…")
 * so a line never mixes streams, every segment stamped with its source term and label, times
 * moved onto one timeline (live streams by when their first audio arrived), and the
 * microphone's echo of system audio filtered out (echo-filter.ts). Consumers use it exactly
 * like a CaptionRun.
 */
import type { CaptionSnapshot, Segment } from '../../shared/captions.js';
import { EarshotError, errorInfo, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { EchoCanceller, type EchoEngine } from '../audio/echo-canceller.js';
import { isOwnVoice } from '../../shared/source-terms.js';
import type { ConnectionStatus, SingleStatus, StreamStatus } from '../../shared/status.js';
import { CaptionStore } from '../captions/caption-store.js';
import { EchoFilter } from '../captions/echo-filter.js';
import type { ProviderOptions } from '../stt/provider.js';
import type { CaptionChange, SessionStats } from '../stt/session-events.js';
import type { Unsubscribe } from '../util/clock.js';
import { CaptionRun, type RunConfig, type RunDeps, type RunEvent, type RunResult, type StreamInfo } from './caption-run.js';

export interface MeetingStream {
  /** The source term exactly as given; every segment of this stream carries it. */
  term: string;
  label: string;
  run: RunConfig;
  /**
   * False for the person's own microphone: it stays "You", so the service is never asked to
   * tell speakers apart on it, whatever the provider options say (also on reconfigure).
   */
  speakerLabels?: boolean;
}

export interface MeetingConfig {
  streams: MeetingStream[];
  /**
   * Echo suppression: the stream whose words may come back on the others (system audio) and
   * the streams that may hear it (microphones). Absent: off.
   */
  echo?: EchoConfig;
  /** Go on with the sources that opened when one cannot (see start()). */
  partialStart?: boolean;
}

export interface EchoConfig {
  reference: number;
  targets: number[];
  /** How long a microphone line waits for the system copy of its words (text stage). */
  holdMs?: number;
  /** Acoustic echo cancellation of the microphone's audio (loadAec3); absent: text stage only. */
  canceller?: (rate: number) => Promise<EchoEngine>;
  /** The text stage (echo-filter.ts); default on. */
  text?: boolean;
}

interface Stream {
  info: StreamInfo;
  run: CaptionRun;
  /** Seconds added to this stream's times to put them on the meeting's timeline. */
  offset: number | undefined;
  status: SingleStatus;
  result?: RunResult;
  fatal?: ErrorInfo;
}

export class MeetingRun {
  readonly store = new CaptionStore();
  readonly done: Promise<RunResult>;
  private readonly streams: Stream[];
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly echo: EchoFilter | undefined;
  private readonly echoRole = new Map<number, 'reference' | 'target'>();
  private readonly offs: Unsubscribe[] = [];
  private readonly cancellers: Map<number, EchoCanceller>;
  private readonly offStore: Unsubscribe;
  private startedAt = 0;
  private finished = false;
  private resolveDone!: (r: RunResult) => void;

  constructor(private readonly config: MeetingConfig, private readonly deps: RunDeps) {
    if (config.streams.length < 1) throw new RangeError('a meeting needs at least one stream');
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.cancellers = this.makeCancellers(config, deps);
    this.streams = config.streams.map((s, index) => ({
      info: { index, source: s.term, label: s.label },
      // The stream's own run stamps its source term on every segment (once, not here again).
      run: new CaptionRun(this.withEchoCancelling(index, { ...s.run, sourceTerm: s.term, providerOptions: optionsFor(s, s.run.providerOptions) }), deps),
      offset: s.run.source.live ? undefined : 0,
      status: { kind: 'connecting', provider: s.run.provider.label, attempt: 1 },
    }));
    if (config.echo && config.echo.text !== false) {
      this.echoRole.set(config.echo.reference, 'reference');
      for (const t of config.echo.targets) if (t !== config.echo.reference) this.echoRole.set(t, 'target');
      this.echo = new EchoFilter(
        { clock: deps.clock, ...(config.echo.holdMs !== undefined ? { holdMs: config.echo.holdMs } : {}) },
        (change) => this.store.apply(change),
        () => this.emitStatus(),
      );
    }
    this.offStore = this.store.on((diff) => this.emit({ type: 'diff', diff }));
    for (const stream of this.streams) this.offs.push(stream.run.on((e) => this.onStream(stream, e)));
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

  /** Microphone lines dropped as echo of system audio. */
  get echoSuppressed(): number {
    return this.echo?.suppressed ?? 0;
  }

  /** Each stream's own state, in stream order. */
  streamStatuses(): StreamStatus[] {
    return this.streams.map((s) => ({ label: s.info.label, source: s.info.source, status: s.status }));
  }

  stats(): SessionStats {
    return sumStats(this.streams.map((s) => s.run.stats()));
  }

  /**
   * Opens every source and starts streaming. A source that cannot open fails the whole start,
   * naming it (the CLI: the person typed both, so a typo must not caption half a meeting),
   * unless `partialStart` is set (the app: when system audio works but the microphone does not,
   * the others' words still matter most). Then the meeting goes on with the sources that
   * opened, says which one could not and why, and fails only when none could.
   */
  async start(): Promise<void> {
    await this.loadCancellers();
    this.startedAt = this.deps.clock.now();
    const failures: { stream: Stream; error: unknown }[] = [];
    for (const stream of this.streams) {
      try {
        await stream.run.start();
      } catch (err) {
        failures.push({ stream, error: labelled(err, stream.info) });
        if (!this.config.partialStart) break;
      }
    }
    if (failures.length === 0) return;
    if (!this.config.partialStart || failures.length === this.streams.length) {
      // Nothing half-started is left capturing.
      await Promise.all(this.streams.map((s) => s.run.kill()));
      throw failures[0]!.error;
    }
    for (const { stream, error } of failures) {
      const info = toErrorInfo(error);
      stream.fatal = info;
      stream.status = { kind: 'error', error: info };
      this.emit({ type: 'warning', error: info, stream: stream.info });
      void stream.run.kill();
    }
    this.emitStatus();
  }

  /** One canceller per microphone stream at the provider's rate (when both streams share it). */
  private makeCancellers(config: MeetingConfig, deps: RunDeps): Map<number, EchoCanceller> {
    const out = new Map<number, EchoCanceller>();
    const echo = config.echo;
    const reference = echo ? config.streams[echo.reference] : undefined;
    if (!echo?.canceller || !reference) return out;
    for (const t of echo.targets) {
      const target = config.streams[t];
      if (!target || t === echo.reference || target.run.provider.sampleRate !== reference.run.provider.sampleRate) continue;
      out.set(t, new EchoCanceller({ rate: target.run.provider.sampleRate, clock: deps.clock }));
    }
    return out;
  }

  private withEchoCancelling(index: number, run: RunConfig): RunConfig {
    const canceller = this.cancellers.get(index);
    if (canceller) return { ...run, transformAudio: { process: (pcm) => canceller.capture(pcm), flush: () => canceller.flush() } };
    if (this.cancellers.size && index === this.config.echo?.reference) {
      const onAudio = run.onAudio;
      return {
        ...run,
        onAudio: (pcm) => {
          for (const c of this.cancellers.values()) c.render(pcm);
          onAudio?.(pcm);
        },
      };
    }
    return run;
  }

  /** A canceller that cannot load leaves the text stage on its own; the person is told. */
  private async loadCancellers(): Promise<void> {
    const load = this.config.echo?.canceller;
    if (!load) return;
    for (const [index, canceller] of this.cancellers) {
      try {
        canceller.attach(await load(this.config.streams[index]!.run.provider.sampleRate));
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.emit({ type: 'warning', error: errorInfo('NOTICE', `Echo cancellation could not start (${why}); echo is still dropped by matching words.`) });
      }
    }
  }

  reconfigure(providerOptions: ProviderOptions): void {
    this.streams.forEach((s, i) => {
      if (!s.result) s.run.reconfigure(optionsFor(this.config.streams[i]!, providerOptions));
    });
  }

  pause(paused: boolean): void {
    for (const s of this.streams) s.run.pause(paused);
  }

  stop(options: { withinMs?: number } = {}): Promise<RunResult> {
    for (const s of this.streams) void s.run.stop(options);
    return this.done;
  }

  kill(): Promise<RunResult> {
    for (const s of this.streams) void s.run.kill();
    return this.done;
  }

  private onStream(stream: Stream, e: RunEvent): void {
    switch (e.type) {
      case 'audio-started':
        if (stream.offset === undefined) stream.offset = (e.at - this.startedAt) / 1000;
        return;
      case 'change':
        this.route(stream, this.stamp(stream, e.change));
        return;
      case 'diff':
        return; // the meeting's own store publishes the merged diffs
      case 'status':
        if (e.status.kind === 'streams') return;
        // A stream that could not start stays shown with its cause, not as merely stopped.
        if (stream.fatal && stream.status.kind === 'error' && e.status.kind === 'stopped') return;
        stream.status = e.status;
        this.emitStatus();
        return;
      case 'level':
        this.emit({ type: 'level', level: e.level, stream: stream.info });
        return;
      case 'warning':
        this.emit({ type: 'warning', error: labelledInfo(e.error, stream.info), stream: stream.info });
        return;
      case 'language':
        this.emit({ type: 'language', code: e.code, stream: stream.info });
        return;
      case 'fatal':
        // Fatal to this stream only; the others go on. Said as a warning naming the stream.
        stream.fatal = labelledInfo(e.error, stream.info);
        if (this.streams.some((s) => s !== stream && !s.fatal && !s.result)) {
          this.emit({ type: 'warning', error: stream.fatal, stream: stream.info });
        }
        return;
      case 'ended':
        stream.result = e.result;
        if (e.result.fatal && !stream.fatal) stream.fatal = labelledInfo(e.result.fatal, stream.info);
        if (this.streams.every((s) => s.result)) this.finish();
        return;
    }
  }

  private stamp(stream: Stream, change: CaptionChange): CaptionChange {
    const prefix = `${stream.info.index}:`;
    if (change.kind === 'remove') return { kind: 'remove', id: prefix + change.id };
    const s = change.segment;
    const offset = stream.offset ?? (this.deps.clock.now() - this.startedAt) / 1000;
    stream.offset = offset;
    // A speaker told apart by the service names the line ("Others" becomes "Speaker A").
    const label = s.speaker ?? stream.info.label;
    return { kind: 'upsert', segment: { ...s, id: prefix + s.id, start: s.start + offset, end: s.end + offset, label } };
  }

  private route(stream: Stream, change: CaptionChange): void {
    const role = this.echoRole.get(stream.info.index);
    if (this.echo && role === 'reference') this.echo.fromReference(change);
    else if (this.echo && role === 'target') this.echo.fromTarget(change);
    else this.store.apply(change);
  }

  private emitStatus(): void {
    if (this.finished) return;
    this.emit({ type: 'status', status: this.combinedStatus() });
  }

  private combinedStatus(): ConnectionStatus {
    const kinds = new Set(this.streams.map((s) => s.status.kind));
    if (kinds.size === 1 && (kinds.has('paused') || kinds.has('stopped'))) return { kind: [...kinds][0] as 'paused' | 'stopped' };
    return { kind: 'streams', streams: this.streamStatuses(), echoSuppressed: this.echoSuppressed };
  }

  private finish(): void {
    if (this.finished) return;
    this.echo?.flush();
    this.echo?.dispose();
    const results = this.streams.map((s) => s.result!);
    const failed = this.streams.filter((s) => s.fatal);
    const fatal = failed.length ? combineFailures(failed) : undefined;
    const language = results.find((r) => r.language)?.language;
    const result: RunResult = {
      flushed: results.every((r) => r.flushed),
      fatal,
      finals: this.store.finalSegments(),
      stats: sumStats(results.map((r) => r.stats)),
      ...(language ? { language } : {}),
    };
    this.emit({ type: 'status', status: this.combinedStatus() });
    this.finished = true;
    if (fatal && failed.length === this.streams.length) this.emit({ type: 'fatal', error: fatal });
    this.emit({ type: 'ended', result });
    for (const off of this.offs) off();
    this.offStore();
    this.resolveDone(result);
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

/**
 * Echo runs one way: system audio comes back through a microphone (speakers, no headphones),
 * never the reverse. So system audio is the reference and every microphone or input device a
 * target; two files or two system sources have no echo to drop. Used by the CLI and the app.
 */
export function echoRoles(terms: readonly string[], stages: { audio: boolean; text: boolean }, canceller: EchoConfig['canceller']): Pick<MeetingConfig, 'echo'> {
  const reference = terms.indexOf('system');
  const targets = terms.flatMap((t, i) => (isOwnVoice(t) ? [i] : []));
  if (reference < 0 || !targets.length) return {};
  return { echo: { reference, targets, text: stages.text, ...(stages.audio && canceller ? { canceller } : {}) } };
}

function optionsFor(stream: MeetingStream, options: ProviderOptions): ProviderOptions {
  if (stream.speakerLabels !== false || !options.speakerLabels) return options;
  const { speakerLabels: _off, ...rest } = options;
  return rest;
}

function labelledInfo(error: ErrorInfo, stream: StreamInfo): ErrorInfo {
  const who = `${stream.label} (${stream.source})`;
  return { ...error, detail: error.detail ? `${who}: ${error.detail}` : who };
}

/** The same error, saying which stream could not start. */
function labelled(err: unknown, stream: StreamInfo): unknown {
  return err instanceof EarshotError ? new EarshotError(err.code, labelledInfo(err.toInfo(), stream).detail) : err;
}

/** The first failure, saying which streams failed (a person must know which side was lost). */
function combineFailures(failed: Stream[]): ErrorInfo {
  const first = failed[0]!.fatal!;
  if (failed.length === 1) return first;
  return { ...first, detail: failed.map((s) => s.fatal!.detail ?? s.fatal!.message).join('; ') };
}

function sumStats(all: SessionStats[]): SessionStats {
  const out: SessionStats = { capturedSamples: 0, sentSamples: 0, droppedSamples: 0, backlogSeconds: 0, connections: 0, malformedMessages: 0 };
  for (const s of all) {
    out.capturedSamples += s.capturedSamples;
    out.sentSamples += s.sentSamples;
    out.droppedSamples += s.droppedSamples;
    out.backlogSeconds = Math.max(out.backlogSeconds, s.backlogSeconds);
    out.connections += s.connections;
    out.malformedMessages += s.malformedMessages;
  }
  return out;
}
