/**
 * Serves the built renderer (out/renderer) at app://earshot/ so no page runs from file://
 * (Electron security checklist items 7 and 18). The rules live in app-protocol.ts.
 */
import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { APP_SCHEME } from '../../shared/ipc-contract.js';
import { resolveAppRequest, responseHeaders } from './app-protocol.js';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard + secure: relative URLs and ES modules work like https; no fetch/CORS bypass.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function setupProtocol(session: Session, rendererRoot: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppRequest(request.url, rendererRoot, request.method);
    if (r.kind === 'error') return new Response(null, { status: r.status });
    try {
      const body = await readFile(r.path);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: responseHeaders(r.mime) });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}
