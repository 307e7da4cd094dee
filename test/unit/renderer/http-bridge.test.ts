import { describe, expect, it } from 'vitest';
import { DEFAULT_STYLE } from '../../../shared/overlay-style.js';
import { HttpOverlayBridge, type EventSourceLike, type HttpBridgeDeps } from '../../../renderer/lib/http-bridge.js';
import type { LinkState } from '../../../renderer/lib/status-view.js';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  private listeners = new Map<string, ((e: { data?: unknown }) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, l: (e: { data?: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() { this.closed = true; this.readyState = 2; }
  emit(type: string, data?: unknown) { for (const l of this.listeners.get(type) ?? []) l({ data }); }
  open() { this.readyState = 1; this.emit('open'); }
  /** The server answered with an error: EventSource gives up. */
  fail() { this.readyState = 2; this.emit('error'); }
  /** The connection dropped: EventSource retries by itself. */
  drop() { this.readyState = 0; this.emit('error'); }
}

function harness(over: Partial<HttpBridgeDeps> = {}) {
  const sources: FakeEventSource[] = [];
  const fetched: string[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let response = { ok: true, status: 200, body: { rev: 3, segments: [] } as unknown };
  const bridge = new HttpOverlayBridge({
    origin: 'http://127.0.0.1:7723',
    token: 't/k n',
    fetch: async (url) => {
      fetched.push(url);
      const r = response;
      return { ok: r.ok, status: r.status, json: async () => r.body };
    },
    createEventSource: (url) => {
      const es = new FakeEventSource(url);
      sources.push(es);
      return es;
    },
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    clearTimeout: () => {},
    ...over,
  });
  const links: LinkState[] = [];
  bridge.onLink((s) => links.push(s));
  return { bridge, sources, fetched, timers, links, respond: (r: typeof response) => { response = r; } };
}

describe('HttpOverlayBridge', () => {
  it('fetches the snapshot with the token', async () => {
    const h = harness();
    await expect(h.bridge.getSnapshot()).resolves.toEqual({ rev: 3, segments: [] });
    expect(h.fetched).toEqual(['http://127.0.0.1:7723/api/snapshot?token=t%2Fk%20n']);
  });

  it('delivers feed events as parsed payloads to the listeners of their channel', () => {
    const h = harness();
    const diffs: unknown[] = [];
    const statuses: unknown[] = [];
    const off = h.bridge.on('captions:diff', (d) => diffs.push(d));
    h.bridge.on('status', (s) => statuses.push(s));
    expect(h.sources).toHaveLength(1);
    expect(h.sources[0]!.url).toBe('http://127.0.0.1:7723/api/events?token=t%2Fk%20n');
    h.sources[0]!.emit('captions:diff', JSON.stringify({ rev: 1, upserts: [], removals: [] }));
    h.sources[0]!.emit('status', JSON.stringify({ kind: 'paused' }));
    h.sources[0]!.emit('captions:diff', '{not json');
    off();
    h.sources[0]!.emit('captions:diff', JSON.stringify({ rev: 2, upserts: [], removals: [] }));
    expect(diffs).toEqual([{ rev: 1, upserts: [], removals: [] }]);
    expect(statuses).toEqual([{ kind: 'paused' }]);
    expect(h.bridge.malformed).toBe(1);
  });

  it('reports the link and reopens with backoff when EventSource gives up', () => {
    const h = harness();
    h.sources[0]!.open();
    h.sources[0]!.drop();
    h.sources[0]!.open();
    expect(h.links).toEqual(['up', 'down', 'up']);
    expect(h.sources).toHaveLength(1);
    h.sources[0]!.fail();
    expect(h.sources[0]!.closed).toBe(true);
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.timers[0]!.fn();
    expect(h.sources).toHaveLength(2);
    h.sources[1]!.fail();
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000]);
    h.timers[1]!.fn();
    h.sources[2]!.open();
    expect(h.links).toEqual(['up', 'down', 'up', 'down', 'up']);
    h.sources[2]!.fail();
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000, 1000]);
  });

  it('says when the server refuses the token', async () => {
    const h = harness();
    h.respond({ ok: false, status: 403, body: null });
    await expect(h.bridge.getSnapshot()).rejects.toThrow(/403/);
    h.sources[0]!.fail();
    expect(h.links).toEqual(['refused']);
  });

  it('lets style options from the URL win over the style the app pushes', async () => {
    const h = harness({ styleOverrides: { fontSize: 64, textColor: '#ffff00' } });
    await expect(h.bridge.getStyle()).resolves.toEqual({ ...DEFAULT_STYLE, fontSize: 64, textColor: '#ffff00' });
    const styles: unknown[] = [];
    h.bridge.on('style', (s) => styles.push(s));
    h.sources[0]!.emit('style', JSON.stringify({ ...DEFAULT_STYLE, fontSize: 20, lines: 4, textColor: '#00ff00' }));
    expect(styles).toEqual([{ ...DEFAULT_STYLE, fontSize: 64, lines: 4, textColor: '#ffff00' }]);
  });

  it('closes everything on dispose', () => {
    const h = harness();
    h.bridge.dispose();
    expect(h.sources[0]!.closed).toBe(true);
    h.bridge.on('status', () => {});
    expect(h.sources).toHaveLength(1);
  });
});
