/**
 * Node's socket and TLS errors in words a person can act on. `connect ECONNREFUSED
 * 127.0.0.1:1` means nothing to most users; "connection refused" next to the URL does.
 * Pure: takes what an Error carries (code and message), so it is tested with literals.
 */

const BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
  EPIPE: 'the connection was closed while sending',
  ECONNABORTED: 'the connection was aborted',
};

/** Codes of TLS failures that mean "this is not a TLS server" rather than a bad certificate. */
const NOT_TLS = /wrong[_ ]version[_ ]number|packet[_ ]length[_ ]too[_ ]long|unknown[_ ]protocol|http[_ ]request|EPROTO/i;
const CERT = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/;

export function describeNetworkError(err: { code?: unknown; message?: unknown }): string {
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(err.message ?? '');
  if (code && BY_CODE[code]) return BY_CODE[code];
  if (NOT_TLS.test(code) || NOT_TLS.test(message)) return `TLS handshake failed: the server does not speak TLS, is it a plain ws:// server? [${code || message}]`;
  if (CERT.test(code)) return `TLS certificate rejected (${code}): ${message}`;
  if (/socket hang up/i.test(message)) return 'the server closed the connection during the handshake';
  if (/handshake has timed out/i.test(message)) return 'the handshake timed out';
  // An unknown code still tells an expert something; keep it next to the text.
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The URL as people should see it: scheme, host and path. The query may hold settings or a token. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
