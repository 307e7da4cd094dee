/**
 * Every IPC channel between main and the renderers, in one place. The preload exposes
 * `EarshotBridge` (derived from these types); main registers one handler per channel and
 * validates the sender and payload of each. The browser overlay implements the overlay
 * part of the bridge over HTTP (snapshot) + Server-Sent Events (diffs, status, style).
 */
import type { CaptionDiff, CaptionSnapshot } from './captions.js';
import type { ErrorInfo } from './errors.js';
import type { OverlayStyle } from './overlay-style.js';
import type { AudioLevel, ConnectionStatus } from './status.js';

/** Pushed from main to renderers. */
export interface MainToRenderer {
  'captions:diff': CaptionDiff;
  status: ConnectionStatus;
  level: AudioLevel;
  style: OverlayStyle;
  'overlay:click-through': boolean;
  notice: ErrorInfo;
}

/** What the overlay needs; the same shape in Electron and in a browser. */
export interface OverlayBridge {
  getSnapshot(): Promise<CaptionSnapshot>;
  getStyle(): Promise<OverlayStyle>;
  on<K extends keyof MainToRenderer>(channel: K, listener: (payload: MainToRenderer[K]) => void): () => void;
}
