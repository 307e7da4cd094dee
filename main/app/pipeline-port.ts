/**
 * What the desktop app needs from the captioning core. The coordinator's CaptionPipeline
 * (main/app/run-pipeline.ts, built on main/pipeline/caption-run.ts) implements these ports; the app's logic
 * (app-controller.ts) is tested against fakes of them. Audio capture and the network session
 * live behind these ports in main and never wait on a renderer.
 */
import type { AudioDevice, AudioSource } from '../audio/types.js';
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { ProviderId } from '../../shared/providers.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import type { Unsubscribe } from '../util/clock.js';

/**
 * 'mic' = default input, 'system' = the default output's monitor (Linux, PulseAudio/PipeWire),
 * 'device' = a listed device id, 'external' = audio the app captures itself (Electron
 * loopback on Windows/macOS) handed over as an AudioSource.
 */
export type PipelineSource =
  | { kind: 'mic' }
  | { kind: 'system' }
  | { kind: 'device'; id: string }
  | { kind: 'external'; source: AudioSource };

/** One side of a meeting: its source, its term (`mic`, `system`: what segments carry) and label. */
export interface PipelineStream {
  term: string;
  label: string;
  source: PipelineSource;
}

/**
 * A meeting: two sources captioned at once, each with its own connection (twice the provider
 * minutes). `echo`: microphone lines that repeat system audio are dropped.
 */
export interface MeetingSources {
  kind: 'meeting';
  streams: PipelineStream[];
  echo: boolean;
}

export interface PipelineConfig {
  source: PipelineSource | MeetingSources;
  provider: ProviderId;
  model: string;
  /** '' = provider default. */
  endpoint: string;
  /** '' = provider default / auto. */
  language: string;
  prompt: string;
  frameMs: number;
  /** Ask the service to tell speakers apart (only set for providers that can). */
  speakerLabels?: boolean;
  apiKey: string;
  /** Keep what is sent on disk for "Improve transcript" (off unless the person chose it; one source only). */
  keepAudio?: { root: string; id: string; maxBytes: number };
}

export interface PipelineEvents {
  status: ConnectionStatus;
  /** Caption changes in the pipeline's own revisions (the app coalesces them). */
  diff: CaptionDiff;
  /** A few times per second while audio flows (per stream in a meeting: `stream` says which). */
  level: AudioLevel;
  /** Something to tell the person that does not stop captions (dropped backlog, overflow). */
  warning: ErrorInfo;
  /** The language the service says it hears (when it changes). */
  language: { code: string };
  /** The run ended by itself (file finished, refused key, lost device) or after stop(). */
  ended: { fatal?: ErrorInfo | undefined };
}

export interface PipelinePort {
  /**
   * Opens the source and starts streaming. Resolves once capture runs (connecting may still
   * be under way: watch `status`). Rejects with an EarshotError (DEVICE_NOT_FOUND,
   * DEVICE_OPEN_FAILED, KEY_MISSING, ENDPOINT_INVALID, ...) when it cannot start. Calling
   * start while running stops the current run first.
   */
  start(config: PipelineConfig): Promise<void>;
  /**
   * Applies a new language or prompt to the running stream without a gap: the session
   * reconnects and resends the audio since the last final. Returns false when nothing runs
   * (the caller starts a run instead).
   */
  reconfigure(config: PipelineConfig): boolean;
  /** Flushes what the provider still owes, then closes everything. Idempotent. */
  stop(): Promise<void>;
  /** Paused: audio is neither captured into the session nor sent; status becomes 'paused'. */
  pause(paused: boolean): void;
  on<K extends keyof PipelineEvents>(event: K, listener: (payload: PipelineEvents[K]) => void): Unsubscribe;
  /** Current captions, for the coalescer and late-joining windows. */
  snapshot(): CaptionSnapshot;
  /** Every final segment of the current (or last) run, oldest first. */
  finals(): Segment[];
}

/** Device listing and the settings window's level test. */
export interface AudioPort {
  listDevices(): Promise<AudioDevice[]>;
  /**
   * Opens the source for `durationMs`, reporting levels as they come, and resolves with the
   * loudest level seen. Rejects with an EarshotError when the source cannot be opened.
   */
  testLevel(source: PipelineSource, durationMs: number, onLevel: (level: AudioLevel) => void): Promise<AudioLevel>;
}

/** The app's source setting as a pipeline source (system audio on Windows/macOS is handled by the caller). */
export function sourceFromSetting(setting: string): PipelineSource {
  if (setting === 'system') return { kind: 'system' };
  if (setting.startsWith('device:')) return { kind: 'device', id: setting.slice('device:'.length) };
  return { kind: 'mic' };
}

/** The source term segments carry (`mic`, `system`, `device:ID`); loopback capture is system audio. */
export function sourceTerm(source: PipelineSource): string {
  return source.kind === 'external' ? 'system' : sourceSpec(source);
}

/** The CLI-style source spec (`mic`, `system`, `device:ID`) that main/audio resolves. */
export function sourceSpec(source: Exclude<PipelineSource, { kind: 'external' }>): string {
  return source.kind === 'device' ? `device:${source.id}` : source.kind;
}
