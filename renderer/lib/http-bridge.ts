/**
 * The overlay bridge over HTTP, for the browser overlay (OBS browser source, a tablet):
 * `GET /api/snapshot?token=T` for the state, `GET /api/events?token=T` (Server-Sent Events)
 * for everything pushed. EventSource retries dropped connections itself; when it gives up
 * (the server answered with an error) we open a new one with backoff. Every (re)connection
 * is reported through onLink, so the store can fetch a fresh snapshot.
 *
 * DOM-free types: the page passes the real fetch/EventSource, tests pass fakes.
 */
import type { CaptionSnapshot } from '../../shared/captions.js';
import type { MainToRenderer, OverlayBridge } from '../../shared/ipc-contract.js';
import { DEFAULT_STYLE, sanitizeStyle, type OverlayStyle } from '../../shared/overlay-style.js';
import type { LinkState } from './status-view.js';

export interface RendererBridge extends OverlayBridge {
  onLink(listener: (state: LinkState) => void): () => void;
  /** Present in the Electron overlay only: leaves click-through mode. */
  setClickThrough?(on: boolean): Promise<void>;
  /** Electron overlay only: the pointer is over (or left) the Unlock button. */
  hoverUnlock?(hovering: boolean): void;
  /** Electron overlay only: the resize grip asks for a new window size. */
  resize?(size: { width: number; height: number }): Promise<void>;
}

export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

export interface FetchResponseLike {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export interface HttpBridgeDeps {
  /** e.g. http://127.0.0.1:7723 */
  origin: string;
  token: string;
  fetch(url: string): Promise<FetchResponseLike>;
  createEventSource(url: string): EventSourceLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** From the page URL (parseStyleQuery); win over the style the app pushes. */
  styleOverrides?: Partial<OverlayStyle>;
}

/** The pushed channels the overlay page listens to. */
export const FEED_CHANNELS = ['captions:diff', 'status', 'level', 'style', 'overlay:click-through', 'notice'] as const;

const CLOSED = 2;
const REOPEN_MIN_MS = 1000;
const REOPEN_MAX_MS = 15_000;

export class HttpOverlayBridge implements RendererBridge {
  /** Feed messages that were not JSON; dropped. */
  malformed = 0;
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly linkListeners = new Set<(state: LinkState) => void>();
  private source: EventSourceLike | null = null;
  private reopenHandle: unknown = null;
  private reopenMs = REOPEN_MIN_MS;
  private link: LinkState | null = null;
  private disposed = false;

  constructor(private readonly deps: HttpBridgeDeps) {}

  async getSnapshot(): Promise<CaptionSnapshot> {
    const res = await this.deps.fetch(this.url('/api/snapshot'));
    if (res.status === 401 || res.status === 403) this.setLink('refused');
    if (!res.ok) throw new Error(`snapshot request failed with HTTP ${res.status}`);
    return (await res.json()) as CaptionSnapshot;
  }

  async getStyle(): Promise<OverlayStyle> {
    return this.withOverrides(DEFAULT_STYLE);
  }

  on<K extends keyof MainToRenderer>(channel: K, listener: (payload: MainToRenderer[K]) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    const l = listener as (payload: never) => void;
    set.add(l);
    this.ensureOpen();
    return () => { set.delete(l); };
  }

  onLink(listener: (state: LinkState) => void): () => void {
    this.linkListeners.add(listener);
    this.ensureOpen();
    return () => { this.linkListeners.delete(listener); };
  }

  dispose(): void {
    this.disposed = true;
    if (this.reopenHandle !== null) this.deps.clearTimeout(this.reopenHandle);
    this.reopenHandle = null;
    this.source?.close();
    this.source = null;
    this.listeners.clear();
    this.linkListeners.clear();
  }

  private url(path: string): string {
    return `${this.deps.origin}${path}?token=${encodeURIComponent(this.deps.token)}`;
  }

  private ensureOpen(): void {
    if (this.disposed || this.source || this.reopenHandle !== null) return;
    const es = this.deps.createEventSource(this.url('/api/events'));
    this.source = es;
    es.addEventListener('open', () => {
      if (this.source !== es) return;
      this.reopenMs = REOPEN_MIN_MS;
      this.setLink('up');
    });
    es.addEventListener('error', () => {
      if (this.source !== es) return;
      if (this.link !== 'refused') this.setLink('down');
      if (es.readyState === CLOSED) this.reopenLater(es);
    });
    for (const channel of FEED_CHANNELS) {
      es.addEventListener(channel, (event) => this.dispatch(channel, event.data));
    }
  }

  private reopenLater(es: EventSourceLike): void {
    es.close();
    this.source = null;
    const wait = this.reopenMs;
    this.reopenMs = Math.min(REOPEN_MAX_MS, this.reopenMs * 2);
    this.reopenHandle = this.deps.setTimeout(() => {
      this.reopenHandle = null;
      this.ensureOpen();
    }, wait);
  }

  private dispatch(channel: (typeof FEED_CHANNELS)[number], data: unknown): void {
    let payload: unknown;
    try {
      payload = JSON.parse(String(data));
    } catch {
      this.malformed++;
      return;
    }
    if (channel === 'style') payload = this.withOverrides(payload);
    for (const l of this.listeners.get(channel) ?? []) (l as (p: unknown) => void)(payload);
  }

  private withOverrides(style: unknown): OverlayStyle {
    return sanitizeStyle(this.deps.styleOverrides ?? {}, sanitizeStyle(style));
  }

  private setLink(state: LinkState): void {
    if (state === this.link) return;
    this.link = state;
    for (const l of this.linkListeners) l(state);
  }
}
