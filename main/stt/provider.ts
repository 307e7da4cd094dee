/**
 * One interface for every streaming speech-to-text provider. A provider is a pure codec
 * (messages in, caption events out) plus facts about its URL, auth, frames and close codes.
 * The reconnecting session (streaming-session.ts) does all I/O, pacing and recovery, so a
 * provider cannot break the core's promises. Adding a provider = one folder + one registry line.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { ProviderInfo } from '../../shared/providers.js';
import type { ConnectRequest, WireMessage } from './transport.js';

export interface ProviderOptions {
  apiKey: string;
  model?: string | undefined;
  /** Overrides the provider URL (scheme, host, path). ws:// only for loopback hosts. */
  endpoint?: string | undefined;
  language?: string | undefined;
  /** Prompt or custom vocabulary (comma separated terms for keyterm-style providers). */
  prompt?: string | undefined;
  temperature?: number | undefined;
  /** Provider-specific extras (VAD parameters, format_turns, ...), passed as strings. */
  extra?: Record<string, string> | undefined;
  /**
   * Ask the service to tell speakers apart (diarisation). Only for providers whose
   * `liveSpeakerLabels` is true; the session refuses it for the others before connecting.
   */
  speakerLabels?: boolean | undefined;
}

export interface DecodeContext {
  /** Seconds of audio sent on this link so far (session-local time of the send cursor). */
  sentSeconds: number;
}

/** What a provider message means for the caption core. Times are session-local seconds. */
export type ProviderEvent =
  /** The server is ready for audio (session.created, Begin). */
  | { type: 'ready' }
  /** Create or replace a segment. `id` is unique within the session. */
  | { type: 'segment'; id: string; text: string; start?: number | undefined; end?: number | undefined; final: boolean; speaker?: string | undefined }
  /**
   * The service changed its mind about who spoke a segment it already sent (AssemblyAI's
   * SpeakerRevision), final or not; `speaker` undefined = it no longer knows. Words stay.
   */
  | { type: 'speaker'; id: string; speaker: string | undefined }
  /** The provider withdrew a segment it had sent. */
  | { type: 'retract'; id: string }
  /** The end-of-stream handshake completed: all audio sent has been answered. */
  | { type: 'flushed' }
  /**
   * An in-band error. `fatal` stops the whole run (bad key); otherwise it is shown as a
   * warning and remembered as the reason if the server closes next.
   */
  | { type: 'error'; code: ErrorCode; detail: string; fatal: boolean }
  /** The language the service says it is hearing (detection, or the echo of the one asked for). */
  | { type: 'language'; code: string }
  /** A message that was understood but carries nothing for captions (traces, metadata). */
  | { type: 'info'; what: string }
  /** A message that could not be parsed or has an unknown shape; counted and logged. */
  | { type: 'malformed'; detail: string };

export interface ProviderCodec {
  /** Messages to send once the link is ready (configuration), possibly none. */
  start(): WireMessage[];
  encodeAudio(pcm: Int16Array): WireMessage;
  /**
   * Messages to send right after an audio frame, e.g. a manual commit at a pause for
   * models that take no server turn detection. Optional; most providers need none.
   */
  afterAudio?(): WireMessage[];
  /** Messages that ask the server to flush after the last audio frame. */
  endOfStream(): WireMessage[];
  /** A keepalive to send during silence, or null when the provider needs none. */
  keepAlive(): WireMessage | null;
  decode(data: string | Buffer, binary: boolean, ctx: DecodeContext): ProviderEvent[];
  /**
   * Asked when the end-of-stream answer did not come in time: whether text the server showed
   * is still unfinished (so the transcript may miss words). Codecs that cannot tell leave it
   * out, and the timeout is then reported as a possible loss.
   */
  owesText?(): boolean;
}

export interface CloseVerdict {
  code: ErrorCode;
  /** Retrying can help (network, server error, session age limit, rate limit). */
  retryable: boolean;
  /** Minimum wait before the next attempt (rate limits), on top of backoff. */
  minDelayMs?: number;
}

export interface ProviderSpec extends ProviderInfo {
  /** Audio may only be sent after the codec reports `ready`. */
  readonly waitForReady: boolean;
  /** How long to wait for `flushed` after `endOfStream()`. */
  readonly flushTimeoutMs: number;
  /** Close the socket ourselves after `flushed` (Together never closes). */
  readonly clientClosesAfterFlush: boolean;
  /** Send keepAlive() after this much time without audio; 0 = never. */
  readonly keepAliveMs: number;
  /** Builds URL and headers. Throws EarshotError('ENDPOINT_INVALID' | 'KEY_MISSING'). */
  connectRequest(options: ProviderOptions): ConnectRequest;
  createCodec(options: ProviderOptions): ProviderCodec;
  /** HTTP status of a refused handshake. */
  classifyHandshake(status: number): CloseVerdict;
  /** A close the client did not ask for. `lastError` is the in-band error that preceded it, if any. */
  classifyClose(code: number, reason: string, lastError: ErrorCode | undefined): CloseVerdict;
}
