/**
 * Options of a StreamingSession, their defaults and their validation. Wrong values fail
 * fast with EarshotError('BAD_ARGUMENT') naming the option and the allowed range.
 */
import { EarshotError } from '../../shared/errors.js';
import { speakerLabelsRefusal } from '../../shared/providers.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { ProviderOptions, ProviderSpec } from './provider.js';

/** Audio kept for replay after a drop when the caller does not say. */
export const DEFAULT_BACKLOG_SECONDS = 180;

export interface StreamingSessionOptions {
  spec: ProviderSpec;
  provider: ProviderOptions;
  /** Audio frame length; must lie within spec.frameMs. */
  frameMs?: number;
  /** Audio kept for replay after a drop (seconds, at least 120). */
  backlogSeconds?: number;
  /** Replay speed after a reconnect, as a multiple of real time (1.1-20, default 2). */
  catchUpRate?: number;
  /** Multiplies the allowed send rate, for `--speed N` file runs (the pusher is N× too). */
  speed?: number;
  /** How often to ping the server. */
  pingIntervalMs?: number;
  /** A link with no message and no pong for this long is dead. */
  deadAfterMs?: number;
  /** Limit for the link to open (and to become ready, for providers that announce it). */
  connectTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /**
   * Attempts before giving up when no link was ever ready ("never connected": wrong port,
   * TLS to a plain server, a proxy that swallows the handshake). Once a link was ready,
   * retries are unlimited ("connected, then lost").
   */
  startupAttempts?: number;
  /** Reconnects allowed while finishing before giving up on the flush. */
  maxFinishReconnects?: number;
  /** How long to wait for a close we asked for before dropping the socket. */
  closeGraceMs?: number;
}

export interface ResolvedSessionOptions {
  spec: ProviderSpec;
  provider: ProviderOptions;
  frameMs: number;
  frameSamples: number;
  minFrameSamples: number;
  backlogSamples: number;
  catchUpRate: number;
  speed: number;
  pingIntervalMs: number;
  deadAfterMs: number;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  startupAttempts: number;
  maxFinishReconnects: number;
  closeGraceMs: number;
}

function check(ok: boolean, detail: string): void {
  if (!ok) throw new EarshotError('BAD_ARGUMENT', detail);
}

/**
 * What the session itself refuses in provider options, before any link is opened (the
 * provider's own checks run in its connectRequest). Speaker labels are refused rather than
 * quietly dropped: a person who asked for them would otherwise read unlabelled lines as one voice.
 */
export function checkProviderOptions(spec: ProviderSpec, provider: ProviderOptions): void {
  if (!provider.speakerLabels || spec.liveSpeakerLabels) return;
  throw new EarshotError('SPEAKERS_UNSUPPORTED', speakerLabelsRefusal(spec.id));
}

export function resolveSessionOptions(o: StreamingSessionOptions): ResolvedSessionOptions {
  const { spec } = o;
  checkProviderOptions(spec, o.provider);
  const rate = spec.sampleRate;
  const frameMs = o.frameMs ?? spec.frameMs.default;
  check(
    Number.isFinite(frameMs) && frameMs >= spec.frameMs.min && frameMs <= spec.frameMs.max,
    `frame length ${frameMs} ms is outside ${spec.label}'s limits (${spec.frameMs.min}-${spec.frameMs.max} ms)`,
  );
  const backlogSeconds = o.backlogSeconds ?? DEFAULT_BACKLOG_SECONDS;
  check(Number.isFinite(backlogSeconds) && backlogSeconds >= 120 && backlogSeconds <= 3600, `backlog of ${backlogSeconds} s must be 120-3600 s`);
  const catchUpRate = o.catchUpRate ?? 2;
  // At 1× a backlog would never shrink: captions would lag for the rest of the run.
  check(Number.isFinite(catchUpRate) && catchUpRate >= 1.1 && catchUpRate <= 20, `catch-up rate ${catchUpRate} must be 1.1-20`);
  const speed = o.speed ?? 1;
  check(Number.isFinite(speed) && speed > 0 && speed <= 100, `speed ${speed} must be above 0 and at most 100`);
  const positive = (v: number | undefined, fallback: number, name: string) => {
    const value = v ?? fallback;
    check(Number.isFinite(value) && value > 0, `${name} must be a positive number of milliseconds`);
    return value;
  };
  const backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
  check(backoff.baseMs > 0 && backoff.capMs >= backoff.baseMs && backoff.minUptimeMs >= 0, 'backoff needs 0 < base <= cap');
  // Three strikes, as pipecat does for links that die at once (perf-reliability.md B1).
  const startupAttempts = o.startupAttempts ?? 3;
  check(startupAttempts >= 1 && (Number.isInteger(startupAttempts) || startupAttempts === Infinity), 'start-up attempts must be a whole number of at least 1');
  return {
    spec,
    provider: o.provider,
    frameMs,
    frameSamples: Math.max(1, Math.round((frameMs * rate) / 1000)),
    minFrameSamples: Math.ceil((spec.frameMs.min * rate) / 1000),
    backlogSamples: Math.round(backlogSeconds * rate),
    catchUpRate,
    speed,
    pingIntervalMs: positive(o.pingIntervalMs, 2_500, 'ping interval'),
    deadAfterMs: positive(o.deadAfterMs, 5_000, 'dead-link timeout'),
    connectTimeoutMs: positive(o.connectTimeoutMs, 10_000, 'connect timeout'),
    backoff,
    startupAttempts,
    maxFinishReconnects: o.maxFinishReconnects ?? 5,
    closeGraceMs: positive(o.closeGraceMs, 2_000, 'close grace'),
  };
}
