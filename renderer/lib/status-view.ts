/**
 * What the status bar says, as plain data: a tone for the dot, a short label and the detail
 * a person can act on. Richer than describeStatus: provider labels, the backlog in words,
 * and the page's own link to Earshot (browser overlay).
 */
import { describeError } from '../../shared/errors.js';
import { languageName } from '../../shared/languages.js';
import { PROVIDERS, type ProviderId } from '../../shared/providers.js';
import type { ConnectionStatus } from '../../shared/status.js';

export type LinkState = 'up' | 'down' | 'refused';
export type Tone = 'idle' | 'busy' | 'live' | 'warn' | 'error';

export interface StatusView {
  tone: Tone;
  label: string;
  detail: string;
}

export function providerLabel(id: string): string {
  return (PROVIDERS as Record<string, { label: string } | undefined>)[id as ProviderId]?.label ?? id;
}

export function statusView(status: ConnectionStatus, link: LinkState = 'up'): StatusView {
  if (link === 'refused') {
    return { tone: 'error', label: 'Not allowed', detail: 'The overlay server refused this page. Copy the overlay URL (with its token) from Earshot again.' };
  }
  if (link === 'down') {
    return { tone: 'warn', label: 'Lost Earshot', detail: 'The connection to Earshot was lost. Retrying…' };
  }
  switch (status.kind) {
    case 'idle': return { tone: 'idle', label: 'Ready', detail: 'Captions are not running. Start them from the tray menu.' };
    case 'connecting': {
      const attempt = status.attempt > 1 ? ` (attempt ${status.attempt})` : '';
      const last = status.reason ? ` Last attempt: ${describeError(status.reason)}` : '';
      return { tone: 'busy', label: 'Connecting', detail: `Connecting to ${providerLabel(status.provider)}${attempt}…${last}` };
    }
    case 'live': {
      const heard = status.language ? ` · hearing ${languageName(status.language)}` : '';
      return { tone: 'live', label: 'Live', detail: `Streaming to ${providerLabel(status.provider)}${heard}` };
    }
    case 'reconnecting': {
      const wait = status.retryInMs > 0 ? ` in ${(status.retryInMs / 1000).toFixed(1)} s` : '';
      return {
        tone: 'warn',
        label: 'Reconnecting',
        // The cause (close code and reason, no answer to pings, the network error) is what
        // tells a person whether to wait or to act.
        detail: `Reconnecting to ${providerLabel(status.provider)}${wait}; ${status.backlogSeconds.toFixed(1)} s of audio kept. ${describeError(status.reason)}`,
      };
    }
    case 'finishing': return { tone: 'busy', label: 'Finishing', detail: `Waiting for the last words from ${providerLabel(status.provider)}` };
    case 'paused': return { tone: 'idle', label: 'Paused', detail: 'Captions are paused; no audio is sent.' };
    case 'stopped': return { tone: 'idle', label: 'Stopped', detail: 'Captions stopped.' };
    case 'error': return { tone: 'error', label: 'Error', detail: describeError(status.error) };
    case 'streams': {
      // A meeting: the dot shows the worst stream, the detail says which is which.
      const views = status.streams.map((s) => ({ label: s.label, view: statusView(s.status) }));
      const worst = views.reduce((a, b) => (TONE_RANK[b.view.tone] > TONE_RANK[a.view.tone] ? b : a), views[0]!);
      const same = views.every((v) => v.view.label === worst.view.label);
      const echo = status.echoSuppressed > 0 ? ` · echo suppressed: ${status.echoSuppressed}` : '';
      return {
        tone: worst.view.tone,
        label: same ? worst.view.label : `${worst.label}: ${worst.view.label}`,
        detail: views.map((v) => `${v.label}: ${v.view.tone === 'live' ? v.view.label : v.view.detail}`).join(' · ') + echo,
      };
    }
  }
}

const TONE_RANK: Record<Tone, number> = { idle: 0, live: 1, busy: 2, warn: 3, error: 4 };

/** dBFS → 0..1 for the meter: -60 dB and below is empty, 0 dB is full. */
export function levelFraction(db: number): number {
  if (!Number.isFinite(db)) return 0;
  return Math.min(1, Math.max(0, (db + 60) / 60));
}
