/**
 * PipelinePort over CaptionRun (main/pipeline/caption-run.ts), the same run the CLI uses:
 * one CaptionRun per start(). Revisions stay one continuous sequence across runs (the old
 * run's captions are removed in one diff first), so the coalescer and the overlay never see
 * a new run's revisions as stale. If the coordinator's CaptionPipeline implements
 * PipelinePort, main.ts can use it instead; the app only depends on the port.
 */
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import { EarshotError, errorInfo } from '../../shared/errors.js';
import { KeptAudioWriter } from '../audio/kept-audio.js';
import { MeetingMix } from '../audio/meeting-mix.js';
import type { AudioLevel } from '../../shared/status.js';
import { createConverter } from '../audio/converter.js';
import { levelOf } from '../audio/level.js';
import type { AudioSource } from '../audio/types.js';
import type { RunConfig, RunEvent } from '../pipeline/caption-run.js';
import { echoRoles, type MeetingConfig } from '../pipeline/meeting-run.js';
import { isOwnVoice } from '../../shared/source-terms.js';
import { loadAec3 } from '../audio/echo-canceller.js';
import type { ProviderOptions, ProviderSpec } from '../stt/provider.js';
import type { Clock, Unsubscribe } from '../util/clock.js';
import { sourceTerm, type MeetingSources, type PipelineConfig, type PipelineEvents, type PipelinePort, type PipelineSource } from './pipeline-port.js';

/** The part of CaptionRun this adapter drives. */
export interface RunLike {
  on(listener: (e: RunEvent) => void): Unsubscribe;
  reconfigure(providerOptions: ProviderOptions): void;
  start(): Promise<void>;
  pause(paused: boolean): void;
  stop(): Promise<unknown>;
  kill(): Promise<unknown>;
  snapshot(): CaptionSnapshot;
  finals(): Segment[];
}

export interface RunPipelineDeps {
  openSource(source: PipelineSource): Promise<AudioSource>;
  provider(id: PipelineConfig['provider']): ProviderSpec;
  createRun(config: RunConfig): RunLike;
  /** Two sources at once (main/pipeline/meeting-run.ts): the same surface as one run. */
  createMeeting?(config: MeetingConfig): RunLike;
  /** How long stop() waits for the provider's last words before cutting the link. */
  stopTimeoutMs?: number;
  clock: Clock;
}

type Listeners = { [K in keyof PipelineEvents]: Set<(p: PipelineEvents[K]) => void> };

export class RunPipeline implements PipelinePort {
  private run: RunLike | null = null;
  private offRun: Unsubscribe | null = null;
  private revOffset = 0;
  private rev = 0;
  private lastFinals: Segment[] = [];
  /** The kept meeting audio of the current run, closed when the run ends. */
  private keptWriter: KeptAudioWriter | null = null;
  /** A meeting's two sides, mixed into keptWriter. */
  private keptMix: MeetingMix | null = null;
  /** Captions of the last run stay on screen after it stops. */
  private lastSegments: Segment[] = [];
  private readonly listeners: Listeners = { status: new Set(), diff: new Set(), level: new Set(), warning: new Set(), language: new Set(), ended: new Set() };

  constructor(private readonly deps: RunPipelineDeps) {}

  async start(config: PipelineConfig): Promise<void> {
    await this.stop();
    const old = this.snapshot();
    if (old.segments.length) this.emitDiff({ rev: this.rev + 1, upserts: [], removals: old.segments.map((s) => s.id) });
    this.revOffset = this.rev;
    const spec = this.deps.provider(config.provider);
    if (config.source.kind === 'meeting') return this.startMeeting(config, config.source, spec);
    const source = await this.deps.openSource(config.source);
    const writer = (this.keptWriter = this.keptWriterFor(config, spec));
    const run = this.deps.createRun({
      source, sourceTerm: sourceTerm(config.source), provider: spec, providerOptions: providerOptionsOf(config), frameMs: config.frameMs,
      ...(writer ? { onAudio: (pcm: Int16Array) => writer.write(pcm) } : {}),
    });
    await this.launch(run, [source]);
  }

