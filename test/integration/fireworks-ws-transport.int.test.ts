/**
 * WsTransport on real sockets: the event guarantees the session relies on (close exactly
 * once and last, refusals with status and a bounded body, no uncaughtException when a
 * CONNECTING socket is torn down, send never throws).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { createWsTransportFactory, createWsTransport } from '../../main/stt/ws-transport.js';
import type { Transport, TransportEvent } from '../../main/stt/transport.js';

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
beforeAll(() => process.on('uncaughtException', onUncaught));
afterAll(() => {
  process.off('uncaughtException', onUncaught);
});
afterEach(() => expect(uncaught).toEqual([]));

const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

function record(t: Transport) {
  const events: TransportEvent[] = [];
  let resolveClose!: () => void;
  const closed = new Promise<void>((r) => (resolveClose = r));
  t.on((e) => {
    events.push(e);
    if (e.type === 'close') resolveClose();
  });
  return { events, closed, types: () => events.map((e) => e.type) };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    // A client reset must not crash the test process through the server's socket.
    s.on('error', () => undefined);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** An echo server that can also drop or close on command. */
async function echoServer() {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const headers: Record<string, string | string[] | undefined>[] = [];
  wss.on('connection', (ws, req) => {
    headers.push(req.headers);
    ws.on('message', (data, binary) => {
      const text = binary ? '' : data.toString();
      if (text === 'drop') return (ws as unknown as { _socket: Socket })._socket.destroy();
      if (text === 'close') return ws.close(4001, 'bye');
      ws.send(data, { binary });
    });
  });
  const port = await listen(http);
  closers.push(() => {
    for (const c of wss.clients) c.terminate();
  });
  return { url: `ws://127.0.0.1:${port}/x`, headers };
}

describe('WsTransport', () => {
  test('open, headers, binary and text round trip, pong, graceful close exactly once', async () => {
    const srv = await echoServer();
    const t = createWsTransport({ url: srv.url, headers: { Authorization: 'k-123' } });
    const r = record(t);
    expect(t.send('early')).toBe(false);
    while (!t.isOpen) await tick(5);
    expect(t.send(Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(t.send('hello')).toBe(true);
    t.ping();
    await tick(80);
    t.close(1000, 'done');
    t.close(1000, 'again');
    await r.closed;
    t.terminate();
    await tick();
    expect(r.types()).toEqual(['open', 'message', 'message', 'pong', 'close']);
    const [, bin, text] = r.events as [TransportEvent, Extract<TransportEvent, { type: 'message' }>, Extract<TransportEvent, { type: 'message' }>];
    expect(bin.binary).toBe(true);
    expect([...(bin.data as Buffer)]).toEqual([1, 2, 3]);
    expect(text).toMatchObject({ data: 'hello', binary: false });
    expect(r.events[4]).toEqual({ type: 'close', code: 1000, reason: 'done' });
    expect(srv.headers[0]!.authorization).toBe('k-123');
    expect(srv.headers[0]!['sec-websocket-extensions']).toBeUndefined();
    expect(t.send('late')).toBe(false);
    expect(t.isOpen).toBe(false);
  });

  test('server close with a code, and an abrupt drop (1006)', async () => {
    const srv = await echoServer();
    for (const [cmd, code] of [['close', 4001], ['drop', 1006]] as const) {
      const t = createWsTransport({ url: srv.url, headers: {} });
      const r = record(t);
      while (!t.isOpen) await tick(5);
      t.send(cmd);
      await r.closed;
      await tick();
      expect(r.types().filter((x) => x === 'close')).toHaveLength(1);
      expect(r.events[r.events.length - 1]).toMatchObject({ type: 'close', code });
    }
  });

  test('HTTP refusal: handshake-refused with status and a bounded body, then close; no error event', async () => {
    const http = createServer((_req, res) => res.writeHead(426).end());
    http.on('upgrade', (req, socket) => {
      const big = req.url?.includes('big');
      const body = big ? 'x'.repeat(100_000) : '{"error":"unauthorized"}';
      socket.end(`HTTP/1.1 ${big ? 503 : 401} No\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
    const port = await listen(http);
    const t = createWsTransport({ url: `ws://127.0.0.1:${port}/`, headers: {} });
    const r = record(t);
    await r.closed;
    await tick();
    expect(r.types()).toEqual(['handshake-refused', 'close']);
    expect(r.events[0]).toEqual({ type: 'handshake-refused', status: 401, body: '{"error":"unauthorized"}' });
    const big = createWsTransportFactory({ maxRefusalBodyBytes: 512 })({ url: `ws://127.0.0.1:${port}/big`, headers: {} });
    const rb = record(big);
    await rb.closed;
    expect(rb.events[0]).toMatchObject({ type: 'handshake-refused', status: 503 });
    expect((rb.events[0] as { body: string }).body.length).toBe(512);
  });

  test('connection refused: error then close 1006', async () => {
    const probe = createNetServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as AddressInfo).port)));
    await new Promise<void>((r) => probe.close(() => r()));
    const t = createWsTransport({ url: `ws://127.0.0.1:${port}/`, headers: {} });
    const r = record(t);
    await r.closed;
    await tick();
    expect(r.types()).toEqual(['error', 'close']);
    expect(r.events[1]).toMatchObject({ code: 1006 });
  });

  test('close() / terminate() while CONNECTING: one close, no uncaughtException (assemblyai-node-sdk #173)', async () => {
    // A TCP server that accepts and never answers keeps the client in CONNECTING.
    const mute = createNetServer(() => undefined);
    const port = await listen(mute);
    for (const how of ['close', 'terminate', 'both'] as const) {
      const t = createWsTransport({ url: `ws://127.0.0.1:${port}/`, headers: {} });
      const r = record(t);
      await tick(20);
      if (how !== 'terminate') t.close();
      if (how !== 'close') t.terminate();
      await r.closed;
      await tick(50);
      expect(r.types().filter((x) => x === 'close')).toHaveLength(1);
      expect(r.types()[r.types().length - 1]).toBe('close');
    }
    // Torn down in the same tick it was created, too.
    const t = createWsTransport({ url: `ws://127.0.0.1:${port}/`, headers: {} });
    const r = record(t);
    t.terminate();
    await r.closed;
    await tick(50);
    expect(r.types().filter((x) => x === 'close')).toHaveLength(1);
  });

  test('handshake timeout: error then close', async () => {
    const mute = createNetServer(() => undefined);
    const port = await listen(mute);
    const t = createWsTransportFactory({ handshakeTimeoutMs: 150 })({ url: `ws://127.0.0.1:${port}/`, headers: {} });
    const r = record(t);
    await r.closed;
    expect(r.types()).toEqual(['error', 'close']);
    expect((r.events[0] as { message: string }).message).toMatch(/timed out/);
  });

  test('an invalid URL is reported as error + close, not thrown', async () => {
    const t = createWsTransport({ url: 'ws://[nope', headers: {} });
    const r = record(t);
    expect(t.send('x')).toBe(false);
    await r.closed;
    expect(r.types()).toEqual(['error', 'close']);
  });

  test('unsubscribe stops delivery', async () => {
    const srv = await echoServer();
    const t = createWsTransport({ url: srv.url, headers: {} });
    const seen: string[] = [];
    const off = t.on((e) => seen.push(e.type));
    const r = record(t);
    off();
    await new Promise<void>((res) => t.on((e) => e.type === 'open' && res()));
    t.close();
    await r.closed;
    expect(seen).toEqual([]);
  });
});
