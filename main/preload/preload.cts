/**
 * The only bridge between a page and main. Sandboxed preloads are CommonJS and may require
 * nothing but 'electron', so channel names are literals here, checked against the contract
 * by the types. Each page gets only its own bridge as `window.earshot`, made of named
 * methods; ipcRenderer itself is never exposed. Main validates every message again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  CaptureBridge, EarshotBridges, HistoryBridge, InvokeChannels, MainToRenderer, OverlayWindowBridge,
  PageId, SendChannels, SettingsBridge,
} from '../../shared/ipc-contract.js';

function invoke<K extends keyof InvokeChannels>(channel: K, payload?: InvokeChannels[K]['req']): Promise<InvokeChannels[K]['res']> {
  return ipcRenderer.invoke(channel, payload) as Promise<InvokeChannels[K]['res']>;
}

function send<K extends keyof SendChannels>(channel: K, payload: SendChannels[K]): void {
  ipcRenderer.send(channel, payload);
}

/** Subscribes to the listed push channels only; returns an unsubscribe. */
function listener<A extends readonly (keyof MainToRenderer)[]>(allowed: A) {
  return <K extends A[number]>(channel: K, fn: (payload: MainToRenderer[K]) => void): (() => void) => {
    if (!allowed.includes(channel)) throw new Error(`Unknown channel ${String(channel)}`);
    const wrapped = (_event: IpcRendererEvent, payload: MainToRenderer[K]) => fn(payload);
    ipcRenderer.on(channel, wrapped);
    return () => { ipcRenderer.removeListener(channel, wrapped); };
  };
}

const overlay: OverlayWindowBridge = {
  getSnapshot: () => invoke('captions:get-snapshot'),
  getStyle: () => invoke('style:get'),
  setClickThrough: (on) => invoke('overlay:set-click-through', on),
  hoverUnlock: (hovering) => send('overlay:hover-unlock', hovering),
  resize: (size) => invoke('overlay:resize', size),
  on: listener(['captions:diff', 'status', 'level', 'style', 'overlay:click-through', 'notice'] as const) as OverlayWindowBridge['on'],
};

const settings: SettingsBridge = {
  get: () => invoke('settings:get'),
  save: (s) => invoke('settings:save', s),
  previewStyle: (style) => invoke('settings:preview-style', style),
  endPreview: () => invoke('settings:end-preview'),
  setKey: (request) => invoke('keys:set', request),
  clearKey: (provider) => invoke('keys:clear', provider),
  listDevices: () => invoke('audio:devices'),
  testLevel: (source) => invoke('audio:test-level', source),
  on: listener(['settings:changed', 'keys:changed', 'audio:test-level', 'app:state', 'status', 'notice'] as const),
};

const history: HistoryBridge = {
  get: () => invoke('history:get'),
  exportAs: (request) => invoke('history:export', request),
  copy: (text) => invoke('history:copy', text),
  transcribeFile: (request) => invoke('transcribe:start', request),
  cancelTranscription: () => invoke('transcribe:cancel'),
  transcriptionStatus: () => invoke('transcribe:status'),
  improve: (audio) => invoke('history:improve', audio),
  resolveImproved: (choice) => invoke('history:resolve-improved', choice),
  on: listener(['history:appended', 'transcribe:progress'] as const),
};

const capture: CaptureBridge = {
  chunk: (chunk) => send('capture:chunk', chunk),
  status: (status) => send('capture:status', status),
  on: listener(['capture:command'] as const),
};

const bridges: EarshotBridges = { overlay, settings, history, capture };
const pages: Record<string, PageId> = {
  '/overlay.html': 'overlay', '/settings.html': 'settings', '/history.html': 'history', '/capture.html': 'capture',
};

// The preload is compiled without DOM types; it only needs these three fields.
const { location } = globalThis as unknown as { location: { protocol: string; host: string; pathname: string } };

// Only our own pages get a bridge; main checks the sender of every message as well.
if (location.protocol === 'app:' && location.host === 'earshot') {
  const page = pages[location.pathname];
  if (page) contextBridge.exposeInMainWorld('earshot', bridges[page]);
}
