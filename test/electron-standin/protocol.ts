/**
 * `protocol` and `session.protocol`: custom schemes and their handlers. Chromium cannot load
 * an unknown scheme, so each app://host origin is served from a 127.0.0.1 HTTP server whose
 * every request is answered by calling the app's own handler with the app:// URL, copying
 * status, headers and body exactly: the app's CSP and path rules apply as in Electron.
 * (A real socket rather than Playwright routing: sub-resources of every kind, module
 * scripts, workers and worklets included, go through Chromium's ordinary network stack, and
 * 127.0.0.1 is a secure context like a `secure: true` scheme.)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notImplemented, strict } from './strict.js';

type Handler = (request: Request) => Response | Promise<Response>;

export interface CustomScheme {
  scheme: string;
  privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; [k: string]: boolean | undefined };
}

export class ProtocolRegistry {
  readonly privileged = new Map<string, CustomScheme['privileges']>();
  private readonly handlers = new Map<string, Handler>();
  private readonly servers = new Map<string, { server: Server; origin: string }>();
  private readonly requests: { url: string; status: number }[] = [];
  ready = false;

  // https://www.electronjs.org/docs/latest/api/protocol#protocolregisterschemesasprivilegedcustomschemes
  // "This method can only be used before the ready event of the app module gets emitted."
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    if (this.ready) throw new Error('protocol.registerSchemesAsPrivileged must be called before app ready');
    for (const s of schemes) this.privileged.set(s.scheme, { ...s.privileges });
  }

  // https://www.electronjs.org/docs/latest/api/protocol#protocolhandlescheme-handler
  handle(scheme: string, handler: Handler): void {
    if (this.handlers.has(scheme)) throw new Error(`The scheme ${scheme} is already handled`);
    this.handlers.set(scheme, handler);
  }

  // https://www.electronjs.org/docs/latest/api/protocol#protocolunhandlescheme
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }

  // https://www.electronjs.org/docs/latest/api/protocol#protocolishandledscheme
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  }

  /** Every app:// URL requested so far (for the test). */
  requested(): readonly { url: string; status: number }[] {
    return this.requests;
  }

  /** The http URL Chromium loads for an app URL; starts the origin's bridge server on first use. */
  async toHttp(appUrl: string): Promise<string> {
    const url = new URL(appUrl);
    const scheme = url.protocol.slice(0, -1);
    if (!this.handlers.has(scheme)) throw notImplemented(`loading ${url.protocol} URLs without protocol.handle (${appUrl})`);
    if (!this.privileged.get(scheme)?.standard) throw notImplemented(`non-standard scheme ${scheme}: (relative URLs would not resolve like Electron's)`);
    const key = `${scheme}://${url.host}`;
    let entry = this.servers.get(key);
    if (!entry) {
      entry = await this.startBridge(scheme, url.host);
      this.servers.set(key, entry);
    }
    return `${entry.origin}${url.pathname}${url.search}${url.hash}`;
  }

  /** The app URL a bridged http URL stands for, or null when it is not one of ours. */
  toApp(httpUrl: string): string | null {
    let url: URL;
    try { url = new URL(httpUrl); } catch { return null; }
    for (const [key, { origin }] of this.servers) {
      if (url.origin === origin) return `${key}${url.pathname}${url.search}${url.hash}`;
    }
    return null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map(({ server }) => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    })));
    this.servers.clear();
  }

  private async startBridge(scheme: string, host: string): Promise<{ server: Server; origin: string }> {
    const server = createServer((req, res) => {
      void this.answer(scheme, host, req).then(async (response) => {
        const headers: Record<string, string[]> = {};
        response.headers.forEach((value, name) => { (headers[name] ??= []).push(value); });
        res.writeHead(response.status, response.statusText || undefined, Object.entries(headers).flatMap(([n, vs]) => vs.map((v) => [n, v])).flat());
        res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
      }).catch((err: unknown) => {
        // Electron answers a throwing handler with a network error (net::ERR_FAILED).
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    return { server, origin: `http://127.0.0.1:${port}` };
  }

  private async answer(scheme: string, host: string, req: IncomingMessage): Promise<Response> {
    const handler = this.handlers.get(scheme);
    if (!handler) throw new Error(`no handler for ${scheme}`);
    const appUrl = `${scheme}://${host}${req.url ?? '/'}`;
    const record = { url: appUrl, status: 0 };
    this.requests.push(record);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? null : await readBody(req);
    const response = await handler(new Request(appUrl, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) }));
    record.status = response.status;
    return response;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => ok(Buffer.concat(parts)));
    req.on('error', fail);
  });
}

export const protocols = new ProtocolRegistry();

/** The `protocol` module and `session.protocol`: what the app may call, nothing else. */
export function protocolModule(name: string, withSchemes: boolean) {
  return strict({
    // Module-level only: session.protocol has no registerSchemesAsPrivileged.
    ...(withSchemes ? { registerSchemesAsPrivileged: (s: CustomScheme[]) => protocols.registerSchemesAsPrivileged(s) } : {}),
    handle: (scheme: string, handler: Handler) => protocols.handle(scheme, handler),
    unhandle: (scheme: string) => protocols.unhandle(scheme),
    isProtocolHandled: (scheme: string) => protocols.isProtocolHandled(scheme),
  }, name);
}
