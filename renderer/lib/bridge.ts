/**
 * The one place that finds the overlay's bridge to Earshot. In Electron the preload exposes
 * `window.earshot`; in a browser (the overlay server's `/overlay?token=T`) the same interface
 * is built over fetch + EventSource. Components never see a bridge: they use the store.
 */
import { BRIDGE_GLOBAL, type OverlayBridge } from '../../shared/ipc-contract.js';
import { parseStyleQuery } from '../../shared/overlay-style.js';
import { HttpOverlayBridge, type RendererBridge } from './http-bridge.js';

export type { RendererBridge } from './http-bridge.js';

function isOverlayBridge(v: unknown): v is OverlayBridge {
  const b = v as Partial<OverlayBridge> | null | undefined;
  return typeof b === 'object' && b !== null
    && typeof b.getSnapshot === 'function' && typeof b.getStyle === 'function' && typeof b.on === 'function';
}

type ElectronOverlayBridge = OverlayBridge & Partial<Pick<RendererBridge, 'setClickThrough' | 'hoverUnlock' | 'resize'>>;

function fromElectron(b: ElectronOverlayBridge): RendererBridge {
  const bridge: RendererBridge = {
    getSnapshot: () => b.getSnapshot(),
    getStyle: () => b.getStyle(),
    on: (channel, listener) => b.on(channel, listener),
    // IPC has no link of its own to lose: the page lives exactly as long as its window.
    onLink: () => () => {},
  };
  if (typeof b.setClickThrough === 'function') bridge.setClickThrough = (on) => b.setClickThrough!(on);
  if (typeof b.hoverUnlock === 'function') bridge.hoverUnlock = (hovering) => b.hoverUnlock!(hovering);
  if (typeof b.resize === 'function') bridge.resize = (size) => b.resize!(size);
  return bridge;
}

/** null when the page was opened some other way (a file, or a browser without the server). */
export function selectBridge(): RendererBridge | null {
  const injected = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (isOverlayBridge(injected)) return fromElectron(injected);
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
  const query = new URLSearchParams(location.search);
  return new HttpOverlayBridge({
    origin: location.origin,
    token: query.get('token') ?? '',
    fetch: (url) => fetch(url, { cache: 'no-store', credentials: 'omit' }),
    createEventSource: (url) => new EventSource(url),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (h) => window.clearTimeout(h as number),
    styleOverrides: parseStyleQuery(query),
  });
}

/** Query parameters of the page (empty inside Electron, where settings drive everything). */
export function pageQuery(): URLSearchParams {
  return new URLSearchParams(location.protocol === 'http:' || location.protocol === 'https:' ? location.search : '');
}
