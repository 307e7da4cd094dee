/**
 * Server-Sent Events fan-out for the browser overlay. Each event is serialised once and
 * written to every client. A client that does not read (a frozen tab, a stalled network)
 * is disconnected once its unsent bytes pass a bound, instead of growing the server's
 * memory; EventSource reconnects and the page re-reads the snapshot on the revision gap.
 */
import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../util/clock.js';

export interface SseHubOptions {
  clock: Clock;
  /** A comment line this often keeps proxies and idle-timeouts from closing the stream. */
  heartbeatMs: number;
  /** Unsent bytes allowed per client before it is disconnected. */
  maxQueuedBytes: number;
  maxClients: number;
  /** Told about each slow client dropped. */
  onSlowClient?: (queuedBytes: number) => void;
}

export interface SseHubStats {
  clients: number;
  eventsSent: number;
  slowClientsDropped: number;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: TimerHandle | undefined;
  private eventsSent = 0;
  private slowDropped = 0;
  private closed = false;

  constructor(private readonly options: SseHubOptions) {}

  /** Takes over `res` as an event stream; false when the hub is full or closed. */
  add(res: ServerResponse, initialEvents: string[]): boolean {
    if (this.closed || this.clients.size >= this.options.maxClients) return false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.write(res, `retry: 2000\n\n${initialEvents.join('')}`);
    this.scheduleHeartbeat();
    return true;
  }

  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const chunk = formatEvent(event, data);
    this.eventsSent++;
    for (const res of [...this.clients]) this.write(res, chunk);
  }

  stats(): SseHubStats {
    return { clients: this.clients.size, eventsSent: this.eventsSent, slowClientsDropped: this.slowDropped };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.clock.clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(res: ServerResponse, chunk: string): void {
    if (!this.clients.has(res)) return;
    res.write(chunk);
    // writableLength includes what the socket has not flushed to the kernel yet.
    const queued = res.writableLength;
    if (queued > this.options.maxQueuedBytes) {
      this.clients.delete(res);
      this.slowDropped++;
      res.destroy();
      this.options.onSlowClient?.(queued);
    }
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeat !== undefined || this.closed) return;
    this.heartbeat = this.options.clock.setTimeout(() => {
      this.heartbeat = undefined;
      if (this.clients.size === 0) return;
      for (const res of [...this.clients]) this.write(res, ': heartbeat\n\n');
      this.scheduleHeartbeat();
    }, this.options.heartbeatMs);
  }
}

/** JSON never contains a raw newline, so one data line is enough. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
