import { get, request, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyDiff, type CaptionDiff, type CaptionSnapshot } from '../../shared/captions.js';
import { DEFAULT_STYLE } from '../../shared/overlay-style.js';
import { CaptionStore } from '../../main/captions/caption-store.js';
import { DiffCoalescer } from '../../main/captions/diff-coalescer.js';
import { startOverlayServer, type OverlayServer, type OverlayServerOptions } from '../../main/overlay/overlay-server.js';
import { systemClock } from '../../main/util/clock.js';
import { FakeClock } from '../fakes/fake-clock.js';

const TOKEN = 'integration-token-0123';
const HTML = '<!doctype html><title>overlay</title><script type="module" src="./assets/overlay.js"></script>';

function staticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-overlay-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'overlay.html'), HTML);
  writeFileSync(join(dir, 'assets', 'overlay.js'), 'console.log(1)');
  writeFileSync(join(dir, 'settings.json'), '{"apiKey":"not for you"}');
  return dir;
}

let servers: OverlayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(extra: Partial<OverlayServerOptions> = {}): Promise<OverlayServer> {
  const server = await startOverlayServer({
    port: 0,
    token: TOKEN,
    staticDir: staticDir(),
    getSnapshot: () => ({ rev: 7, segments: [{ id: '1:0', text: 'hello', start: 0, end: 1, final: true }] }),
    getStyle: () => DEFAULT_STYLE,
    ...extra,
  });
  servers.push(server);
  return server;
}

const base = (s: OverlayServer) => `http://127.0.0.1:${s.port}`;

/** Sends a path exactly as written (fetch would normalise ../). */
function rawGet(s: OverlayServer, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface SseEvent { event: string; data: unknown }

/** A minimal EventSource: parses the stream as it arrives, keeps comments apart. */
class SseReader {
  events: SseEvent[] = [];
  comments: string[] = [];
  ended = false;
  private buffer = '';
  private waiters: (() => void)[] = [];
  private constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buffer += chunk;
      let cut: number;
      while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
        this.parse(this.buffer.slice(0, cut));
        this.buffer = this.buffer.slice(cut + 2);
      }
      this.wake();
    });
    res.on('close', () => { this.ended = true; this.wake(); });
  }
  static open(url: string): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      get(url, (res) => (res.statusCode === 200 ? resolve(new SseReader(res)) : reject(new Error(`status ${res.statusCode}`)))).on('error', reject);
    });
  }
  async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for events');
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }
  of(event: string): unknown[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }
  close(): void { this.res.destroy(); }
  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

