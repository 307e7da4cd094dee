/**
 * A window's preload, run the way a sandboxed preload runs: in its own context, before the
 * page's scripts, with `require` that gives 'electron' only (the renderer modules this
 * stand-in implements) and `location` of the app URL the window loaded. What it hands to
 * contextBridge.exposeInMainWorld becomes the page's window property: functions are proxied
 * to the other side, every other value is structured-cloned on each crossing (arguments,
 * results, callbacks), as Electron's context bridge does.
 * https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts
 * https://www.electronjs.org/docs/latest/api/context-bridge
 *
 * The page side talks to this over a Playwright binding, which is asynchronous: a bridged
 * function that returns synchronously in Electron (an unsubscribe function, say) returns a
 * handle here that is both callable and awaitable.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import type { Page } from 'playwright-core';
import { cloneForIpc, ipcMainImpl, type SenderContents } from './ipc-main.js';
import { notImplemented, strict } from './strict.js';

export const FN = '__earshotStandinFn';
export const BINDING = '__earshotStandinCall';
export const CALLBACK = '__earshotStandinCallback';
export const CONTEXT_MENU = '__earshotStandinContextMenu';
export const WINDOW_OPEN = '__earshotStandinWindowOpen';

type AnyFn = (...args: unknown[]) => unknown;

export class PreloadWorld {
  readonly exposures: Record<string, unknown> = {};
  private readonly functions = new Map<number, AnyFn>();
  private nextFn = 1;
  private readonly listeners = new EventEmitter();
  private alive = true;

  constructor(
    readonly loadId: number,
    private readonly appUrl: string,
    private readonly contents: SenderContents,
    private readonly page: Page,
    private readonly onProblem: (message: string) => void,
  ) {}

  run(preloadPath: string): void {
    const url = new URL(this.appUrl);
    const location = Object.freeze({
      href: url.href, protocol: url.protocol, host: url.host, hostname: url.hostname, port: url.port,
      pathname: url.pathname, search: url.search, hash: url.hash, origin: `${url.protocol}//${url.host}`,
    });
    const electron = strict({ contextBridge: this.contextBridge(), ipcRenderer: this.ipcRenderer() }, 'electron (renderer)');
    // https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts: a limited require. This
    // stand-in is stricter than Electron (which also offers events, timers and url): only 'electron'.
    const require = (id: string) => {
      if (id === 'electron' || id === 'electron/renderer') return electron;
      throw new Error(`stand-in: a sandboxed preload cannot require('${id}')`);
    };
    const module = { exports: {} as unknown };
    const context = vm.createContext({ location, console, setTimeout, clearTimeout, queueMicrotask });
    const wrapper = vm.runInContext(`(function (exports, require, module) {${readFileSync(preloadPath, 'utf8')}\n})`, context, { filename: preloadPath }) as
      (e: unknown, r: typeof require, m: typeof module) => void;
    wrapper(module.exports, require, module);
  }

  dispose(): void {
    this.alive = false;
    this.listeners.removeAllListeners();
    this.functions.clear();
  }

  /** A page called one of the functions this world exposed. */
  async callFromPage(fnId: number, wireArgs: unknown[]): Promise<unknown> {
    const fn = this.functions.get(fnId);
    if (!fn) throw new Error('stand-in: the bridged function belongs to a page that is gone');
    const args = cloneForIpc(wireArgs, 'contextBridge argument').map((a) => this.fromPage(a));
    const result = await fn(...args);
    return cloneForIpc(this.toPage(result), 'contextBridge return value');
  }

  /** webContents.send → the preload's ipcRenderer.on listeners. */
  deliver(channel: string, args: unknown[]): void {
    if (!this.alive) return;
    const cloned = cloneForIpc(args, `webContents.send('${channel}')`);
    // https://www.electronjs.org/docs/latest/api/structures/ipc-renderer-event
    const event = strict({ sender: null, ports: [] }, 'IpcRendererEvent');
    this.listeners.emit(channel, event, ...cloned);
  }

  // https://www.electronjs.org/docs/latest/api/context-bridge#contextbridgeexposeinmainworldapikey-api
  private contextBridge() {
    return {
      exposeInMainWorld: (key: string, api: unknown) => {
        if (key in this.exposures) throw new Error(`Cannot bind an API on top of an existing property on the window object (${key})`);
        this.exposures[key] = cloneForIpc(this.toPage(api), 'contextBridge.exposeInMainWorld');
      },
    };
  }

  private ipcRenderer() {
    const sender = this.contents;
    const listeners = this.listeners;
    const ipc = {
      // https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendererinvokechannel-args
      invoke: (channel: string, ...args: unknown[]) => ipcMainImpl.invokeFrom(sender, channel, args),
      // https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrenderersendchannel-args
      send: (channel: string, ...args: unknown[]) => { ipcMainImpl.sendFrom(sender, channel, args); },
      // https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendereronchannel-listener
      on: (channel: string, listener: AnyFn) => { listeners.on(channel, listener); return ipcProxy; },
      once: (channel: string, listener: AnyFn) => { listeners.once(channel, listener); return ipcProxy; },
      // https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendererremovelistenerchannel-listener
      removeListener: (channel: string, listener: AnyFn) => { listeners.removeListener(channel, listener); return ipcProxy; },
      off: (channel: string, listener: AnyFn) => { listeners.off(channel, listener); return ipcProxy; },
      removeAllListeners: (channel?: string) => { listeners.removeAllListeners(channel); return ipcProxy; },
      sendSync: () => { throw notImplemented('ipcRenderer.sendSync'); },
    };
    const ipcProxy = strict(ipc, 'ipcRenderer');
    return ipcProxy;
  }

  /** Main-side value → what crosses to the page: functions become handles. */
  private toPage(value: unknown): unknown {
    if (typeof value === 'function') {
      const id = this.nextFn++;
      this.functions.set(id, value as AnyFn);
      return { [FN]: id };
    }
    if (Array.isArray(value)) return value.map((v) => this.toPage(v));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.toPage(v)]));
    return value;
  }

  /** Page-side value → preload value: function handles become callable proxies into the page. */
  private fromPage(value: unknown): unknown {
    if (isPlainObject(value) && typeof value[FN] === 'number') {
      const id = value[FN];
      return (...args: unknown[]) => { this.callPage(id, args); };
    }
    if (Array.isArray(value)) return value.map((v) => this.fromPage(v));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.fromPage(v)]));
    return value;
  }

  private callPage(id: number, args: unknown[]): void {
    if (!this.alive) return;
    const wire = cloneForIpc(this.toPage(args), 'contextBridge callback argument');
    const loadId = this.loadId;
    this.page.evaluate(([name, load, fnId, a]) => {
      const cb = (globalThis as unknown as Record<string, (l: number, i: number, x: unknown) => void>)[name as string];
      cb?.(load as number, fnId as number, a);
    }, [CALLBACK, loadId, id, wire] as const).catch((err: unknown) => {
      if (this.alive && !this.page.isClosed()) this.onProblem(`callback into the page failed: ${String(err)}`);
    });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  // Objects made in the preload's own context have that context's Object.prototype.
  return proto === null || proto === Object.prototype || (proto as { constructor?: { name?: string } }).constructor?.name === 'Object' && Object.getPrototypeOf(proto) === null;
}

