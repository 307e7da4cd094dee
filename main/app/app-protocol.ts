/**
 * The app:// protocol's rules, kept pure: which file a request maps to (never outside the
 * built renderer folder), its MIME type, and the Content-Security-Policy every page gets.
 * protocol.ts wires this into protocol.handle.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from '../../shared/ipc-contract.js';
import { decodeUrlPath, RENDERER_TYPES } from '../overlay/static-files.js';
import { pageOfUrl } from './ipc-validate.js';

/**
 * No network for any page (captions arrive over IPC), scripts and styles only from the app.
 * 'unsafe-inline' for styles only: Svelte sets transition keyframes through a <style>
 * element; no inline script is ever allowed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "media-src 'self'",
  "connect-src 'none'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "object-src 'none'",
].join('; ');

export type AppRequest =
  | { kind: 'file'; path: string; mime: string }
  | { kind: 'error'; status: 400 | 403 | 404 | 405 };

export function resolveAppRequest(rawUrl: string, root: string, method = 'GET'): AppRequest {
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'error', status: 405 };
  let url: URL;
  try { url = new URL(rawUrl); } catch { return { kind: 'error', status: 400 }; }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { kind: 'error', status: 403 };
  const pathname = decodeUrlPath(url.pathname);
  if (pathname === null) return { kind: 'error', status: 400 };
  const base = resolve(root);
  const target = resolve(base, `.${pathname}`);
  const rel = relative(base, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return { kind: 'error', status: rel === '' ? 404 : 403 };
  const mime = RENDERER_TYPES[extname(target).toLowerCase()];
  if (!mime) return { kind: 'error', status: 404 };
  return { kind: 'file', path: target, mime };
}

export function responseHeaders(mime: string): Record<string, string> {
  return {
    'Content-Type': mime,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
}

/** What Electron's permission request handler says about a request (PermissionRequest details). */
export interface PermissionAsk {
  permission: string;
  /** The last URL the requesting frame loaded. */
  requestingUrl: string;
  isMainFrame: boolean;
  /** 'display-capture' and 'media' requests: 'video' and/or 'audio'. */
  mediaTypes?: readonly string[];
}

/**
 * Permission requests: everything is denied except display capture with audio for the hidden
 * capture page, whose getDisplayMedia brings Chromium's loopback audio (Chromium insists on a
 * video track too, which the page stops at once). Since Electron 45, getDisplayMedia arrives as
 * 'display-capture' with its mediaTypes, and 'media' means camera and microphone only: the
 * page uses neither, so 'media' is denied to every page.
 */
export function allowPermissionRequest(ask: PermissionAsk): boolean {
  if (ask.permission !== 'display-capture' || !ask.isMainFrame) return false;
  if (pageOfUrl(ask.requestingUrl) !== 'capture') return false;
  const types = ask.mediaTypes ?? [];
  return types.includes('audio') && types.every((t) => t === 'audio' || t === 'video');
}

/** Navigation: pages never navigate anywhere, not even to another app page. */
export function allowNavigation(_from: string, _to: string): boolean {
  return false;
}
