import { describe, expect, it } from 'vitest';
import { errorInfo } from '../../../shared/errors.js';
import { levelFraction, statusView } from '../../../renderer/lib/status-view.js';
import { parsePageOptions } from '../../../renderer/lib/page-options.js';

describe('statusView', () => {
  it('names the provider while live and while connecting', () => {
    expect(statusView({ kind: 'live', provider: 'fireworks' })).toEqual({ tone: 'live', label: 'Live', detail: 'Streaming to Fireworks AI' });
    expect(statusView({ kind: 'connecting', provider: 'deepgram', attempt: 3 }).detail).toBe('Connecting to Deepgram (attempt 3)…');
    expect(statusView({ kind: 'live', provider: 'custom-x' }).detail).toBe('Streaming to custom-x');
    expect(statusView({ kind: 'live', provider: 'fireworks', language: 'de' }).detail).toBe('Streaming to Fireworks AI · hearing German');
  });

  it('shows the backlog while reconnecting and the actionable message on error', () => {
    const v = statusView({ kind: 'reconnecting', provider: 'openai', attempt: 2, retryInMs: 2000, backlogSeconds: 4.25, reason: errorInfo('NETWORK') });
    expect(v.tone).toBe('warn');
    expect(v.detail).toContain('OpenAI Realtime in 2.0 s; 4.3 s of audio kept.');
    // The cause, not only the generic line: a person can tell a refused port from a stall.
    const why = statusView({ kind: 'reconnecting', provider: 'fireworks', attempt: 2, retryInMs: 0, backlogSeconds: 1, reason: errorInfo('NETWORK', 'closed by the server: close 1011 "overloaded"') });
    expect(why.detail).toContain('(closed by the server: close 1011 "overloaded")');
    const again = statusView({ kind: 'connecting', provider: 'fireworks', attempt: 2, reason: errorInfo('NETWORK', 'cannot connect to ws://127.0.0.1:1/x: connection refused') });
    expect(again.detail).toMatch(/attempt 2\)….*connection refused/);
    const e = statusView({ kind: 'error', error: errorInfo('AUTH_REFUSED', 'HTTP 401') });
    expect(e.tone).toBe('error');
    expect(e.detail).toMatch(/^The speech service refused the API key\. Check the key .* \(HTTP 401\)$/);
  });

  it('puts the page link first: a lost or refused feed hides a stale "live"', () => {
    expect(statusView({ kind: 'live', provider: 'fireworks' }, 'down').label).toBe('Lost Earshot');
    expect(statusView({ kind: 'live', provider: 'fireworks' }, 'refused').detail).toMatch(/token/);
  });

  it('maps dBFS onto the meter', () => {
    expect([levelFraction(-100), levelFraction(-60), levelFraction(-30), levelFraction(0), levelFraction(6), levelFraction(Number.NaN)])
      .toEqual([0, 0, 0.5, 1, 1, 0]);
  });

  it('reads page options from the URL', () => {
    expect(parsePageOptions(new URLSearchParams('token=x'))).toEqual({ showStatus: true });
    expect(parsePageOptions(new URLSearchParams('status=off'))).toEqual({ showStatus: false });
  });
});
