/**
 * The desktop app's captioning engine: runs one CaptionRun at a time (start, stop, pause,
 * switch source) behind the PipelinePort the app codes against. Revisions stay continuous
 * across runs because every run's diffs pass through one long-lived store.
 */
import { EMPTY_SNAPSHOT, type CaptionDiff, type CaptionSnapshot, type Segment } from '../../shared/captions.js';
import { EarshotError, type ErrorInfo } from '../../shared/errors.js';
import { PROVIDERS } from '../../shared/providers.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import { resolveSource } from '../audio/system-audio.js';
import type { AudioSource } from '../audio/types.js';
import { CaptionStore } from '../captions/caption-store.js';
import { getProvider } from '../stt/providers/index.js';
import type { TransportFactory } from '../stt/transport.js';
import type { Clock, Random, Unsubscribe } from '../util/clock.js';
import { CaptionRun } from './caption-run.js';

export type PipelineSource =
  | { kind: 'mic' }
  | { kind: 'system' }
  | { kind: 'device'; id: string }
  | { kind: 'file'; path: string }
  | { kind: 'external'; source: AudioSource };

export interface PipelineConfig {
  source: PipelineSource;
  provider: keyof typeof PROVIDERS;
  model: string;
  endpoint: string;
  language: string;
  prompt: string;
  frameMs: number;
  apiKey: string;
}

export interface PipelineEvents {
  status: ConnectionStatus;
  diff: CaptionDiff;
  level: AudioLevel;
  warning: ErrorInfo;
}

export interface PipelineDeps {
  transport: TransportFactory;
  clock: Clock;
  random: Random;
  /** Opens sources; injectable so the app logic is testable without audio hardware. */
  openSource?: (source: PipelineSource) => Promise<AudioSource>;
}

type Listeners = { [K in keyof PipelineEvents]: Set<(p: PipelineEvents[K]) => void> };

export class CaptionPipeline {
  private run: CaptionRun | undefined;
  private offRun: Unsubscribe | undefined;
  /** Caption state across runs (the UI keeps seeing the last run's captions after a stop). */
  private readonly store = new CaptionStore();
  private lastFinals: Segment[] = [];
  private readonly listeners: Listeners = { status: new Set(), diff: new Set(), level: new Set(), warning: new Set() };
  private runNo = 0;

  constructor(private readonly deps: PipelineDeps) {
    this.store.on((diff) => this.emit('diff', diff));
  }

  on<K extends keyof PipelineEvents>(event: K, listener: (payload: PipelineEvents[K]) => void): Unsubscribe {
    const set = this.listeners[event] as Set<(p: PipelineEvents[K]) => void>;
    set.add(listener);
    return () => void set.delete(listener);
  }

  snapshot(): CaptionSnapshot {
    return this.store.snapshot() ?? EMPTY_SNAPSHOT;
  }

  finals(): Segment[] {
    const prefix = `r${this.runNo}/`;
    return this.run ? this.run.finals().map((s) => ({ ...s, id: prefix + s.id })) : this.lastFinals;
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  async start(config: PipelineConfig): Promise<void> {
    await this.stop();
    if (!config.apiKey) throw new EarshotError('KEY_MISSING', `no key saved for ${PROVIDERS[config.provider].label}`);
    const source = await (this.deps.openSource ?? defaultOpenSource)(config.source);
    const runNo = ++this.runNo;
    this.store.clear();
    const run = new CaptionRun(
      {
        source,
        provider: getProvider(config.provider),
        providerOptions: {
          apiKey: config.apiKey,
          model: config.model || undefined,
          endpoint: config.endpoint || undefined,
          language: config.language || undefined,
          prompt: config.prompt || undefined,
        },
        frameMs: config.frameMs,
      },
      { transport: this.deps.transport, clock: this.deps.clock, random: this.deps.random },
    );
    // Ids restart with every run; prefix them so a new run never collides with the last one.
    const prefix = `r${runNo}/`;
    this.offRun = run.on((e) => {
      switch (e.type) {
        case 'diff':
          this.store.applyAll([
            ...e.diff.removals.map((id) => ({ kind: 'remove' as const, id: prefix + id })),
            ...e.diff.upserts.map((s) => ({ kind: 'upsert' as const, segment: { ...s, id: prefix + s.id } })),
          ]);
          break;
        case 'status':
          this.emit('status', e.status);
          break;
        case 'level':
          this.emit('level', e.level);
          break;
        case 'warning':
          this.emit('warning', e.error);
          break;
        case 'ended':
          if (this.run === run) {
            this.lastFinals = e.result.finals.map((s) => ({ ...s, id: prefix + s.id }));
            this.offRun?.();
            this.run = undefined;
          }
          break;
        case 'fatal':
          break;
      }
    });
    this.run = run;
    try {
      await run.start();
    } catch (err) {
      this.offRun?.();
      this.run = undefined;
      await run.kill();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    await run.stop();
  }

  pause(paused: boolean): void {
    this.run?.pause(paused);
  }

  private emit<K extends keyof PipelineEvents>(event: K, payload: PipelineEvents[K]): void {
    for (const l of [...this.listeners[event]] as ((p: PipelineEvents[K]) => void)[]) {
      try {
        l(payload);
      } catch {
        // A failing window must not stop captioning.
      }
    }
  }
}

async function defaultOpenSource(source: PipelineSource): Promise<AudioSource> {
  switch (source.kind) {
    case 'mic': return resolveSource('mic');
    case 'system': return resolveSource('system');
    case 'device': return resolveSource(`device:${source.id}`);
    case 'file': return resolveSource(`file:${source.path}`);
    case 'external': return source.source;
  }
}
