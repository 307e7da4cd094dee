import { describe, expect, it } from 'vitest';
import { BrowserOverlay } from '../../../main/app/browser-overlay.js';
import type { OverlayServer, OverlayServerOptions } from '../../../main/overlay/overlay-server.js';
import { EarshotError, type ErrorInfo } from '../../../shared/errors.js';
import { DEFAULT_STYLE } from '../../../shared/overlay-style.js';

function setup(failPort?: number) {
  const started: OverlayServerOptions[] = [];
  const closed: number[] = [];
  const published: unknown[][] = [];
  const urls: string[] = [];
  const errors: ErrorInfo[] = [];
  const overlay = new BrowserOverlay({
    staticDir: '/x',
    getSnapshot: () => ({ rev: 0, segments: [] }),
    getStyle: () => DEFAULT_STYLE,
    onStarted: (u) => urls.push(u),
    onError: (e) => errors.push(e),
    startServer: async (o) => {
      if (o.port === failPort) throw new EarshotError('BAD_ARGUMENT', `port ${o.port} is in use`);
      started.push(o);
      const token = o.token ?? 'tok1';
      const server: OverlayServer = {
        url: `http://${o.host}:${o.port}/overlay?token=${token}`, remoteUrls: [], exposed: false, host: o.host!, port: o.port, token,
        publish: (ch, p) => published.push([o.port, ch, p]),
        stats: () => ({}) as never,
        close: async () => { closed.push(o.port); },
      };
      return server;
    },
  });
  return { overlay, started, closed, published, urls, errors };
}

describe('BrowserOverlay', () => {
  it('starts, mirrors messages, restarts on a port change with the same token, and stops', async () => {
    const t = setup();
    await t.overlay.apply({ enabled: false, port: 7723, host: '127.0.0.1' });
    expect(t.started).toHaveLength(0);
    t.overlay.publish('status', { kind: 'idle' }); // nothing running: dropped
    await t.overlay.apply({ enabled: true, port: 7723, host: '127.0.0.1' });
    await t.overlay.apply({ enabled: true, port: 7723, host: '127.0.0.1' }); // unchanged: no restart
    expect(t.started).toHaveLength(1);
    expect(t.overlay.url).toBe('http://127.0.0.1:7723/overlay?token=tok1');
    t.overlay.publish('level', { rmsDb: -20, peakDb: -10 });
    await t.overlay.apply({ enabled: true, port: 8000, host: '127.0.0.1' });
    expect(t.closed).toEqual([7723]);
    expect(t.started[1]!.token).toBe('tok1');
    await t.overlay.apply({ enabled: false, port: 8000, host: '127.0.0.1' });
    expect(t.closed).toEqual([7723, 8000]);
    expect(t.overlay.url).toBeNull();
    expect(t.published).toEqual([[7723, 'level', { rmsDb: -20, peakDb: -10 }]]);
    expect(t.urls).toHaveLength(2);
  });

  it('reports a server that cannot start', async () => {
    const t = setup(80);
    await t.overlay.apply({ enabled: true, port: 80, host: '127.0.0.1' });
    expect(t.errors).toEqual([expect.objectContaining({ code: 'BAD_ARGUMENT', detail: 'port 80 is in use' })]);
    expect(t.overlay.url).toBeNull();
    await t.overlay.close();
  });
});