describe('overlay server', () => {
  it('binds 127.0.0.1 by default and prints the full URL with the token', async () => {
    const s = await start();
    expect(s.host).toBe('127.0.0.1');
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/overlay?token=${TOKEN}`);
    const generated = await start({ token: undefined });
    expect(generated.token.length).toBeGreaterThanOrEqual(16);
    expect(generated.url).toContain(`token=${generated.token}`);
  });

  it('refuses every data route and the page without the right token', async () => {
    const s = await start();
    for (const path of ['/overlay', '/api/snapshot', '/api/style', '/api/events']) {
      for (const q of ['', '?token=', '?token=wrong', `?token=${TOKEN}x`, `?Token=${TOKEN}`]) {
        const res = await fetch(`${base(s)}${path}${q}`);
        expect(res.status, `${path}${q}`).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(await res.text()).toMatch(/token/);
      }
    }
  });

  it('serves the page with a strict CSP and passes style query parameters through', async () => {
    const s = await start();
    const res = await fetch(`${s.url}&fontSize=48&preset=high-contrast`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(HTML);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves build assets without the token, and nothing else', async () => {
    const s = await start();
    const js = await fetch(`${base(s)}/assets/overlay.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const path of ['/assets/../settings.json', '/assets/%2e%2e/settings.json', '/assets/..%2fsettings.json', '/settings.json', '/overlay.html', '/assets/', '/']) {
      const res = await rawGet(s, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('apiKey');
    }
    expect((await rawGet(s, `/api/snapshot?token=${TOKEN}`, 'POST')).status).toBe(405);
  });

  it('answers snapshot and style as JSON', async () => {
    const s = await start();
    const snap = await fetch(`${base(s)}/api/snapshot?token=${TOKEN}`);
    expect(snap.headers.get('cache-control')).toBe('no-store');
    expect(await snap.json()).toEqual({ rev: 7, segments: [{ id: '1:0', text: 'hello', start: 0, end: 1, final: true }] });
    expect(await (await fetch(`${base(s)}/api/style?token=${TOKEN}`)).json()).toEqual(DEFAULT_STYLE);
  });

  it('says plainly when the page is not built, and when the port is taken', async () => {
    const s = await start({ staticDir: mkdtempSync(join(tmpdir(), 'earshot-empty-')) });
    const res = await fetch(s.url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
    await expect(start({ port: s.port })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/in use/) });
  });

  it('streams the same diffs a store emits, in order; snapshot + diffs reproduce the store', async () => {
    const store = new CaptionStore();
    const coalescer = new DiffCoalescer(store, { clock: systemClock, intervalMs: 5 });
    const s = await start({ getSnapshot: () => coalescer.snapshot() });
    coalescer.on((d) => s.publish('captions:diff', d));
    store.apply({ kind: 'upsert', segment: { id: '1:0', text: 'before', start: 0, end: 1, final: true } });
    const sse = await SseReader.open(`${base(s)}/api/events?token=${TOKEN}`);
    let view = (await (await fetch(`${base(s)}/api/snapshot?token=${TOKEN}`)).json()) as CaptionSnapshot;
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    for (let i = 0; i < words.length; i++) {
      store.apply({ kind: 'upsert', segment: { id: `1:${1 + Math.floor(i / 10)}`, text: words.slice(i - (i % 10), i + 1).join(' '), start: 1 + Math.floor(i / 10), end: 2 + Math.floor(i / 10), final: i % 10 === 9 } });
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 6));
    }
    await new Promise((r) => setTimeout(r, 20));
    const lastRev = coalescer.snapshot().rev;
    await sse.until(() => sse.of('captions:diff').some((d) => (d as CaptionDiff).rev === lastRev));
    const diffs = sse.of('captions:diff') as CaptionDiff[];
    const revs = diffs.map((d) => d.rev);
    expect(revs).toEqual(revs.map((_, i) => revs[0] + i)); // consecutive: nothing lost or reordered
    for (const d of diffs) view = applyDiff(view, d) ?? (() => { throw new Error(`gap at ${d.rev}`); })();
    expect(view.segments).toEqual(store.snapshot().segments);
    expect(view.segments.map((x) => x.text).join(' ')).toBe(`before ${words.join(' ')}`);
    sse.close();
    coalescer.close();
  });

  it('sends status, level and style events; a new page gets the latest status and style at once', async () => {
    const clock = new FakeClock();
    const s = await start({ clock, heartbeatMs: 15_000 });
    const first = await SseReader.open(`${base(s)}/api/events?token=${TOKEN}`);
    s.publish('status', { kind: 'connecting', provider: 'fireworks', attempt: 1 });
    s.publish('status', { kind: 'live', provider: 'fireworks' });
    s.publish('level', { rmsDb: -30, peakDb: -12 });
    s.publish('style', { ...DEFAULT_STYLE, fontSize: 50 });
    s.publish('captions:diff', { rev: 1, upserts: [], removals: ['x'] });
    await first.until(() => first.events.length === 5);
    expect(first.events.map((e) => e.event)).toEqual(['status', 'status', 'level', 'style', 'captions:diff']);
    const second = await SseReader.open(`${base(s)}/api/events?token=${TOKEN}`);
    await second.until(() => second.events.length === 3);
    expect(second.events).toEqual([
      { event: 'status', data: { kind: 'live', provider: 'fireworks' } },
      { event: 'level', data: { rmsDb: -30, peakDb: -12 } },
      { event: 'style', data: { ...DEFAULT_STYLE, fontSize: 50 } },
    ]);
    expect(s.stats().clients).toBe(2);
    clock.advance(15_000);
    await first.until(() => first.comments.includes('heartbeat'));
    await second.until(() => second.comments.includes('heartbeat'));
    await s.close();
    await s.close();
    await first.until(() => first.ended);
    await second.until(() => second.ended);
  });

  it('refuses event streams beyond the client limit', async () => {
    const s = await start({ maxClients: 1 });
    const one = await SseReader.open(`${base(s)}/api/events?token=${TOKEN}`);
    const res = await fetch(`${base(s)}/api/events?token=${TOKEN}`);
    expect(res.status).toBe(503);
    one.close();
  });

  it('drops a client that stops reading instead of buffering for it; others get everything', async () => {
    const dropped: number[] = [];
    const maxQueuedBytes = 64 * 1024;
    const s = await start({ maxQueuedBytes, onSlowClient: (n) => dropped.push(n) });
    const fast = await SseReader.open(`${base(s)}/api/events?token=${TOKEN}`);
    const slow = connect(s.port, '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write(`GET /api/events?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    slow.pause(); // never reads: the kernel buffers fill, then the server's queue grows
    let slowClosed = false;
    slow.on('close', () => (slowClosed = true));
    slow.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const tick = () => (s.stats().clients === 2 ? resolve() : Date.now() > deadline ? reject(new Error('slow client never connected')) : setTimeout(tick, 5));
      tick();
    });

    const text = 'x'.repeat(32 * 1024);
    let sent = 0;
    // Up to 40 MB, far more than loopback socket buffers hold; yield so the fast reader reads.
    while (dropped.length === 0 && sent < 1280) {
      s.publish('captions:diff', { rev: ++sent, upserts: [{ id: `1:${sent}`, text, start: sent, end: sent + 1, final: true }], removals: [] });
      await new Promise((r) => setImmediate(r));
    }
    expect(dropped).toHaveLength(1);
    const eventBytes = text.length + 200;
    expect(dropped[0]).toBeLessThanOrEqual(maxQueuedBytes + eventBytes);
    expect(s.stats()).toMatchObject({ clients: 1, slowClientsDropped: 1 });
    for (let i = 0; i < 20; i++) s.publish('captions:diff', { rev: ++sent, upserts: [], removals: [] });
    await fast.until(() => fast.of('captions:diff').length === sent, 10_000);
    expect((fast.of('captions:diff') as CaptionDiff[]).map((d) => d.rev)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    slow.resume();
    await new Promise<void>((resolve) => (slowClosed ? resolve() : slow.once('close', () => resolve())));
    fast.close();
  });
});


