/**
 * Rules of closing that hold for every provider; the rest of each provider's table is its own.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import type { CloseVerdict } from '../../provider.js';

/**
 * The in-band error that came just before a close says more than the close code: after a
 * refused key, refused settings or a client bug, reconnecting would only be refused again.
 */
export function refusedInBand(lastError: ErrorCode | undefined): CloseVerdict | undefined {
  return lastError === 'AUTH_REFUSED' || lastError === 'CONFIG_REJECTED' || lastError === 'CLIENT_REJECTED' ? { code: lastError, retryable: false } : undefined;
}

/** RFC 6455 closes for a server in trouble (internal error, restart, try again later): a new socket may work. */
export function isServerTrouble(code: number): boolean {
  return code === 1011 || code === 1012 || code === 1013;
}
