/**
 * Serves the built overlay page and its assets. Only regular files inside the allowed
 * folder are served; anything that resolves outside it (../, encoded slashes, symlinks
 * out of the folder) is a 404.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

/** Types of the files in a built renderer folder; main/app's app:// protocol serves only these. */
export const RENDERER_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

const TYPES: Record<string, string> = { ...RENDERER_TYPES, '.wasm': 'application/wasm' };

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The decoded URL path, or null when it does not decode or holds a NUL or a backslash:
 * never in a file name we serve, and a way around the folder checks on some systems.
 */
export function decodeUrlPath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  return decoded.includes('\0') || decoded.includes('\\') ? null : decoded;
}

/**
 * Resolves a URL path below `root` to a real file path, or null when it is not a regular
 * file strictly inside `root`.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | null> {
  const decoded = decodeUrlPath(urlPath);
  if (decoded === null) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(resolve(realRoot, `.${sep}${decoded}`));
    if (!real.startsWith(realRoot + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export function sendFile(res: ServerResponse, path: string, headers: Record<string, string>, headOnly: boolean): void {
  res.writeHead(200, { 'Content-Type': contentType(path), ...headers });
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
