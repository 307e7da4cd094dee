/**
 * An in-memory Transport for unit tests. The test plays the server: it opens, refuses,
 * drops or stalls each link and sends messages; everything the client sends is recorded.
 * Client-initiated closes are delivered through the injected clock (0 ms) when one is given,
 * like ws does asynchronously, or synchronously otherwise (to catch re-entrancy bugs).
 */
import type { Clock, Unsubscribe } from '../../main/util/clock.js';
import type { ConnectRequest, Transport, TransportEvent, TransportFactory, WireMessage } from '../../main/stt/transport.js';

export interface SentRecord {
  data: WireMessage;
  at: number;
  binary: boolean;
}

export class FakeLink implements Transport {
  readonly sent: SentRecord[] = [];
  pings = 0;
  /** How the client ended the link: close code, 'terminate', or undefined. */
  closedByClient: number | 'terminate' | undefined;
  /** Set by the test to react to what the client sends (e.g. a protocol responder). */
  onClientSend: ((data: WireMessage, binary: boolean) => void) | undefined;
  /** When true, pings are answered with a pong automatically. */
  autoPong = true;
  private listeners = new Set<(e: TransportEvent) => void>();
  private state: 'connecting' | 'open' | 'closed' = 'connecting';

  constructor(
    readonly request: ConnectRequest,
    readonly index: number,
    private readonly clock: Clock | undefined,
  ) {}

  // ---- Transport (client side) ----
  get isOpen(): boolean {
    return this.state === 'open';
  }
  get isClosed(): boolean {
    return this.state === 'closed';
  }
  bufferedAmount = 0;

  send(data: WireMessage): boolean {
    if (this.state !== 'open') return false;
    const binary = typeof data !== 'string';
    // Copy: the caller may reuse its buffer.
    const copy = typeof data === 'string' ? data : new Uint8Array(data);
    this.sent.push({ data: copy, at: this.clock?.now() ?? 0, binary });
    this.onClientSend?.(copy, binary);
    return true;
  }

  ping(): void {
    if (this.state !== 'open') return;
    this.pings++;
    if (this.autoPong) this.emit({ type: 'pong' });
  }

  close(code = 1000, reason = ''): void {
    if (this.state === 'closed' || this.closedByClient !== undefined) return;
    this.closedByClient = code;
    this.finish(this.state === 'open' ? code : 1006, this.state === 'open' ? reason : '');
  }

  terminate(): void {
    if (this.state === 'closed' || this.closedByClient !== undefined) return;
    this.closedByClient = 'terminate';
    this.finish(1006, '');
  }

  on(listener: (event: TransportEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- server side, driven by the test ----
  open(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.emit({ type: 'open' });
  }

  /** Delivers a server message; objects are sent as JSON text. */
  receive(message: string | object | Uint8Array): void {
    if (this.state !== 'open') return;
    if (message instanceof Uint8Array) this.emit({ type: 'message', data: Buffer.from(message), binary: true });
    else this.emit({ type: 'message', data: typeof message === 'string' ? message : JSON.stringify(message), binary: false });
  }

  pong(): void {
    if (this.state === 'open') this.emit({ type: 'pong' });
  }

  refuse(status: number, body = ''): void {
    if (this.state !== 'connecting') return;
    this.emit({ type: 'handshake-refused', status, body });
    this.state = 'closed';
    this.emit({ type: 'close', code: 1006, reason: '' });
  }

  /** Network failure: `error` then `close` 1006. */
  fail(message = 'ECONNRESET'): void {
    if (this.state === 'closed') return;
    this.emit({ type: 'error', message });
    this.state = 'closed';
    this.emit({ type: 'close', code: 1006, reason: '' });
  }

  /** Server-side close (with a close frame) or an abrupt drop (code 1006). */
  drop(code = 1006, reason = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit({ type: 'close', code, reason });
  }

  /** Binary audio frames the client sent, as int16 samples. */
  audioFrames(): Int16Array[] {
    return this.sent
      .filter((s) => s.binary)
      .map((s) => {
        const bytes = s.data as Uint8Array;
        return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      });
  }

  /** Text messages the client sent. */
  texts(): string[] {
    return this.sent.filter((s) => !s.binary).map((s) => s.data as string);
  }

  private finish(code: number, reason: string): void {
    const deliver = () => {
      if (this.state === 'closed') return;
      this.state = 'closed';
      this.emit({ type: 'close', code, reason });
    };
    if (this.clock) this.clock.setTimeout(deliver, 0);
    else deliver();
  }

  private emit(e: TransportEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}

export class FakeTransportHub {
  readonly links: FakeLink[] = [];
  /** Called for each new link, e.g. to open it at once or attach a responder. */
  onConnect: ((link: FakeLink) => void) | undefined;

  constructor(private readonly clock?: Clock) {}

  readonly factory: TransportFactory = (request) => {
    const link = new FakeLink(request, this.links.length, this.clock);
    this.links.push(link);
    this.onConnect?.(link);
    return link;
  };

  get last(): FakeLink {
    const link = this.links[this.links.length - 1];
    if (!link) throw new Error('no link yet');
    return link;
  }

  /** Links not yet closed (the session must never hold more than one). */
  openCount(): number {
    return this.links.filter((l) => !l.isClosed).length;
  }
}
