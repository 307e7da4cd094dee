/**
 * What a session knows about reaching its service: "never connected" (no link was ready yet:
 * wrong port, TLS to a plain server, a proxy that swallows the handshake) is not "connected,
 * then lost". Until a link is ready, failures count against a start-up limit, and ending
 * with captured audio is itself a failure: the audio went nowhere. Pure bookkeeping.
 */
import { errorInfo, type ErrorInfo } from '../../shared/errors.js';

export class ConnectRecord {
  /** A link was ready at least once. */
  established = false;
  /** Why the last link failed; shown with the next attempt. Cleared once a link is ready. */
  lastFailure: ErrorInfo | undefined;
  private startupFailures = 0;
  private startedAt: number | undefined;

  constructor(
    /** Where links go, as people see it. */
    private readonly target: string,
    private readonly startupAttempts: number,
  ) {}

  started(now: number): void {
    this.startedAt ??= now;
  }

  ready(): void {
    this.established = true;
    this.lastFailure = undefined;
  }

  /**
   * A link failed (retryably). Returns CONNECT_FAILED when that was the last start-up attempt
   * (or `givingUp` says no more attempts will be made) and no link was ever ready.
   */
  failed(failure: ErrorInfo, givingUp: boolean): ErrorInfo | undefined {
    this.lastFailure = failure;
    if (this.established) return undefined;
    const n = ++this.startupFailures;
    if (n < this.startupAttempts && !givingUp) return undefined;
    return errorInfo('CONNECT_FAILED', `${failure.detail ?? failure.message}; gave up after ${n} attempt${n === 1 ? '' : 's'}`);
  }

  /** Set when audio was captured but no link was ever ready: says why, as the last attempt saw it. */
  unsentAudioFailure(now: number, capturedSamples: number): ErrorInfo | undefined {
    if (this.established || capturedSamples === 0) return undefined;
    const since = this.startedAt === undefined ? 0 : (now - this.startedAt) / 1000;
    const detail = this.lastFailure?.detail ?? `cannot connect to ${this.target}: stopped after ${since.toFixed(1)} s without an answer (the handshake never completed)`;
    return errorInfo('CONNECT_FAILED', detail);
  }
}