  /**
   * Both sides of a meeting, each its own run and connection. Kept audio (for Improve
   * transcript) is both sides mixed into one track: one recording of the whole conversation.
   */
  private async startMeeting(config: PipelineConfig, meeting: MeetingSources, spec: ProviderSpec): Promise<void> {
    const createMeeting = this.deps.createMeeting;
    if (!createMeeting) throw new EarshotError('INTERNAL', 'this build cannot caption two sources at once');
    const sources: AudioSource[] = [];
    try {
      for (const s of meeting.streams) sources.push(await this.deps.openSource(s.source));
    } catch (err) {
      await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
      throw err;
    }
    const writer = (this.keptWriter = this.keptWriterFor(config, spec));
    const mix = (this.keptMix = writer ? new MeetingMix({ sides: meeting.streams.length, rate: spec.sampleRate, clock: this.deps.clock, write: (pcm) => writer.write(pcm) }) : null);
    const streams = meeting.streams.map((s, i) => ({
      term: s.term,
      label: s.label,
      run: {
        source: sources[i]!, sourceTerm: s.term, provider: spec, providerOptions: providerOptionsOf(config), frameMs: config.frameMs,
        // What each side sends (the microphone after echo cancelling) goes into the one kept track.
        ...(mix ? { onAudio: (pcm: Int16Array) => mix.push(i, pcm) } : {}),
      },
      // Speakers are told apart on the others' side only: the microphone stays "You".
      speakerLabels: !isOwnVoice(s.term),
    }));
    const terms = meeting.streams.map((s) => s.term);
    // A side that cannot open (a headset unplugged, system audio refused) must not cost the
    // other side's captions: the meeting starts with what opened and says what did not.
    const run = createMeeting({ streams, partialStart: true, ...(meeting.echo ? echoRoles(terms, { audio: true, text: true }, loadAec3) : {}) });
    await this.launch(run, sources);
  }

  private keptWriterFor(config: PipelineConfig, spec: ProviderSpec): KeptAudioWriter | null {
    const keep = config.keepAudio;
    if (!keep) return null;
    // Its failure is a NOTICE: the sentence says it all (not the table's line about transcripts).
    return new KeptAudioWriter({ root: keep.root, id: keep.id, rate: spec.sampleRate, maxBytes: keep.maxBytes, startedAt: new Date(), onError: (m) => this.emit('warning', errorInfo('NOTICE', m)) });
  }

  private async launch(run: RunLike, sources: AudioSource[]): Promise<void> {
    this.run = run;
    this.offRun = run.on((e) => this.onRun(run, e));
    try {
      await run.start();
    } catch (err) {
      this.detach(run);
      await run.kill().catch(() => undefined);
      await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
      throw err;
    }
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const limit = this.deps.stopTimeoutMs ?? 5000;
    // The provider gets a few seconds for the last words; quitting must not hang on it.
    const timedOut = new Promise<'timeout'>((resolve) => { timer = this.deps.clock.setTimeout(() => resolve('timeout'), limit); });
    const result = await Promise.race([run.stop().then(() => 'done' as const), timedOut]);
    this.deps.clock.clearTimeout(timer);
    if (result === 'timeout') await run.kill();
    if (this.run === run) {
      this.lastFinals = run.finals();
      this.detach(run);
      this.emit('ended', {});
    }
  }

  pause(paused: boolean): void {
    this.run?.pause(paused);
  }

  reconfigure(config: PipelineConfig): boolean {
    if (!this.run) return false;
    this.run.reconfigure(providerOptionsOf(config));
    return true;
  }

  on<K extends keyof PipelineEvents>(event: K, listener: (payload: PipelineEvents[K]) => void): Unsubscribe {
    const set = this.listeners[event] as Set<(p: PipelineEvents[K]) => void>;
    set.add(listener);
    return () => { set.delete(listener); };
  }

