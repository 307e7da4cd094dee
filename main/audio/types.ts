/** The port every audio input implements: PortAudio devices, system-audio monitors, WAV files. */
import type { ErrorInfo } from '../../shared/errors.js';
import type { Unsubscribe } from '../util/clock.js';

export type SampleFormat = 'u8' | 's16' | 's24' | 's32' | 'f32';

export interface AudioFormat {
  sampleRate: number;
  channels: number;
  sampleFormat: SampleFormat;
}

export interface AudioSourceStats {
  /** Driver overflows reported by the capture layer (audio lost before Earshot saw it). */
  overflows: number;
  /** Bytes delivered so far. */
  bytes: number;
  /** Milliseconds of audio lost to overflows so far (live sources; absent when unknown). */
  lostMs?: number;
}

/** Audio lost before Earshot saw it; the pipeline surfaces it as AUDIO_OVERFLOW. */
export interface AudioOverflowEvent {
  /** How much was lost this time, in milliseconds (estimated from samples vs. the clock). */
  lostMs: number;
  /** Running totals, as in stats(). */
  overflows: number;
  totalLostMs: number;
  /** Where it was lost: the driver (samples missing) or Earshot's own bounded queue (consumer too slow). */
  where: 'driver' | 'queue';
}

/** A live source that went silent-dead ('lost') is being reopened; 'resumed' once audio flows again. */
export type SourceRecoveryEvent =
  | { kind: 'lost'; detail: string }
  | { kind: 'resumed'; detail: string; attempts: number; outageMs: number };

export interface AudioSource {
  /** For people: "Built-in Microphone (device 3, 48000 Hz, 2 ch)" or "file lecture.wav". */
  readonly description: string;
  /** Live sources are paced by their capture; file sources must be paced by the pipeline. */
  readonly live: boolean;
  /** Opens the device or file and reports its native format. Throws EarshotError. */
  open(): Promise<AudioFormat>;
  /** Interleaved PCM in the opened format, whole frames per chunk. Ends when the source ends or is closed. */
  chunks(): AsyncIterable<Buffer>;
  /** Stops capture; idempotent. Pending iteration ends. */
  close(): Promise<void>;
  stats(): AudioSourceStats;
  /**
   * Problems found by open() that do not stop reading (a truncated file), for the pipeline to
   * show as warnings. Empty or absent when there are none.
   */
  openWarnings?(): ErrorInfo[];
  /** Total frames when known in advance (files), for progress. */
  readonly totalFrames?: number | undefined;
  /** Live sources: called whenever audio was lost. Returns an unsubscribe. */
  onOverflow?(listener: (e: AudioOverflowEvent) => void): Unsubscribe;
  /**
   * Live sources: called once when capture fails after open (device lost, capture process died),
   * as soon as it is known; chunks() then ends with the same error. Returns an unsubscribe.
   */
  onError?(listener: (e: ErrorInfo) => void): Unsubscribe;
  /** Live sources that reopen themselves after a sound-server restart: lost, then resumed. */
  onRecovery?(listener: (e: SourceRecoveryEvent) => void): Unsubscribe;
}

export interface AudioDevice {
  /** PortAudio device index as a string, or the PulseAudio source name for monitors. */
  id: string;
  name: string;
  hostApi: string;
  kind: 'input' | 'monitor';
  defaultSampleRate: number;
  maxInputChannels: number;
  isDefault: boolean;
}

/** What `earshot devices` shows: devices plus plain-language notes (never a silent empty list). */
export interface DeviceListing {
  devices: AudioDevice[];
  notes: string[];
}
