/**
 * The network port of a streaming session. `ws-transport.ts` is the only file that
 * imports `ws`; tests use a fake or a real loopback server.
 */
import type { Unsubscribe } from '../util/clock.js';

export type WireMessage = string | Uint8Array;

export interface ConnectRequest {
  url: string;
  headers: Record<string, string>;
  protocols?: string[];
}

export type TransportEvent =
  | { type: 'open' }
  | { type: 'message'; data: string | Buffer; binary: boolean }
  | { type: 'pong' }
  /** A refusal during the HTTP handshake (e.g. 401, 403, 503). Followed by `close`. */
  | { type: 'handshake-refused'; status: number; body: string }
  /** A network-level failure (DNS, reset, TLS). Followed by `close`. */
  | { type: 'error'; message: string }
  /** Always the last event, exactly once. `code` 1006 when there was no close frame. */
  | { type: 'close'; code: number; reason: string };

export interface Transport {
  /** Sends if open; returns false (and sends nothing) otherwise. Never throws. */
  send(data: WireMessage): boolean;
  /** Bytes queued in the socket but not yet written. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  ping(): void;
  /** Graceful close; idempotent. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once; idempotent; still emits `close`. */
  terminate(): void;
  on(listener: (event: TransportEvent) => void): Unsubscribe;
}

export type TransportFactory = (request: ConnectRequest) => Transport;
