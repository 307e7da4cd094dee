/**
 * One connection attempt of a StreamingSession: its transport and codec, what it has sent,
 * its timers (connect, ping watchdog, keepalive, flush, close grace) and the facts needed to
 * judge its end (refusal, network error, in-band error, why we killed it). The session
 * decides what happens next; this class only keeps the link's own bookkeeping honest.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { Clock, TimerHandle, Unsubscribe } from '../util/clock.js';
import type { LinkSegments } from './link-segments.js';
import type { CloseVerdict, ProviderCodec, ProviderSpec } from './provider.js';
import type { Transport, TransportEvent } from './transport.js';

type TimerName = 'connect' | 'watchdog' | 'keepAlive' | 'flush' | 'grace';

export class SessionLink {
  state: 'connecting' | 'open' | 'ready' | 'ended' = 'connecting';
  openedAt: number | undefined;
  lastHeardAt: number;
  lastAudioAt: number;
  /** Samples of the timeline sent on this link (padding excluded). */
  sent = 0;
  segments: LinkSegments | undefined;
  eosSent = false;
  /** We asked for this link to end (finish, abort): its close is not a failure. */
  closeRequested = false;
  refusal: { status: number; body: string } | undefined;
  networkError: string | undefined;
  lastError: ErrorCode | undefined;
  /** Why we terminated it (stall, connect timeout). */
  killedFor: { code: ErrorCode; detail: string } | undefined;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly unsubscribe: Unsubscribe;

  constructor(
    readonly no: number,
    /** Where it connects, as shown to people (no query string). */
    readonly target: string,
    readonly transport: Transport,
    readonly codec: ProviderCodec,
    private readonly clock: Clock,
    onEvent: (link: SessionLink, event: TransportEvent) => void,
  ) {
    this.lastHeardAt = this.lastAudioAt = clock.now();
    this.unsubscribe = transport.on((event) => {
      if (this.state === 'ended') return;
      if (event.type === 'message' || event.type === 'pong') this.lastHeardAt = clock.now();
      else if (event.type === 'handshake-refused') this.refusal = { status: event.status, body: event.body };
      else if (event.type === 'error') this.networkError = event.message;
      onEvent(this, event);
    });
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  setTimer(name: TimerName, fn: () => void, ms: number): void {
    this.clearTimer(name);
    if (this.state === 'ended') return;
    this.timers.set(name, this.clock.setTimeout(fn, ms));
  }

  clearTimer(name: TimerName): void {
    this.clock.clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  markOpen(): void {
    this.state = 'open';
    this.openedAt = this.lastHeardAt = this.clock.now();
  }

  /** Milliseconds the link was open, or undefined if it never opened. */
  uptime(): number | undefined {
    return this.openedAt === undefined ? undefined : this.clock.now() - this.openedAt;
  }

  /**
   * Pings every `intervalMs`; calls `onDead` once nothing (message or pong) was heard for
   * `deadAfterMs`, so a silent drop is noticed within deadAfterMs.
   */
  startWatchdog(intervalMs: number, deadAfterMs: number, onDead: (silentMs: number) => void): void {
    const tick = (inMs: number) =>
      this.setTimer(
        'watchdog',
        () => {
          const silent = this.clock.now() - this.lastHeardAt;
          if (silent >= deadAfterMs) return onDead(silent);
          this.transport.ping();
          tick(Math.max(1, Math.min(intervalMs, deadAfterMs - silent)));
        },
        inMs,
      );
    tick(intervalMs);
  }

  /** Sends the codec's keepalive whenever no audio went out for `everyMs`. */
  startKeepAlive(everyMs: number): void {
    const tick = (inMs: number) =>
      this.setTimer(
        'keepAlive',
        () => {
          const idle = this.clock.now() - this.lastAudioAt;
          if (idle < everyMs) return tick(everyMs - idle);
          const msg = this.codec.keepAlive();
          if (msg !== null) this.transport.send(msg);
          this.lastAudioAt = this.clock.now();
          tick(everyMs);
        },
        inMs,
      );
    tick(everyMs);
  }

  /**
   * What the end of this link means, and a detail for people (not yet scrubbed of secrets)
   * that says why: "cannot connect to URL: connection refused" for a link that never opened,
   * the close code and reason, "no answer to pings", or the network error for one that did.
   */
  verdict(spec: ProviderSpec, code: number, reason: string): { verdict: CloseVerdict; detail: string } {
    const never = this.openedAt === undefined ? `cannot connect to ${this.target}: ` : '';
    if (this.killedFor) return { verdict: { code: this.killedFor.code, retryable: true }, detail: `${never}${this.killedFor.detail}` };
    if (this.refusal) {
      const { status, body } = this.refusal;
      return { verdict: spec.classifyHandshake(status), detail: `${never}HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}` };
    }
    const closed = `close ${code}${reason ? ` "${reason}"` : ''}`;
    const detail = never
      ? `${never}${this.networkError ?? `the connection closed during the handshake (${closed})`}`
      : this.networkError
        ? `connection lost: ${this.networkError} (${closed})`
        : `closed by the server: ${closed}`;
    return { verdict: spec.classifyClose(code, reason, this.lastError), detail };
  }

  /** No more events, no more timers. Idempotent. */
  end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.unsubscribe();
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
