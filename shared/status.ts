import { describeError, type ErrorInfo } from './errors.js';

/** Connection state as the overlay, tray and terminal show it. */
export type ConnectionStatus =
  | { kind: 'idle' }
  | {
      kind: 'connecting';
      provider: string;
      attempt: number;
      /** Why the previous attempt failed (from the second attempt on). */
      reason?: ErrorInfo;
    }
  /** `language`: what the service says it hears, when it says (auto-detection). */
  | { kind: 'live'; provider: string; language?: string }
  | {
      kind: 'reconnecting';
      provider: string;
      attempt: number;
      retryInMs: number;
      /** Seconds of audio held back, to be sent once the link is up again. */
      backlogSeconds: number;
      reason: ErrorInfo;
    }
  | { kind: 'finishing'; provider: string }
  | { kind: 'paused' }
  | { kind: 'stopped' }
  | { kind: 'error'; error: ErrorInfo }
  /** A meeting: two sources captioned at once, each with its own connection. */
  | { kind: 'streams'; streams: StreamStatus[]; echoSuppressed: number };

/** One stream of a meeting: its label ("You", "Others"), its source term and its own state. */
export interface StreamStatus {
  label: string;
  source: string;
  status: SingleStatus;
}

export type SingleStatus = Exclude<ConnectionStatus, { kind: 'streams' }>;

/** Audio level for the meter, from the converted (provider-rate) audio. */
export interface AudioLevel {
  /** RMS level in dBFS, -100 for digital silence. */
  rmsDb: number;
  peakDb: number;
  /** A meeting's stream this level is from (each has its own meter); absent with one source. */
  stream?: { index: number; label: string };
}

export function describeStatus(s: ConnectionStatus): string {
  switch (s.kind) {
    case 'idle': return 'idle';
    case 'connecting':
      if (s.attempt <= 1) return `connecting to ${s.provider}`;
      return `connecting to ${s.provider} (attempt ${s.attempt})${s.reason ? ` · last attempt: ${why(s.reason)}` : ''}`;
    case 'live': return `live · streaming to ${s.provider}`;
    case 'reconnecting':
      return `reconnecting to ${s.provider} in ${(s.retryInMs / 1000).toFixed(1)} s · ${s.backlogSeconds.toFixed(1)} s of audio kept · ${why(s.reason)}`;
    case 'finishing': return `finishing · waiting for ${s.provider}`;
    case 'paused': return 'paused';
    case 'stopped': return 'stopped';
    case 'error': return `error: ${describeError(s.error)}`;
    case 'streams': {
      // A failed stream's full sentence was already said once (as a warning); here its cause is enough.
      const parts = s.streams.map((x) => `${x.label}: ${x.status.kind === 'error' ? `stopped (${why(x.status.error)})` : describeStatus(x.status)}`);
      if (s.echoSuppressed > 0) parts.push(`echo suppressed: ${s.echoSuppressed} line${s.echoSuppressed === 1 ? '' : 's'}`);
      return parts.join(' · ');
    }
  }
}

/** The specifics of a failure for a one-line status (the close code, the network error); the general message otherwise. */
function why(e: ErrorInfo): string {
  return e.detail ?? e.message;
}
