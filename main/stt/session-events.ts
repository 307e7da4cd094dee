/**
 * What the reconnecting session (streaming-session.ts) tells the pipeline. Caption changes
 * are already on the continuous timeline, with ids unique across reconnects.
 */
import type { Segment } from '../../shared/captions.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { ConnectionStatus } from '../../shared/status.js';

export type CaptionChange =
  | { kind: 'upsert'; segment: Segment }
  | { kind: 'remove'; id: string };

export type SessionEvent =
  | { type: 'status'; status: ConnectionStatus }
  | { type: 'caption'; change: CaptionChange }
  /** Something a person should know that does not stop captions (dropped backlog, server warning). */
  | { type: 'warning'; error: ErrorInfo }
  /** The service says which language it hears (auto-detection); sent when it changes. */
  | { type: 'language'; code: string }
  /** Captioning cannot go on (refused key, rejected settings). No retry follows. */
  | { type: 'fatal'; error: ErrorInfo };

export interface SessionStats {
  /** Samples (at the provider rate) appended by the pipeline. */
  capturedSamples: number;
  /** Distinct timeline samples sent at least once (replays not double-counted). */
  sentSamples: number;
  /** Samples dropped because the backlog overflowed. */
  droppedSamples: number;
  backlogSeconds: number;
  /** Links opened, including the first. */
  connections: number;
  malformedMessages: number;
}
