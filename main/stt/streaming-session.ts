/**
 * The reconnecting streaming session, generic over providers. It owns all I/O, pacing and
 * recovery so that every provider gets the same promises:
 *
 * - Nothing said is lost: audio is kept in a sample-indexed backlog from the end of the last
 *   contiguous final result; when a link dies, a new one replays that backlog first, and the
 *   dead link's non-final text is withdrawn (its replacement comes from the new link).
 * - Never ahead of real time: frames are cut from a send cursor that never passes the pushed
 *   head; the replay after a reconnect is rate-bounded (catchUpRate × speed, SendBudget).
 * - Continuous time: each link starts at 0; its results are shifted by the timeline position
 *   of its first sample.
 * - A refused key or rejected settings are fatal at once; everything else is retried with
 *   full-jitter backoff; a silent link is detected by ping within deadAfterMs.
 * - "Never connected" is not "connected, then lost": until a link was ready once, failures
 *   count against startupAttempts and then end the session with CONNECT_FAILED and the cause.
 * - Unfinished text is never dropped when the session ends early (abort, fatal): what the
 *   live link showed is kept as final.
 */
import { errorInfo, redactKey, toErrorInfo, type ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import type { Segment } from '../../shared/captions.js';
import type { ConnectionStatus } from '../../shared/status.js';
import type { Clock, Random, TimerHandle, Unsubscribe } from '../util/clock.js';
import { notifyAll } from '../util/listeners.js';
import { AudioBacklog } from './audio-backlog.js';
import { ConnectRecord } from './connect-record.js';
import { InBandWarnings } from './in-band-warnings.js';
import { Backoff } from './backoff.js';
import { LinkSegments } from './link-segments.js';
import { displayUrl } from './network-errors.js';
import type { ProviderEvent, ProviderOptions, ProviderSpec } from './provider.js';
import { SendBudget } from './send-budget.js';
import type { SessionEvent, SessionStats } from './session-events.js';
import { SessionLink } from './session-link.js';
import { checkProviderOptions, resolveSessionOptions, type ResolvedSessionOptions, type StreamingSessionOptions } from './session-options.js';
import type { Transport, TransportEvent, TransportFactory } from './transport.js';

export type { StreamingSessionOptions } from './session-options.js';

export interface StreamingSessionDeps {
  transport: TransportFactory;
  clock: Clock;
  random: Random;
}

export interface FinishResult {
  /** The provider confirmed that it answered all audio. */
  flushed: boolean;
}

type Phase = 'idle' | 'running' | 'finishing' | 'closing' | 'done';

const PROTOCOL_WARN_EVERY_MS = 10_000;
const OVERFLOW_WARN_EVERY_MS = 5_000;

export class StreamingSession {
  private o: ResolvedSessionOptions;
  private readonly spec: ProviderSpec;
  private readonly rate: number;
  private readonly backlog: AudioBacklog;
  private readonly backoff: Backoff;
  private readonly budget: SendBudget;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  /** Where links go, as people see it (no query string). */
  private readonly target: string;
  private readonly inBand: InBandWarnings;
  private phase: Phase = 'idle';
  private readonly connects: ConnectRecord;
  /**
   * Open text of the last link that died, withdrawn because the next link re-recognises its
   * audio. Kept until a later link shows text, so that ending before then loses nothing.
   */
  private withdrawn: Segment[] = [];
  private link: SessionLink | null = null;
  private linkCount = 0;
  /** Timeline index of the next sample to send on the current link. */
  private cursor = 0;
  private sentHigh = 0;
  private lostSamples = 0;
  private malformed = 0;
  private lastProtocolWarnAt = -Infinity;
  private lastOverflowWarnAt = -Infinity;
  private unreportedLoss = 0;
  private finishReconnects = 0;
  private flushedOk = false;
  private reconnectTimer: TimerHandle | undefined;
  private pumpTimer: TimerHandle | undefined;
  private finishPromise: Promise<FinishResult> | undefined;
  private resolveFinish: ((r: FinishResult) => void) | undefined;

  constructor(
    options: StreamingSessionOptions,
    private readonly deps: StreamingSessionDeps,
  ) {
    this.o = resolveSessionOptions(options);
    this.spec = options.spec;
    this.rate = this.spec.sampleRate;
    // Fail now, not on the first connect, on a missing key or a bad endpoint.
    this.target = this.scrub(displayUrl(this.spec.connectRequest(options.provider).url));
    this.inBand = new InBandWarnings(deps.clock);
    this.connects = new ConnectRecord(this.target, this.o.startupAttempts);
    this.backlog = new AudioBacklog(this.o.backlogSamples);
    this.backoff = new Backoff(this.o.backoff, deps.random);
    const ratePerMs = (this.o.catchUpRate * this.o.speed * this.rate) / 1000;
    this.budget = new SendBudget(ratePerMs, this.o.frameSamples, deps.clock.now());
  }

  on(listener: (event: SessionEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'running';
    this.connects.started(this.deps.clock.now());
    this.connect();
  }

  /** Provider-rate mono samples at the real-time head. Never blocks; ignored after finish(). */
  pushAudio(samples: Int16Array): void {
    if (this.phase !== 'idle' && this.phase !== 'running') return;
    if (samples.length === 0) return;
    this.backlog.append(samples);
    const start = this.backlog.startIndex;
    if (this.cursor < start) {
      // Everything from the cursor on was either never sent or sent on a link that died
      // (its text was withdrawn), so all of it is lost.
      this.noteLoss(start - this.cursor);
      // A link catching up skips the lost stretch; its times stay right through the jump.
      const link = this.link;
      if (link?.state === 'ready') link.segments?.jump(link.sent, start);
      this.cursor = start;
    }
    this.pump();
  }

  /** Sends the rest, ends the stream, waits for the provider's flush; idempotent. */
  finish(): Promise<FinishResult> {
    if (this.finishPromise) return this.finishPromise;
    this.finishPromise = new Promise((resolve) => (this.resolveFinish = resolve));
    if (this.phase === 'done') {
      this.settle();
    } else {
      const wasIdle = this.phase === 'idle';
      this.phase = 'finishing';
      this.connects.started(this.deps.clock.now());
      this.status({ kind: 'finishing', provider: this.spec.label });
      if (wasIdle) this.connect();
      else this.pump();
    }
    return this.finishPromise;
  }

  /** Stops at once: no flush, no retry. Idempotent. */
  abort(): void {
    if (this.phase === 'done') return;
    this.shutDown();
    this.status({ kind: 'stopped' });
    this.settle();
  }

  /**
   * Set when audio was captured but no link was ever ready, so none of it was transcribed:
   * the run failed even if it was stopped on purpose. Says why, as the last attempt saw it.
   */
  connectFailure(): ErrorInfo | undefined {
    return this.connects.unsentAudioFailure(this.deps.clock.now(), this.backlog.endIndex);
  }

  /** Ends the session at once: keeps the live link's unfinished text, drops the link, cancels every timer. */
  private shutDown(): void {
    const link = this.link;
    if (this.phase !== 'done') this.keepOpenText(link);
    this.phase = 'done';
    if (link) {
      link.closeRequested = true;
      link.transport.terminate();
      this.endLink(link);
    }
    this.clearSessionTimers();
  }

  stats(): SessionStats {
    return {
      capturedSamples: this.backlog.endIndex,
      sentSamples: this.sentHigh,
      droppedSamples: this.lostSamples,
      backlogSeconds: this.backlog.length / this.rate,
      connections: this.linkCount,
      malformedMessages: this.malformed,
    };
  }

  // ---------------------------------------------------------------- links

  /**
   * New provider options while streaming (a language switch from the tray). The link is
   * replaced by one opened with them, through the same path as a dropped connection: the
   * audio since the last final is sent again on the new link, so nothing said is lost, and
   * the old link's unfinished text is withdrawn and recognised again.
   */
  reconfigure(provider: ProviderOptions): void {
    // Validate before touching anything: a bad option must not cost the running link.
    checkProviderOptions(this.spec, provider);
    this.spec.connectRequest(provider);
    this.o = { ...this.o, provider };
    this.heardLanguage = '';
    // While finishing, the flush on the current link is already under way: keep it.
    if (this.phase !== 'running') return;
    const link = this.link;
    if (link) this.kill(link, 'RECONFIGURING', 'applying the new setting');
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.phase === 'done' || this.phase === 'closing') return;
    const attempt = this.backoff.attempt + 1;
    this.status(
      attempt > 1 && this.connects.lastFailure
        ? { kind: 'connecting', provider: this.spec.label, attempt, reason: this.connects.lastFailure }
        : { kind: 'connecting', provider: this.spec.label, attempt },
    );
    let transport: Transport;
    try {
      transport = this.deps.transport(this.spec.connectRequest(this.o.provider));
    } catch (err) {
      // The request was valid in the constructor, so this is a real configuration problem.
      const info = toErrorInfo(err);
      return this.fatal(info.detail === undefined ? info : { ...info, detail: this.scrub(info.detail) });
    }
    const link = new SessionLink(++this.linkCount, this.target, transport, this.spec.createCodec(this.o.provider), this.deps.clock, (l, e) =>
      this.onTransport(l, e),
    );
    this.link = link;
    const limit = `${Math.round(this.o.connectTimeoutMs / 1000)} s`;
    link.setTimer(
      'connect',
      () =>
        this.kill(
          link,
          'NETWORK',
          link.state === 'connecting'
            ? `no answer within ${limit} (the handshake never completed)`
            : `connected to ${this.target}, but ${this.spec.label} did not say it was ready within ${limit}`,
        ),
      this.o.connectTimeoutMs,
    );
  }

  private onTransport(link: SessionLink, event: TransportEvent): void {
    switch (event.type) {
      case 'open':
        link.markOpen();
        link.startWatchdog(this.o.pingIntervalMs, this.o.deadAfterMs, (silent) =>
          this.kill(link, 'LINK_STALLED', `no answer to pings for ${(silent / 1000).toFixed(1)} s`),
        );
        if (!this.spec.waitForReady) this.onReady(link);
        return;
      case 'message':
        this.onMessage(link, event.data, event.binary);
        return;
      case 'close':
        this.onClosed(link, event.code, event.reason);
        return;
      default:
        // pong, refusal and network errors are bookkept by the link itself.
        return;
    }
  }

  private onReady(link: SessionLink): void {
    if (link.state !== 'open') return;
    link.clearTimer('connect');
    link.state = 'ready';
    this.connects.ready();
    // Every link starts at the backlog's start: the end of the last contiguous final.
    this.cursor = this.backlog.startIndex;
    link.segments = new LinkSegments(link.no, this.cursor, this.rate);
    for (const m of link.codec.start()) link.transport.send(m);
    this.status(this.phase === 'finishing' ? { kind: 'finishing', provider: this.spec.label } : { kind: 'live', provider: this.spec.label });
    if (this.spec.keepAliveMs > 0) link.startKeepAlive(this.spec.keepAliveMs);
    this.pump();
  }

  private onMessage(link: SessionLink, data: string | Buffer, binary: boolean): void {
    let events: ProviderEvent[];
    try {
      events = link.codec.decode(data, binary, { sentSeconds: link.sent / this.rate });
    } catch (err) {
      events = [{ type: 'malformed', detail: `decoder failed: ${err instanceof Error ? err.message : String(err)}` }];
    }
    for (const ev of events) {
      if (link.state === 'ended' || this.phase === 'done') return;
      this.onProviderEvent(link, ev);
    }
  }

  private heardLanguage = '';

  private onProviderEvent(link: SessionLink, ev: ProviderEvent): void {
    switch (ev.type) {
      case 'ready':
        this.onReady(link);
        return;
      case 'segment':
      case 'retract': {
        if (!link.segments) return;
        const sentSeconds = link.sent / this.rate;
        const r = ev.type === 'segment' ? link.segments.upsert(ev, sentSeconds) : link.segments.retract(ev.id);
        if (r.finalEnd !== undefined) this.backlog.trimBefore(Math.min(r.finalEnd, this.cursor));
        // The new link's own text now stands for the audio a dead link had shown.
        if (this.withdrawn.length > 0 && link.segments.showedAny) this.withdrawn = [];
        for (const change of r.changes) this.emit({ type: 'caption', change });
        return;
      }
      case 'speaker':
        for (const change of link.segments?.relabel(ev.id, ev.speaker) ?? []) this.emit({ type: 'caption', change });
        return;
      case 'flushed':
        if (link.eosSent && this.phase === 'finishing') {
          this.flushedOk = true;
          this.complete(link);
        }
        return;
      case 'error':
        if (ev.fatal) return this.fatal(errorInfo(ev.code, this.scrub(ev.detail)));
        link.lastError = ev.code;
        // A server that repeats its complaint on every message gets one line, not a flood.
        if (this.inBand.shouldWarn(ev.code, ev.detail)) this.warn(ev.code, this.inBand.describe(ev.code, ev.detail));
        return;
      case 'language':
        // Each new link says it again; a person hears about a change only.
        if (ev.code !== this.heardLanguage) {
          this.heardLanguage = ev.code;
          this.emit({ type: 'language', code: ev.code });
        }
        return;
      case 'info':
        return;
      case 'malformed': {
        this.malformed++;
        const now = this.deps.clock.now();
        if (now - this.lastProtocolWarnAt >= PROTOCOL_WARN_EVERY_MS) {
          this.lastProtocolWarnAt = now;
          this.warn('PROTOCOL', `${ev.detail} (${this.malformed} so far)`);
        }
        return;
      }
    }
  }

  /** Ends a link ourselves because it failed; its close is then handled as a failure. */
  private kill(link: SessionLink, code: ErrorCode, detail: string): void {
    if (link.ended || link.killedFor) return;
    link.killedFor = { code, detail };
    // ws closes synchronously on terminate, but never trust a dying socket to report back.
    link.setTimer('grace', () => this.onClosed(link, 1006, ''), this.o.closeGraceMs);
    link.transport.terminate();
  }

  private onClosed(link: SessionLink, code: number, reason: string): void {
    if (link.ended) return;
    const uptime = link.uptime();
    this.endLink(link);
    if (link.closeRequested) {
      if (this.phase === 'closing') this.done();
      return;
    }
    if (this.phase === 'done' || this.phase === 'closing') return;

    if (this.phase === 'finishing' && link.eosSent && code === 1000) {
      // The provider ended the stream itself after our end-of-stream (Deepgram's CloseStream):
      // everything it owed has been sent.
      this.flushedOk = true;
      for (const change of link.segments?.promoteAll() ?? []) this.emit({ type: 'caption', change });
      return this.done();
    }
    const judged = link.verdict(this.spec, code, reason);
    const verdict = judged.verdict;
    const detail = this.scrub(judged.detail);
    if (!verdict.retryable) return this.fatalAfter(link, errorInfo(verdict.code, detail));
    const failure = errorInfo(verdict.code, detail);
    const finishedTrying = this.phase === 'finishing' && ++this.finishReconnects > this.o.maxFinishReconnects;
    // Never connected: retrying forever would show "connecting" while the audio goes nowhere.
    const neverConnected = this.connects.failed(failure, finishedTrying);
    if (neverConnected) return this.fatalAfter(link, neverConnected);
    if (finishedTrying) {
      // Giving up: what this link heard is all there will be, so keep it.
      this.warn('FLUSH_TIMEOUT', `the connection failed ${this.finishReconnects} times while finishing; up to ${(this.backlog.length / this.rate).toFixed(1)} s at the end may be missing from the transcript`);
      for (const change of link.segments?.promoteAll() ?? []) this.emit({ type: 'caption', change });
      return this.done();
    }
    const open = link.segments?.openShown() ?? [];
    const retired = link.segments?.retire(this.backlog.startIndex) ?? [];
    const removed = new Set(retired.flatMap((c) => (c.kind === 'remove' ? [c.id] : [])));
    if (removed.size > 0) this.withdrawn = open.filter((s) => removed.has(s.id));
    for (const change of retired) this.emit({ type: 'caption', change });
    this.cursor = this.backlog.startIndex;
    const delay = this.backoff.nextDelay(uptime) + (verdict.minDelayMs ?? 0);
    this.status({
      kind: 'reconnecting',
      provider: this.spec.label,
      attempt: this.backoff.attempt + 1,
      retryInMs: delay,
      backlogSeconds: this.backlog.length / this.rate,
      reason: failure,
    });
    this.reconnectTimer = this.deps.clock.setTimeout(() => this.connect(), delay);
  }

  private endLink(link: SessionLink): void {
    link.end();
    if (this.link === link) this.link = null;
  }

  // ---------------------------------------------------------------- sending

  private pump(): void {
    this.deps.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const link = this.link;
    if (!link || link.state !== 'ready') return;
    const clock = this.deps.clock;
    for (;;) {
      if (this.link !== link || link.state !== 'ready') return;
      const available = this.backlog.endIndex - this.cursor;
      const finishing = this.phase === 'finishing';
      if (available < this.o.frameSamples && !(finishing && available > 0)) break;
      const n = Math.min(this.o.frameSamples, available);
      // A short last frame is padded with silence: some providers reject short frames.
      const wire = Math.max(n, this.o.minFrameSamples);
      const wait = this.budget.waitMs(wire, clock.now());
      if (wait > 0) {
        this.pumpTimer = clock.setTimeout(() => this.pump(), wait);
        return;
      }
      const pcm = wire === n ? this.backlog.read(this.cursor, n) : padded(this.backlog.read(this.cursor, n), wire);
      const before = { cursor: this.cursor, high: this.sentHigh };
      this.budget.take(wire, clock.now());
      this.cursor += n;
      link.sent += n;
      link.lastAudioAt = clock.now();
      this.sentHigh = Math.max(this.sentHigh, this.cursor);
      // State is updated first: a transport may report the link's death from inside send().
      if (!link.transport.send(link.codec.encodeAudio(pcm))) {
        if (this.link === link && link.state === 'ready') {
          this.cursor = before.cursor;
          this.sentHigh = before.high;
          link.sent -= n;
        }
        return;
      }
      for (const m of link.codec.afterAudio?.() ?? []) link.transport.send(m);
    }
    if (this.phase === 'finishing' && this.cursor === this.backlog.endIndex && !link.eosSent) {
      link.eosSent = true;
      for (const m of link.codec.endOfStream()) link.transport.send(m);
      if (this.link === link && link.state === 'ready') {
        link.setTimer('flush', () => this.onFlushTimeout(link), this.spec.flushTimeoutMs);
      }
    }
  }

  // ---------------------------------------------------------------- ending

  private onFlushTimeout(link: SessionLink): void {
    if (link.ended || this.phase !== 'finishing') return;
    // A provider that stays silent when nothing was left to answer (Together after a commit
    // of trailing silence) missed nothing: only text it showed and never finished is a loss.
    if (link.codec.owesText?.() !== false) {
      this.warn('FLUSH_TIMEOUT', `no end-of-stream answer within ${Math.round(this.spec.flushTimeoutMs / 1000)} s`);
    }
    this.complete(link);
  }

  /** The stream is over on `link`: keep what was heard, close it normally. */
  private complete(link: SessionLink): void {
    this.phase = 'closing';
    link.clearTimer('flush');
    for (const change of link.segments?.promoteAll() ?? []) this.emit({ type: 'caption', change });
    if (this.phase !== 'closing') return;
    this.backlog.trimBefore(this.cursor);
    link.closeRequested = true;
    link.setTimer(
      'grace',
      () => {
        link.transport.terminate();
        this.endLink(link);
        this.done();
      },
      this.o.closeGraceMs,
    );
    if (this.spec.clientClosesAfterFlush || !this.flushedOk) link.transport.close(1000, 'done');
  }

  private done(): void {
    if (this.phase === 'done') return;
    if (this.unreportedLoss > 0) {
      this.warn('BACKLOG_OVERFLOW', `${(this.unreportedLoss / this.rate).toFixed(1)} s of audio dropped`);
      this.unreportedLoss = 0;
    }
    this.phase = 'done';
    this.clearSessionTimers();
    this.status({ kind: 'stopped' });
    this.settle();
  }

  /** Fatal because `link` (already ended) failed: what it showed is kept, as final. */
  private fatalAfter(link: SessionLink, error: ErrorInfo): void {
    if (this.phase === 'done') return;
    this.keepOpenText(link);
    this.fatal(error);
  }

  /**
   * Ending early (stop, kill, fatal error): the sentence being spoken stays, as final. That is
   * the open text of `link`, or, if it showed nothing yet, what the link before it showed.
   */
  private keepOpenText(link: SessionLink | null): void {
    for (const change of link?.segments?.promoteAll() ?? []) this.emit({ type: 'caption', change });
    // After a flush the live link's answer is complete: an empty one replaces the old text.
    if (!link?.segments?.showedAny && this.phase !== 'closing') {
      for (const s of this.withdrawn) this.emit({ type: 'caption', change: { kind: 'upsert', segment: { ...s, final: true } } });
    }
    this.withdrawn = [];
  }

  private fatal(error: ErrorInfo): void {
    if (this.phase === 'done') return;
    this.shutDown();
    this.emit({ type: 'fatal', error });
    this.status({ kind: 'error', error });
    this.settle();
  }

  private settle(): void {
    const resolve = this.resolveFinish;
    this.resolveFinish = undefined;
    resolve?.({ flushed: this.flushedOk });
  }

  private clearSessionTimers(): void {
    this.deps.clock.clearTimeout(this.reconnectTimer);
    this.deps.clock.clearTimeout(this.pumpTimer);
    this.reconnectTimer = this.pumpTimer = undefined;
  }

  // ---------------------------------------------------------------- reporting

  private noteLoss(samples: number): void {
    this.lostSamples += samples;
    this.unreportedLoss += samples;
    const now = this.deps.clock.now();
    if (now - this.lastOverflowWarnAt < OVERFLOW_WARN_EVERY_MS) return;
    this.lastOverflowWarnAt = now;
    this.warn('BACKLOG_OVERFLOW', `${(this.unreportedLoss / this.rate).toFixed(1)} s of audio dropped`);
    this.unreportedLoss = 0;
  }

  private warn(code: ErrorCode, detail: string): void {
    this.emit({ type: 'warning', error: errorInfo(code, this.scrub(detail)) });
  }

  private status(status: ConnectionStatus): void {
    this.emit({ type: 'status', status });
  }

  /** The key must never leave in an event, whatever a server echoes back. */
  private scrub(text: string): string {
    const key = this.o.provider.apiKey?.trim();
    return key && key.length >= 4 ? text.split(key).join(redactKey(key)) : text;
  }

  private emit(event: SessionEvent): void {
    notifyAll(this.listeners, event);
  }
}

function padded(pcm: Int16Array, length: number): Int16Array {
  const out = new Int16Array(length);
  out.set(pcm);
  return out;
}
