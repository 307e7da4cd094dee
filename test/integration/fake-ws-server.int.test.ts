/**
 * The socket harness under every fake provider server, on real loopback sockets: the
 * handshake rules and refusals, the attempt and connection records, and the link actions
 * the fault scripts use (a muted link must stop answering pings while its socket stays open).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeWsServer, type AttemptScript, type ConnectionRecord, type FakeWsServer, type Link } from '../fakes/fake-ws-server.js';

class EchoResponder {
  readonly violations: string[] = [];
  samples = 0;
  readonly recognizer = { inWord: false };
}

type Fault = { kind: 'drop' | 'mute' | 'close'; afterSamples: number };
type Connection = ConnectionRecord<EchoResponder>;

const servers: FakeWsServer<Connection>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Echoes text; each binary message counts its bytes as samples, then the scripted fault may fire. */
async function start(script?: (n: number) => AttemptScript<Fault> | undefined, acceptBadKey = false): Promise<FakeWsServer<Connection>> {
  const server = await startFakeWsServer<Connection, AttemptScript<Fault>>({
    path: '/v1/echo',
    authorization: 'Bearer good',
    acceptBadKey,
    refusalBody: (status) => ({ error: `refused ${status}` }),
    script,
    connection: (base) => ({ ...base, responder: new EchoResponder() }),
    serve: (link: Link<Connection>, s) => {
      if (link.badKey) link.send([{ error: 'bad key' }]);
      link.onMessage((data, isBinary) => {
        if (!isBinary) return link.send([{ echo: data.toString() }]);
        link.record.responder.samples += data.length;
        const fault = link.due(s?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'mute') link.mute();
        else if (fault?.kind === 'close') link.close(4000, 'scripted');
      });
    },
  });
  servers.push(server);
  return server;
}

function connect(url: string, key = 'good'): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` } });
  const messages: unknown[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('error', reject);
  });
}

function status(url: string, path: string, key: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Authorization: key } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', () => reject(new Error('unexpected upgrade')));
    req.on('error', reject);
    req.end();
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('fake ws server harness', () => {
  it('refuses a wrong path (404), a wrong key (401) and a scripted status, with the JSON body, and records each attempt', async () => {
    const server = await start((n) => (n === 2 ? { handshake: 503 } : undefined));
    expect(await status(server.url, '/v1/other', 'Bearer good')).toEqual({ status: 404, body: '{"error":"refused 404"}' });
    expect(await status(server.url, '/v1/echo?x=1', 'Bearer bad')).toEqual({ status: 401, body: '{"error":"refused 401"}' });
    expect((await status(server.url, '/v1/echo', 'Bearer good')).status).toBe(503);
    expect(server.attempts.map((a) => [a.attempt, a.status, a.authorization])).toEqual([[0, 404, 'Bearer good'], [1, 401, 'Bearer bad'], [2, 503, 'Bearer good']]);
    expect(server.attempts[1]!.query.get('x')).toBe('1');
    expect(server.connections).toEqual([]);
  });

  it('answers a plain HTTP request with 426', async () => {
    const { port } = new URL((await start()).url);
    const code = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port, path: '/' }, (res) => resolve(res.statusCode ?? 0)).end());
    expect(code).toBe(426);
  });

  it('opens a socket for a wrong key when the provider refuses in-band', async () => {
    const server = await start(undefined, true);
    const c = await connect(server.url, 'bad');
    await until(() => c.messages.length > 0);
    expect(c.messages).toEqual([{ error: 'bad key' }]);
    c.ws.close();
    expect(await c.closed).toBe(1005);
    await until(() => server.connections[0]!.closeCode !== undefined);
    expect(server.connections[0]).toMatchObject({ authorization: 'Bearer bad', closedBy: 'client' });
  });

  it('a dropped link ends without a close frame (1006); the fault fires once', async () => {
    const server = await start(() => ({ fault: { kind: 'drop', afterSamples: 4 } }));
    const c = await connect(server.url);
    c.ws.send(Buffer.alloc(2));
    c.ws.send('hi');
    await until(() => c.messages.length > 0);
    c.ws.send(Buffer.alloc(2));
    expect(await c.closed).toBe(1006);
    expect(c.messages).toEqual([{ echo: 'hi' }]);
    expect(server.connections[0]).toMatchObject({ fault: 'drop', closeCode: 1006, closedBy: 'server' });
  });

  it('a server close is recorded with its code', async () => {
    const server = await start(() => ({ fault: { kind: 'close', afterSamples: 1 } }));
    const c = await connect(server.url);
    c.ws.send(Buffer.alloc(2));
    expect(await c.closed).toBe(4000);
    expect(server.connections[0]).toMatchObject({ fault: 'close', closeCode: 4000, closedBy: 'server' });
  });

  it('a muted link answers neither messages nor pings, and its socket stays open', async () => {
    const server = await start(() => ({ fault: { kind: 'mute', afterSamples: 1 } }));
    const c = await connect(server.url);
    let pongs = 0;
    c.ws.on('pong', () => pongs++);
    c.ws.ping();
    await until(() => pongs === 1);
    expect(pongs).toBe(1);
    c.ws.send(Buffer.alloc(2));
    c.ws.send('anyone?');
    c.ws.ping();
    await new Promise((r) => setTimeout(r, 300));
    expect(pongs).toBe(1);
    expect(c.messages).toEqual([]);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.connections[0]).toMatchObject({ fault: 'mute', closeCode: undefined });
    c.ws.terminate();
  });
});