  snapshot(): CaptionSnapshot {
    if (!this.run) return { rev: this.rev, segments: this.lastSegments };
    const s = this.run.snapshot();
    return { rev: s.rev + this.revOffset, segments: s.segments };
  }

  finals(): Segment[] {
    return this.run ? this.run.finals() : this.lastFinals.slice();
  }

  private onRun(run: RunLike, e: RunEvent): void {
    if (this.run !== run) return;
    switch (e.type) {
      case 'status': this.emit('status', e.status); break;
      case 'diff': this.emitDiff({ ...e.diff, rev: e.diff.rev + this.revOffset }); break;
      case 'level': this.emit('level', e.stream ? { ...e.level, stream: { index: e.stream.index, label: e.stream.label } } : e.level); break;
      case 'warning': this.emit('warning', e.error); break;
      case 'language': this.emit('language', { code: e.code }); break;
      case 'fatal': break; // followed by a status 'error' and 'ended'
      case 'ended':
        this.lastFinals = e.result.finals;
        this.detach(run);
        this.emit('ended', { fatal: e.result.fatal });
        break;
    }
  }

  private detach(run: RunLike): void {
    if (this.run !== run) return;
    const s = run.snapshot();
    this.lastSegments = s.segments;
    this.rev = Math.max(this.rev, s.rev + this.revOffset);
    this.offRun?.();
    this.offRun = null;
    this.run = null;
    this.keptMix?.flush();
    this.keptMix = null;
    this.keptWriter?.close();
    this.keptWriter = null;
  }

  private emitDiff(diff: CaptionDiff): void {
    this.rev = diff.rev;
    if (!this.run) {
      const removed = new Set(diff.removals);
      this.lastSegments = this.lastSegments.filter((s) => !removed.has(s.id));
    }
    this.emit('diff', diff);
  }

  private emit<K extends keyof PipelineEvents>(event: K, payload: PipelineEvents[K]): void {
    for (const l of [...this.listeners[event]] as ((p: PipelineEvents[K]) => void)[]) l(payload);
  }
}

function providerOptionsOf(config: PipelineConfig): ProviderOptions {
  return {
    apiKey: config.apiKey,
    model: config.model,
    endpoint: config.endpoint || undefined,
    language: config.language || undefined,
    prompt: config.prompt || undefined,
    ...(config.speakerLabels ? { speakerLabels: true } : {}),
  };
}

/**
 * The settings window's level test: opens the source, converts to 16 kHz mono and reports
 * levels about ten times a second until `durationMs` of audio has been read.
 */
export async function testSourceLevel(source: AudioSource, durationMs: number, onLevel: (l: AudioLevel) => void): Promise<AudioLevel> {
  const rate = 16000;
  let peak: AudioLevel = { rmsDb: -100, peakDb: -100 };
  try {
    const format = await source.open();
    const converter = createConverter(format, rate);
    let samples = 0;
    let pending: Int16Array[] = [];
    let pendingLen = 0;
    for await (const chunk of source.chunks()) {
      const out = converter.push(chunk);
      pending.push(out);
      pendingLen += out.length;
      samples += out.length;
      if (pendingLen >= rate / 10) {
        const merged = new Int16Array(pendingLen);
        let o = 0;
        for (const p of pending) { merged.set(p, o); o += p.length; }
        pending = [];
        pendingLen = 0;
        const lvl = levelOf(merged);
        const level = { rmsDb: lvl.rmsDbfs, peakDb: lvl.peakDbfs };
        onLevel(level);
        if (level.peakDb > peak.peakDb) peak = level;
      }
      if (samples >= (rate * durationMs) / 1000) break;
    }
    if (samples === 0) throw new EarshotError('DEVICE_LOST', `${source.description} delivered no audio`);
    return peak;
  } finally {
    await source.close().catch(() => undefined);
  }
}