/** Installed in every page before its scripts: turns the exposures into window properties. */
export function pageBridgeScript({ loadId, href, exposures, names }: { loadId: number; href: string; exposures: Record<string, unknown>; names: { FN: string; BINDING: string; CALLBACK: string; CONTEXT_MENU: string; WINDOW_OPEN: string } }): void {
  // Runs in the page, compiled without DOM types: the three globals it needs.
  const w = globalThis as unknown as Record<string, unknown> & { top: unknown; location: { href: string } };
  // The preload runs in the main frame only (nodeIntegrationInSubFrames is off).
  if (w.top !== w || w.location.href !== href) return;
  const call = (load: number, id: number, args: unknown) => (w[names.BINDING] as (l: number, i: number, a: unknown) => Promise<unknown>)(load, id, args);
  const callbacks = new Map<number, (...a: unknown[]) => unknown>();
  let next = 1;
  const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  const toWire = (v: unknown): unknown => {
    if (typeof v === 'function') { callbacks.set(next, v as (...a: unknown[]) => unknown); return { [names.FN]: next++ }; }
    if (Array.isArray(v)) return v.map(toWire);
    if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
    return v;
  };
  const remote = (id: number) => (...args: unknown[]) => {
    const p = call(loadId, id, toWire(args)).then(fromWire);
    const handle = (...a: unknown[]) => p.then((f) => (f as (...x: unknown[]) => unknown)(...a));
    return Object.assign(handle, { then: p.then.bind(p), catch: p.catch.bind(p), finally: p.finally.bind(p) });
  };
  const fromWire = (v: unknown): unknown => {
    if (isPlain(v) && typeof v[names.FN] === 'number') return remote(v[names.FN] as number);
    if (Array.isArray(v)) return v.map(fromWire);
    if (isPlain(v)) return Object.freeze(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)])));
    return v;
  };
  Object.defineProperty(w, names.CALLBACK, {
    value: (load: number, id: number, args: unknown[]) => { if (load === loadId) callbacks.get(id)?.(...(fromWire(args) as unknown[])); },
  });
  for (const [key, value] of Object.entries(exposures)) {
    Object.defineProperty(w, key, { value: fromWire(value), enumerable: true });
  }
  // window.open asks main's window-open handler. This app always denies, and a denied
  // window.open returns null; the stand-in never opens a second window from a page.
  Object.defineProperty(w, 'open', {
    value: (url?: unknown, frameName?: unknown, features?: unknown) => {
      const href = new URL(String(url ?? ''), w.location.href).href;
      void (w[names.WINDOW_OPEN] as (l: number, d: unknown) => Promise<void>)(loadId, { url: href, frameName: String(frameName ?? ''), features: String(features ?? '') });
      return null;
    },
    configurable: true, writable: true,
  });
  // webContents 'context-menu': a right-click the page did not cancel, with what was under it.
  (w as unknown as { addEventListener(t: string, l: (e: Record<string, any>) => void): void }).addEventListener('contextmenu', (e) => {
    setTimeout(() => {
      if (e.defaultPrevented) return;
      const doc = (w as unknown as { document: Record<string, any> }).document;
      const el = e.target as Record<string, any> | null;
      const tag = String(el?.tagName ?? '').toLowerCase();
      const type = String(el?.type ?? '').toLowerCase();
      const textInput = tag === 'textarea' || (tag === 'input' && !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image', 'hidden'].includes(type));
      const isEditable = textInput || el?.isContentEditable === true;
      const selectionText = textInput ? String(el!.value ?? '').slice(el!.selectionStart ?? 0, el!.selectionEnd ?? 0) : String((w as any).getSelection?.() ?? '');
      const formControlType = tag === 'textarea' ? 'text-area' : tag === 'input' ? (type === 'tel' ? 'input-telephone' : `input-${type || 'text'}`) : tag === 'select' ? (el?.multiple ? 'select-multiple' : 'select-one') : 'none';
      const link = el?.closest?.('a[href]') as Record<string, any> | null;
      void (w[names.CONTEXT_MENU] as (l: number, p: unknown) => Promise<void>)(loadId, {
        x: Math.round(e.clientX ?? 0), y: Math.round(e.clientY ?? 0), linkURL: link ? String(link.href) : '', linkText: link ? String(link.textContent ?? '') : '',
        isEditable, selectionText, formControlType, hasSelection: selectionText.length > 0, titleText: String(el?.title ?? ''), altText: String(el?.alt ?? ''),
        spellcheckEnabled: el?.spellcheck === true, hasValue: textInput && String(el!.value ?? '').length > 0, docHasText: String(doc.body?.innerText ?? '').length > 0,
      });
    }, 0);
  });
}
