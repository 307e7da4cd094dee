/**
 * The caption overlay in any browser (OBS browser source, a second screen, a tablet):
 * the built overlay page, a snapshot endpoint and a Server-Sent Events feed of the same
 * messages the Electron overlay receives over IPC. Everything but static build assets
 * needs the token from the printed URL. Binds 127.0.0.1 unless told otherwise.
 *
 * Anyone who can reach the port can open sockets, so connections are bounded: at most
 * `maxConnections` at once (more are closed on arrival, so a flood cannot use up the
 * process's file descriptors, which the transcript autosave also needs), and a connection
 * that has not sent its request within `idleTimeoutMs` is closed, so idle or half-open
 * sockets cannot hold those places for ever.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CaptionSnapshot } from '../../shared/captions.js';
import { EarshotError } from '../../shared/errors.js';
import type { MainToRenderer } from '../../shared/ipc-contract.js';
import type { OverlayStyle } from '../../shared/overlay-style.js';
import { systemClock, type Clock } from '../util/clock.js';
import { formatEvent, SseHub, type SseHubStats } from './sse-hub.js';
import { resolveInside, sendFile } from './static-files.js';
import { overlayUrls } from './overlay-urls.js';
import { generateToken, tokenMatches } from './token.js';

export interface OverlayServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Generated when absent. */
  token?: string;
  /** The built renderer (holds overlay.html and assets/). */
  staticDir: string;
  getSnapshot: () => CaptionSnapshot | Promise<CaptionSnapshot>;
  getStyle: () => OverlayStyle | Promise<OverlayStyle>;
  clock?: Clock;
  heartbeatMs?: number;
  /** Unsent bytes per event-stream client before it is dropped; default 1 MiB. */
  maxQueuedBytes?: number;
  maxClients?: number;
  /** Open sockets of any kind; more are closed as they arrive. Default 64. */
  maxConnections?: number;
  /** A connection must deliver its request headers within this; default 10 s. */
  idleTimeoutMs?: number;
  onSlowClient?: (queuedBytes: number) => void;
}

export interface OverlayServer {
  /** Full overlay URL with the token, for people to paste into OBS or a browser on this machine. */
  readonly url: string;
  /** The same page as other machines reach it (empty when bound to loopback only). */
  readonly remoteUrls: readonly string[];
  /** Bound to an address other machines may reach. */
  readonly exposed: boolean;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  publish<K extends keyof MainToRenderer>(channel: K, payload: MainToRenderer[K]): void;
  stats(): SseHubStats;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Latest values a newly connected page should not have to wait for. */
const REPLAYED: ReadonlySet<keyof MainToRenderer> = new Set(['status', 'style', 'level', 'overlay:click-through']);

export const OVERLAY_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Svelte style bindings and user-chosen colours are inline styles.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // The token is in the page URL; never send it to anyone as a referrer.
  'Referrer-Policy': 'no-referrer',
};

export async function startOverlayServer(options: OverlayServerOptions): Promise<OverlayServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  if (token.length < 8) throw new EarshotError('BAD_ARGUMENT', 'the overlay token must be at least 8 characters');
  const last = new Map<keyof MainToRenderer, string>();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const hub = new SseHub({
    clock: options.clock ?? systemClock,
    heartbeatMs,
    maxQueuedBytes: options.maxQueuedBytes ?? 1024 * 1024,
    maxClients: options.maxClients ?? 32,
    onSlowClient: options.onSlowClient,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Only GET is supported.', { Allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', 'http://overlay.invalid');
    const path = url.pathname;
    if (path.startsWith('/assets/')) {
      const file = await resolveInside(join(options.staticDir, 'assets'), path.slice('/assets/'.length));
      if (!file) return text(res, 404, 'Not found.');
      return sendFile(res, file, { ...COMMON_HEADERS, 'Cache-Control': 'no-cache' }, req.method === 'HEAD');
    }
    const route = ROUTES.has(path) ? path : undefined;
    if (!route) return text(res, 404, 'Not found. The captions are at /overlay?token=… (the full URL is printed when Earshot starts).');
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      return text(res, 403, 'Forbidden: this needs the token from the overlay URL that Earshot printed when it started (…/overlay?token=…).');
    }
    switch (route) {
      case '/overlay': {
        const file = await resolveInside(options.staticDir, 'overlay.html');
        if (!file) return text(res, 503, 'The overlay page is not built. Run `npm run build` and start Earshot again.');
        return sendFile(res, file, { ...COMMON_HEADERS, 'Cache-Control': 'no-store', 'Content-Security-Policy': OVERLAY_CSP }, req.method === 'HEAD');
      }
      case '/api/snapshot':
        return json(res, await options.getSnapshot());
      case '/api/style':
        return json(res, await options.getStyle());
      case '/api/events':
        if (req.method === 'HEAD') return text(res, 405, 'Open the event stream with GET.', { Allow: 'GET' });
        if (!hub.add(res, [...last.values()])) text(res, 503, 'Too many overlay pages are open; close one and reload.', { 'Retry-After': '5' });
        return;
    }
  };

  const server = createServer({
    headersTimeout: idleTimeoutMs,
    requestTimeout: idleTimeoutMs * 2,
    // How often Node looks for connections past headersTimeout (default 30 s).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(idleTimeoutMs / 2))),
    keepAliveTimeout: Math.min(5000, idleTimeoutMs),
  }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else text(res, 500, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.maxConnections = options.maxConnections ?? 64;
  // A socket silent in both directions for this long is gone; event streams write a heartbeat well within it.
  server.timeout = heartbeatMs * 2 + idleTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new EarshotError('BAD_ARGUMENT', `overlay server cannot listen on ${host}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use, pick another --overlay-port' : err.message}`)));
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const urls = overlayUrls(host, port, token);
  return {
    url: urls.local,
    remoteUrls: urls.remote,
    exposed: urls.exposed,
    host,
    port,
    token,
    publish(channel, payload) {
      if (closing) return;
      if (REPLAYED.has(channel)) last.set(channel, formatEvent(channel, payload));
      hub.broadcast(channel, payload);
    },
    stats: () => hub.stats(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

const ROUTES = new Set(['/overlay', '/api/snapshot', '/api/style', '/api/events']);

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...COMMON_HEADERS, ...headers });
  res.end(`${body}\n`);
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...COMMON_HEADERS });
  res.end(JSON.stringify(value));
}
