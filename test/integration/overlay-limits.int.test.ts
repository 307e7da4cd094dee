/**
 * Connection limits of the overlay server on real sockets: whatever a client does with its
 * socket (nothing at all, half a request, a request and then silence, or a flood), the
 * server closes it in bounded time or turns it away, while a real event stream stays open
 * past the idle limit because heartbeats keep it alive.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STYLE } from '../../shared/overlay-style.js';
import { startOverlayServer, type OverlayServer, type OverlayServerOptions } from '../../main/overlay/overlay-server.js';
import { overlayUrls } from '../../main/overlay/overlay-urls.js';

const TOKEN = 'limits-token-0123456';
let servers: OverlayServer[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(extra: Partial<OverlayServerOptions>): Promise<OverlayServer> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-limits-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'overlay.html'), '<!doctype html>');
  const server = await startOverlayServer({
    port: 0, token: TOKEN, staticDir: dir,
    getSnapshot: () => ({ rev: 0, segments: [] }), getStyle: () => DEFAULT_STYLE, ...extra,
  });
  servers.push(server);
  return server;
}

interface Probe { socket: Socket; closedAt: Promise<number>; received: () => string }

/** Opens a raw socket, sends `send` (if any) once connected, and records when the server closes it. */
function probe(s: OverlayServer, send?: string): Probe {
  const socket = connect(s.port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  socket.on('data', (d) => (data += d.toString('latin1')));
  socket.on('error', () => undefined);
  if (send !== undefined) socket.on('connect', () => socket.write(send));
  const t0 = Date.now();
  return { socket, closedAt: new Promise((resolve) => socket.on('close', () => resolve(Date.now() - t0))), received: () => data };
}

const IDLE = 600;

describe('overlay server connection limits', () => {
  it.each([
    ['sends nothing', undefined],
    ['sends half a request line', 'GET /api/snap'],
    ['sends a request line and some headers but never the end', `GET /api/snapshot?token=${TOKEN} HTTP/1.1\r\nHost: x\r\n`],
    ['sends one byte and stops', 'G'],
  ])('closes a client that %s within the idle limit', async (_name, send) => {
    const s = await start({ idleTimeoutMs: IDLE });
    const p = probe(s, send);
    const closedAfter = await p.closedAt;
    // Closed by the server in bounded time (the check runs every IDLE/2).
    expect(closedAfter).toBeLessThan(IDLE * 4);
  });

  it('closes an idle keep-alive connection after a finished request', async () => {
    const s = await start({ idleTimeoutMs: IDLE });
    const p = probe(s, `GET /api/snapshot?token=${TOKEN} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    expect(await p.closedAt).toBeLessThan(IDLE * 4);
    expect(p.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps an event stream open past the idle limit: heartbeats keep it alive', async () => {
    const s = await start({ idleTimeoutMs: IDLE, heartbeatMs: 150 });
    const p = probe(s, `GET /api/events?token=${TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n`);
    let closed = false;
    void p.closedAt.then(() => (closed = true));
    await new Promise((r) => setTimeout(r, IDLE * 5));
    expect(closed).toBe(false);
    expect(p.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(p.received()).toContain(': heartbeat');
    s.publish('status', { kind: 'stopped' });
    await new Promise((r) => setTimeout(r, 50));
    expect(p.received()).toContain('event: status');
  });

  it('turns sockets past the cap away at once, and serves again once the flood is gone', async () => {
    const s = await start({ idleTimeoutMs: 60_000, maxConnections: 10 });
    const flood = Array.from({ length: 200 }, () => probe(s));
    const closedAt = await Promise.race([
      Promise.all(flood.slice(10).map((p) => p.closedAt)),
      new Promise<null>((r) => setTimeout(() => r(null), 5000)),
    ]);
    expect(closedAt, 'sockets past the cap were not closed').not.toBeNull();
    // While the cap is held, a new page is turned away rather than queued for ever...
    const blocked = probe(s, `GET /api/snapshot?token=${TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await blocked.closedAt;
    expect(blocked.received()).toBe('');
    // ...and served once the held sockets go.
    for (const p of flood) p.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`http://127.0.0.1:${s.port}/api/snapshot?token=${TOKEN}`);
    expect(res.status).toBe(200);
  });
});

describe('overlay URLs', () => {
  const nics = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '::1', family: 'IPv6', internal: true }],
    eth0: [{ address: '192.0.2.7', family: 'IPv4', internal: false }, { address: 'fe80::1', family: 'IPv6', internal: false }, { address: '2001:db8::7', family: 'IPv6', internal: false }],
  } as unknown as Parameters<typeof overlayUrls>[3];

  it.each([
    ['127.0.0.1', 'http://127.0.0.1:9/overlay?token=t', [], false],
    ['localhost', 'http://localhost:9/overlay?token=t', [], false],
    ['::1', 'http://[::1]:9/overlay?token=t', [], false],
    ['0.0.0.0', 'http://127.0.0.1:9/overlay?token=t', ['http://192.0.2.7:9/overlay?token=t'], true],
    ['::', 'http://[::1]:9/overlay?token=t', ['http://192.0.2.7:9/overlay?token=t', 'http://[2001:db8::7]:9/overlay?token=t'], true],
    ['192.0.2.7', 'http://192.0.2.7:9/overlay?token=t', ['http://192.0.2.7:9/overlay?token=t'], true],
  ])('bind %s: local %s, remote %j, exposed %s', (host, local, remote, exposed) => {
    expect(overlayUrls(host, 9, 't', nics)).toEqual({ local, remote, exposed });
  });

  it('a wildcard bind is reachable at the printed remote URL', async () => {
    const s = await start({ host: '0.0.0.0' });
    expect(s.exposed).toBe(true);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/overlay?token=${TOKEN}`);
    for (const url of s.remoteUrls) {
      const res = await fetch(url.replace('/overlay?', '/api/snapshot?'));
      expect(res.status, url).toBe(200);
    }
  });
});
