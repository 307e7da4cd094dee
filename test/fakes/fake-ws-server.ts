/**
 * The real-socket half shared by every fake provider server (stt-protocols.md §1-5): an HTTP
 * server on 127.0.0.1:0 that answers plain requests with 426, checks the upgrade's path and
 * Authorization header, refuses with a raw HTTP response and a JSON body, records every
 * attempt and connection, and tears every socket down on close(). What a provider says on
 * the socket lives in its own file, which gets one Link per accepted socket.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type Json = Record<string, unknown>;

/** What the harness needs of a provider's responder. */
export interface ResponderLike {
  readonly violations: string[];
  /** Samples heard so far: where scripted faults fire. */
  readonly samples: number;
  readonly recognizer: { readonly inWord: boolean };
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  /** 101, or the HTTP status the handshake was refused with. */
  status: number;
  authorization: string | undefined;
  query: URLSearchParams;
}

export interface ConnectionBase {
  attempt: number;
  query: URLSearchParams;
  authorization: string | undefined;
  openedAt: number;
  closedAt: number | undefined;
  closeCode: number | undefined;
  closedBy: 'server' | 'client' | undefined;
  /** The kind of the scripted fault that fired on this connection. */
  fault: string | undefined;
}

export interface ConnectionRecord<R extends ResponderLike> extends ConnectionBase {
  responder: R;
}

export interface FakeWsServer<C> {
  /** ws://127.0.0.1:PORT/path */
  readonly url: string;
  readonly attempts: AttemptRecord[];
  readonly connections: C[];
  /** Every protocol violation seen on any connection. */
  violations(): string[];
  close(): Promise<void>;
}

/** What a test scripts for one connection attempt. */
export interface AttemptScript<F> {
  /** Refuse the handshake with this HTTP status. */
  handshake?: number;
  fault?: F;
}

/** The options every provider's fake server takes. */
export interface ServerOptions<S> {
  apiKey: string;
  /** What to do on connection attempt n (0-based, counting refused ones). */
  script?: (attempt: number) => S | undefined;
}

/** A fault that fires once the responder has heard `afterSamples` (inside a word with `midWord`). */
export interface ScriptedFault {
  kind: string;
  afterSamples: number;
  midWord?: boolean;
}

/** One accepted socket, as a provider's fake drives it. */
export interface Link<C> {
  readonly record: C;
  /** The key was wrong but the socket opened anyway (`acceptBadKey`): refuse it in-band. */
  readonly badKey: boolean;
  /** Nothing more is sent or handled: the server closed, dropped or muted the link. */
  readonly silent: boolean;
  /** JSON text frames, unless silent. */
  send(messages: readonly Json[]): void;
  /** Client messages, delivered while the link is not silent. */
  onMessage(handler: (data: Buffer, isBinary: boolean) => void): void;
  /** A close handshake started by the server. */
  close(code: number, reason?: string): void;
  /** Destroy the TCP socket without a close frame: the client sees 1006. */
  drop(): void;
  /** Answer nothing more, pings included, and leave the socket open: a stalled, half-open link. */
  mute(): void;
  /** A timer that dies with the connection and with the server; returns its cancel. */
  setTimeout(fn: () => void, ms: number): () => void;
  /** `fault` once it is due on this live link (marked as fired), else undefined. */
  due<F extends ScriptedFault>(fault: F | undefined): F | undefined;
}

export interface FakeWsServerOptions<C, S> {
  path: string;
  /** The Authorization header a right key produces. */
  authorization: string;
  /** A wrong key opens the socket anyway (the provider refuses in-band) instead of HTTP 401. */
  acceptBadKey?: boolean;
  /** The JSON body of a refused handshake. */
  refusalBody(status: number): unknown;
  /** What to do on connection attempt n (0-based, counting refused ones). */
  script?: (attempt: number) => S | undefined;
  /** The record of an accepted connection: the base fields plus the provider's responder. */
  connection(base: ConnectionBase): C;
  /** Speaks the provider's protocol on one accepted socket. */
  serve(link: Link<C>, script: S | undefined): void;
}

export async function startFakeWsServer<C extends ConnectionRecord<ResponderLike>, S extends { handshake?: number }>(
  options: FakeWsServerOptions<C, S>,
): Promise<FakeWsServer<C>> {
  const now = () => performance.now();
  const attempts: AttemptRecord[] = [];
  const connections: C[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  // Pongs are sent by hand so that a muted link stops answering pings too (ws would resume a
  // paused socket whenever its receiver drains, so pausing the socket is not enough).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false });
  const http = createServer((_req, res) => res.writeHead(426).end());
  http.on('connection', (s: Socket) => {
    // Clients reset connections on purpose (terminate): never an uncaught error here.
    s.on('error', () => undefined);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const attempt = attempts.length;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorization = req.headers.authorization;
    const script = options.script?.(attempt);
    const badKey = authorization !== options.authorization;
    const status = url.pathname !== options.path ? 404 : badKey && !options.acceptBadKey ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, at: now(), status, authorization, query: url.searchParams });
    if (status !== 101) {
      const body = JSON.stringify(options.refusalBody(status));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const base: ConnectionBase = { attempt, query: url.searchParams, authorization, openedAt: now(), closedAt: undefined, closeCode: undefined, closedBy: undefined, fault: undefined };
      onConnection(ws, socket, options.connection(base), badKey, script);
    });
  });

  function onConnection(ws: WebSocket, socket: Socket, record: C, badKey: boolean, script: S | undefined): void {
    connections.push(record);
    const mine = new Set<NodeJS.Timeout>();
    let silent = false;
    ws.on('error', () => undefined);
    ws.on('ping', (data) => {
      if (!silent) ws.pong(data);
    });
    ws.on('close', (code) => {
      record.closedAt = now();
      record.closeCode ??= code;
      record.closedBy ??= 'client';
      for (const t of mine) {
        clearTimeout(t);
        timers.delete(t);
      }
    });
    const link: Link<C> = {
      record,
      badKey,
      get silent() {
        return silent;
      },
      send(messages) {
        if (!silent) for (const m of messages) ws.send(JSON.stringify(m));
      },
      onMessage(handler) {
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (!silent) handler(data, isBinary);
        });
      },
      close(code, reason = '') {
        if (silent) return;
        silent = true;
        record.closedBy = 'server';
        record.closeCode = code;
        ws.close(code, reason);
      },
      drop() {
        silent = true;
        record.closedBy = 'server';
        record.closeCode = 1006;
        socket.destroy();
      },
      mute() {
        silent = true;
      },
      setTimeout(fn, ms) {
        const t = setTimeout(() => {
          mine.delete(t);
          timers.delete(t);
          fn();
        }, ms);
        mine.add(t);
        timers.add(t);
        return () => {
          clearTimeout(t);
          mine.delete(t);
          timers.delete(t);
        };
      },
      due(fault) {
        if (silent || !fault || record.fault || record.responder.samples < fault.afterSamples) return undefined;
        if (fault.midWord && !record.responder.recognizer.inWord) return undefined;
        record.fault = fault.kind;
        return fault;
      },
    };
    options.serve(link, script);
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}${options.path}`,
    attempts,
    connections,
    violations: () => connections.flatMap((c) => c.responder.violations.map((v) => `connection ${c.attempt}: ${v}`)),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
