/**
 * Endpoint URLs for streaming links. Plain ws:// would send audio and headers in clear
 * text, so it is only accepted for loopback hosts (local fake servers, tunnels); the API key
 * never goes into a URL here, because URLs end up in logs and status lines.
 */
import { EarshotError } from '../../shared/errors.js';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return !!m && Number(m[1]) === 127 && m.slice(2).every((p) => Number(p) <= 255);
}

const SECRET_PARAMS = /^(authorization|api[_-]?key|key|token|access[_-]?token)$/i;

/**
 * Parses and checks an endpoint: wss:// anywhere, ws:// only on loopback, no credentials in
 * it. Throws EarshotError('ENDPOINT_INVALID') with a detail a person can act on.
 */
export function parseEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new EarshotError('ENDPOINT_INVALID', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new EarshotError('ENDPOINT_INVALID', `scheme ${url.protocol.replace(':', '')} is not allowed; use wss://`);
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    throw new EarshotError('ENDPOINT_INVALID', `ws:// is only allowed for loopback hosts, not ${url.hostname}; use wss://`);
  }
  if (url.username || url.password) {
    throw new EarshotError('ENDPOINT_INVALID', 'the URL contains credentials; pass the key with --api-key or the environment variable instead');
  }
  for (const name of url.searchParams.keys()) {
    if (SECRET_PARAMS.test(name)) {
      throw new EarshotError('ENDPOINT_INVALID', `the URL contains a "${name}" parameter; pass the key with --api-key or the environment variable instead`);
    }
  }
  url.hash = '';
  return url;
}

/**
 * `endpoint` (checked by parseEndpoint) with query parameters set. Undefined and empty
 * values are left out; arrays become repeated keys. Parameters already in the endpoint stay
 * unless overridden here.
 */
export function buildEndpointUrl(endpoint: string, query: Record<string, QueryValue> = {}): string {
  const url = parseEndpoint(endpoint);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    url.searchParams.delete(name);
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, v);
    else url.searchParams.set(name, String(value));
  }
  return url.toString();
}
