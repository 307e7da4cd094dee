/**
 * Real Chromium for renderer tests: the Debian browser driven by playwright-core (never a
 * downloaded one), a tiny static server for out/renderer (optionally answering like the
 * app:// protocol), and a build step that runs only when the renderer sources are newer than
 * the build. Shared by every renderer e2e test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resolveAppRequest, responseHeaders } from '../../../main/app/app-protocol.js';
import { APP_HOST, APP_SCHEME } from '../../../shared/ipc-contract.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
/** EARSHOT_RENDERER_OUT points the tests at a renderer built elsewhere (then nothing is built). */
export const RENDERER_OUT = process.env.EARSHOT_RENDERER_OUT ?? join(ROOT, 'out/renderer');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM_PATH = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Return true when the request was answered. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 (port 0); `route` sees every request first (fake APIs). */
export async function serveStatic(root: string = RENDERER_OUT, route?: Route): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (route && (await route(req, res, url))) return;
      const file = normalize(join(base, decodeURIComponent(url.pathname)));
      if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
    })().catch(() => { if (!res.headersSent) res.writeHead(500); res.end(); });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/**
 * Answers every request the way main/app/protocol.ts answers app://earshot/: the app's own
 * file mapping and response headers, so a test sees the CSP the app really sends and follows
 * it when it changes. Each path answered with a file is pushed to `served`.
 */
export function appProtocolRoute(root: string = RENDERER_OUT, served: string[] = []): Route {
  return (req, res, url) => {
    const r = resolveAppRequest(`${APP_SCHEME}://${APP_HOST}${url.pathname}${url.search}`, root, req.method);
    if (r.kind === 'error') {
      res.writeHead(r.status).end();
      return true;
    }
    if (!existsSync(r.path) || !statSync(r.path).isFile()) {
      res.writeHead(404).end();
      return true;
    }
    served.push(url.pathname);
    res.writeHead(200, responseHeaders(r.mime));
    if (req.method === 'HEAD') res.end();
    else createReadStream(r.path).pipe(res);
    return true;
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(full) : st.mtimeMs);
  }
  return newest;
}

function rendererStale(): boolean {
  const pages = ['overlay.html', 'settings.html', 'history.html', 'capture.html'].map((p) => join(RENDERER_OUT, p));
  if (!pages.every((p) => existsSync(p))) return true;
  const built = Math.min(...pages.map((p) => statSync(p).mtimeMs));
  return Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'shared'))) > built;
}

const LOCK = join(ROOT, 'out/.renderer-build.lock');

/**
 * Builds out/renderer when it is missing or older than its sources (`npm test` builds first,
 * so this is for running one test file alone). A lock directory keeps parallel test files
 * from building over each other.
 */
export async function ensureRendererBuilt(): Promise<void> {
  if (process.env.EARSHOT_RENDERER_OUT || !rendererStale()) return;
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another renderer build');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!rendererStale()) return;
    const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Collects uncaught errors, console errors and CSP violations from a page. */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { problems };
}
