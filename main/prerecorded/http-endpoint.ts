/**
 * --endpoint for file transcription: https:// anywhere, http:// only to a loopback host (a
 * local server or tunnel), no credentials in the URL. Returns the base URL without a
 * trailing slash; the service adds /v1/audio/….
 */
import { EarshotError } from '../../shared/errors.js';
import { isLoopbackHost } from '../stt/endpoint.js';

export function parseHttpEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new EarshotError('ENDPOINT_INVALID', `"${raw}" is not a URL; use https://host`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EarshotError('ENDPOINT_INVALID', `scheme ${url.protocol.replace(':', '')} is not allowed here; use https://`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new EarshotError('ENDPOINT_INVALID', `http:// is only allowed for loopback hosts, not ${url.hostname}; use https://`);
  }
  if (url.username || url.password || url.search) {
    throw new EarshotError('ENDPOINT_INVALID', 'give only the scheme, host and optional path; pass the key with --api-key or the environment variable');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
