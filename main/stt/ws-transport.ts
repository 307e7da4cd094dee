/**
 * The one file that imports `ws`. Turns a WebSocket into the Transport port with the
 * guarantees the session relies on: `close` exactly once and always last, `error` and
 * `handshake-refused` only before it, `send` never throws, no automatic reconnect.
 *
 * The `error` listener is never removed from the socket: ws reports the failure of an
 * aborted handshake on the next tick, and an emitter without an `error` listener turns that
 * into an uncaughtException (assemblyai-node-sdk PR #173).
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { systemClock, type Clock, type TimerHandle, type Unsubscribe } from '../util/clock.js';
import { notifyAll } from '../util/listeners.js';
import { describeNetworkError } from './network-errors.js';
import type { ConnectRequest, Transport, TransportEvent, TransportFactory, WireMessage } from './transport.js';

export interface WsTransportOptions {
  /** Limit for TCP + TLS + HTTP upgrade. */
  handshakeTimeoutMs?: number;
  /** Bytes of a refused handshake's body kept for the error message. */
  maxRefusalBodyBytes?: number;
  /** How long to wait for that body before reporting the refusal anyway. */
  refusalBodyTimeoutMs?: number;
  /** Largest message accepted from the server. */
  maxPayloadBytes?: number;
  clock?: Clock;
}

class WsTransport implements Transport {
  private readonly listeners = new Set<(e: TransportEvent) => void>();
  private readonly ws: WebSocket | null;
  private closed = false;
  private errored = false;
  private refusal: { status: number; body: string; reported: boolean } | null = null;
  private refusalTimer: TimerHandle | undefined;

  constructor(
    request: ConnectRequest,
    private readonly options: Required<WsTransportOptions>,
  ) {
    let ws: WebSocket | null = null;
    try {
      ws = new WebSocket(request.url, request.protocols ?? [], {
        headers: request.headers,
        perMessageDeflate: false,
        handshakeTimeout: options.handshakeTimeoutMs,
        maxPayload: options.maxPayloadBytes,
        followRedirects: false,
      });
    } catch (err) {
      // Invalid URL or options: report like a network failure, after the caller subscribed.
      const message = err instanceof Error ? describeNetworkError(err) : String(err);
      queueMicrotask(() => {
        this.fail(message);
        this.emitClose(1006, '');
      });
    }
    this.ws = ws;
    if (!ws) return;
    ws.on('error', (err: Error) => this.fail(describeNetworkError(err)));
    ws.on('open', () => this.emit({ type: 'open' }));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.emit({ type: 'message', data: isBinary ? buf : buf.toString('utf8'), binary: isBinary });
    });
    ws.on('pong', () => this.emit({ type: 'pong' }));
    ws.on('unexpected-response', (_req, res) => this.onRefused(res));
    ws.on('close', (code: number, reason: Buffer) => this.emitClose(code, reason.toString('utf8')));
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  get isOpen(): boolean {
    return !this.closed && this.ws?.readyState === WebSocket.OPEN;
  }

  send(data: WireMessage): boolean {
    if (!this.isOpen) return false;
    try {
      // The callback keeps write errors away from the socket's error path; the close that
      // follows a failed write is what the session acts on.
      this.ws!.send(data, () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  ping(): void {
    if (!this.isOpen) return;
    try {
      this.ws!.ping();
    } catch {
      // A ping on a dying socket is irrelevant: its close is on the way.
    }
  }

  close(code = 1000, reason = ''): void {
    const ws = this.ws;
    if (!ws || this.closed || ws.readyState === WebSocket.CLOSED) return;
    try {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    } catch {
      this.terminate();
    }
  }

  terminate(): void {
    const ws = this.ws;
    if (!ws || this.closed || ws.readyState === WebSocket.CLOSED) return;
    try {
      ws.terminate();
    } catch {
      // Already torn down; `close` still arrives from ws.
    }
  }

  on(listener: (event: TransportEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onRefused(res: IncomingMessage): void {
    const refusal = (this.refusal = { status: res.statusCode ?? 0, body: '', reported: false });
    const max = this.options.maxRefusalBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      this.options.clock.clearTimeout(this.refusalTimer);
      if (refusal.reported) return;
      refusal.body = Buffer.concat(chunks).toString('utf8').slice(0, max);
      this.reportRefusal();
      res.removeAllListeners('data');
      res.on('error', () => undefined);
      res.destroy();
      // Still CONNECTING: ws aborts the request and emits error + close on the next tick.
      this.terminate();
    };
    res.on('data', (chunk: Buffer) => {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
      if (size >= max) done();
    });
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
    this.refusalTimer = this.options.clock.setTimeout(done, this.options.refusalBodyTimeoutMs);
  }

  private reportRefusal(): void {
    const r = this.refusal;
    if (!r || r.reported || this.closed) return;
    r.reported = true;
    this.emit({ type: 'handshake-refused', status: r.status, body: r.body });
  }

  private fail(message: string): void {
    // After a refusal the abort error from ws is an echo of it, not news.
    if (this.closed || this.errored || this.refusal) return;
    this.errored = true;
    this.emit({ type: 'error', message });
  }

  private emitClose(code: number, reason: string): void {
    if (this.closed) return;
    this.reportRefusal();
    this.options.clock.clearTimeout(this.refusalTimer);
    this.closed = true;
    this.deliver({ type: 'close', code, reason });
    this.listeners.clear();
  }

  private emit(event: TransportEvent): void {
    if (!this.closed) this.deliver(event);
  }

  private deliver(event: TransportEvent): void {
    // A listener bug must not break the close-exactly-once promise.
    notifyAll(this.listeners, event);
  }
}

export function createWsTransportFactory(options: WsTransportOptions = {}): TransportFactory {
  const resolved: Required<WsTransportOptions> = {
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    maxRefusalBodyBytes: options.maxRefusalBodyBytes ?? 2048,
    refusalBodyTimeoutMs: options.refusalBodyTimeoutMs ?? 2_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 16 * 1024 * 1024,
    clock: options.clock ?? systemClock,
  };
  return (request) => new WsTransport(request, resolved);
}

/** The production transport with default limits. */
export const createWsTransport: TransportFactory = createWsTransportFactory();
