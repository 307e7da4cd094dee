/**
 * BrowserWindow, WebContents and WebFrameMain: each window is a real Chromium page (one
 * Playwright page in the default session's context). loadURL goes through the app's own
 * protocol handler (protocol.ts) and runs the preload first (preload-sandbox.ts).
 * https://www.electronjs.org/docs/latest/api/browser-window
 * https://www.electronjs.org/docs/latest/api/web-contents
 * https://www.electronjs.org/docs/latest/api/web-frame-main
 */
import type { BrowserContext, Disposable, Page } from 'playwright-core';
import { appEvents } from './app-events.js';
import { ipcMainImpl } from './ipc-main.js';
import { BINDING, CALLBACK, CONTEXT_MENU, FN, pageBridgeScript, PreloadWorld, WINDOW_OPEN } from './preload-sandbox.js';
import { protocols } from './protocol.js';
import { notImplemented, preventableEvent, strict, StrictEmitter } from './strict.js';
import { world } from './world.js';

export interface Rect { x: number; y: number; width: number; height: number }

interface WindowOptions {
  x?: number; y?: number; width?: number; height?: number; show?: boolean; title?: string;
  webPreferences?: { preload?: string; sandbox?: boolean; contextIsolation?: boolean; nodeIntegration?: boolean; [k: string]: unknown };
  [k: string]: unknown;
}

let nextId = 1;

/** Which webContents each Chromium page belongs to. */
const owners = new WeakMap<Page, WebContentsStandin>();

/**
 * The page→preload bindings, registered once on the context before any page exists (per-page
 * registration races with page creation in Playwright and can leave a page without them).
 */
export async function installBindings(context: BrowserContext): Promise<void> {
  await context.exposeBinding(BINDING, (source, loadId: number, fnId: number, args: unknown[]) => {
    const owner = source.page ? owners.get(source.page) : undefined;
    if (!owner) throw new Error('stand-in: a bridged call from a page that is not a window');
    return owner.callFromPage(loadId, fnId, args);
  });
  await context.exposeBinding(WINDOW_OPEN, (source, loadId: number, details: { url: string; frameName: string; features: string }) => {
    const owner = source.page ? owners.get(source.page) : undefined;
    owner?.windowOpenFromPage(loadId, details);
  });
  await context.exposeBinding(CONTEXT_MENU, (source, loadId: number, params: Record<string, unknown>) => {
    const owner = source.page ? owners.get(source.page) : undefined;
    owner?.contextMenuFromPage(loadId, params);
  });
  // Navigations the page starts itself (links, location changes, form posts) get 'will-navigate' first.
  await context.route('**/*', async (route) => {
    const request = route.request();
    if (!request.isNavigationRequest()) return route.continue();
    let frame;
    try {
      frame = request.frame();
    } catch {
      return route.continue(); // a new window's first load: window.open, handled below
    }
    const owner = owners.get(frame.page());
    if (!owner || frame !== frame.page().mainFrame()) return route.continue();
    return owner.willNavigate(request.url()) ? route.continue() : route.abort('aborted');
  });
}

// https://www.electronjs.org/docs/latest/api/web-frame-main: the same object for the frame's lifetime.
class WebFrameMainStandin {
  constructor(private readonly contents: WebContentsStandin, readonly routingId: number) {}
  get url(): string { return this.contents.getURL(); }
  get processId(): number { return this.contents.id; }
  get detached(): boolean { return this.contents.isDestroyed(); }
  get parent(): null { return null; }
  get top(): this { return this; }
}

export class WebContentsStandin extends StrictEmitter {
  readonly id = nextId++;
  readonly mainFrame: WebFrameMainStandin;
  private url = '';
  private loading = false;
  private destroyed = false;
  private preloadWorld: PreloadWorld | null = null;
  private initScript: Disposable | null = null;
  private loads = 0;
  private openHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;

  private readonly wired: Promise<void>;

  constructor(readonly pagePromise: Promise<Page>, private readonly preload: string | undefined) {
    super('webContents', ['did-start-loading', 'did-finish-load', 'did-fail-load', 'destroyed', 'will-navigate', 'will-redirect', 'will-attach-webview', 'context-menu']);
    this.mainFrame = strict(new WebFrameMainStandin(this, this.id * 100), 'WebFrameMain');
    this.wired = pagePromise.then((page) => { this.wirePage(page); });
    this.wired.catch(() => undefined);
  }

  // https://www.electronjs.org/docs/latest/api/web-contents#contentsgeturl
  getURL(): string { return this.url; }
  // https://www.electronjs.org/docs/latest/api/web-contents#contentsisloading
  isLoading(): boolean { return this.loading; }
  // https://www.electronjs.org/docs/latest/api/web-contents#contentsisdestroyed
  isDestroyed(): boolean { return this.destroyed; }

  // https://www.electronjs.org/docs/latest/api/web-contents#contentssendchannel-args
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.preloadWorld?.deliver(channel, args);
  }

  // https://www.electronjs.org/docs/latest/api/web-contents#contentssetwindowopenhandlerhandler
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.openHandler = handler;
  }

  // https://www.electronjs.org/docs/latest/api/web-contents#contentsloadurlurl-options
  async loadURL(url: string): Promise<void> {
    const page = await this.pagePromise;
    await this.wired;
    this.url = url;
    this.loading = true;
    // https://www.electronjs.org/docs/latest/api/web-contents#event-did-start-loading
    // "Corresponds to the points in time when the spinner of the tab started spinning."
    this.emit('did-start-loading');
    const loadId = ++this.loads;
    this.preloadWorld?.dispose();
    await this.initScript?.dispose();
    const httpUrl = await protocols.toHttp(url);
    const preloadWorld = new PreloadWorld(loadId, url, this, page, (m) => world.problems.push(`${url}: ${m}`));
    this.preloadWorld = preloadWorld;
    if (this.preload) {
      try {
        preloadWorld.run(this.preload);
      } catch (err) {
        // Electron logs "Unable to load preload script" and goes on loading the page.
        world.problems.push(`Unable to load preload script ${this.preload}: ${String(err)}`);
      }
    }
    this.initScript = await page.addInitScript(pageBridgeScript, {
      loadId, href: httpUrl, exposures: preloadWorld.exposures, names: { FN, BINDING, CALLBACK, CONTEXT_MENU, WINDOW_OPEN },
    });
    try {
      this.ownNavigation = httpUrl;
      await page.goto(httpUrl, { waitUntil: 'load' });
      // Bridge calls the page made while loading (listener registrations) arrive before 'did-finish-load'.
      await page.evaluate(() => 0);
    } catch (err) {
      this.loading = false;
      this.emit('did-fail-load', preventableEvent(), -2, String(err), url, true);
      throw err;
    }
    this.loading = false;
    this.emit('did-finish-load', preventableEvent());
  }

  // Edit commands: https://www.electronjs.org/docs/latest/api/web-contents#contentsundo (and redo, cut, copy,
  // paste, delete, selectAll below). Chromium runs them for the focused element, as the keyboard shortcuts do.
  undo(): void { this.editCommand('Control+Z'); }
  redo(): void { this.editCommand('Control+Shift+Z'); }
  cut(): void { this.editCommand('Control+X'); }
  copy(): void { this.editCommand('Control+C'); }
  paste(): void { this.editCommand('Control+V'); }
  delete(): void { this.editCommand('Delete'); }
  selectAll(): void { this.editCommand('Control+A'); }

  /** Resolves when the edit commands issued so far have run (test access). */
  editsDone(): Promise<void> { return this.edits; }

  private edits: Promise<void> = Promise.resolve();
  private editCommand(keys: string): void {
    this.edits = this.edits.then(async () => { await (await this.pagePromise).keyboard.press(keys); }).catch((err: unknown) => { world.problems.push(`edit command ${keys}: ${String(err)}`); });
  }

  /** Test access: the Chromium page showing this webContents. */
  page(): Promise<Page> {
    return this.pagePromise;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.preloadWorld?.dispose();
    void this.pagePromise.then((p) => p.close()).catch(() => undefined);
    this.emit('destroyed', preventableEvent());
  }

  /** A bridged call from this webContents' page (bindings are registered once per context, see installBindings). */
  callFromPage(loadId: number, fnId: number, args: unknown[]): Promise<unknown> {
    if (loadId !== this.loads || !this.preloadWorld) throw new Error('stand-in: a call from a page that has since navigated');
    return this.preloadWorld.callFromPage(fnId, args);
  }

  /** A right-click the page did not cancel: https://www.electronjs.org/docs/latest/api/web-contents#event-context-menu */
  contextMenuFromPage(loadId: number, p: Record<string, unknown>): void {
    if (loadId !== this.loads || this.destroyed) return;
    const editable = p.isEditable === true;
    const params = {
      x: p.x, y: p.y, frame: this.mainFrame, linkURL: p.linkURL, linkText: p.linkText, pageURL: this.url, frameURL: this.url, srcURL: '',
      mediaType: 'none', hasImageContents: false, isEditable: editable, selectionText: p.selectionText, titleText: p.titleText, altText: p.altText,
      suggestedFilename: '', selectionRect: { x: 0, y: 0, width: 0, height: 0 }, selectionStartOffset: 0, referrerPolicy: { url: '', policy: 'default' },
      misspelledWord: '', dictionarySuggestions: [], frameCharset: 'UTF-8', formControlType: p.formControlType, spellcheckEnabled: p.spellcheckEnabled,
      menuSourceType: 'mouse',
      mediaFlags: { inError: false, isPaused: false, isMuted: false, hasAudio: false, isLooping: false, isControlsVisible: false, canToggleControls: false, canPrint: false, canSave: false, canShowPictureInPicture: false, isShowingPictureInPicture: false, canRotate: false, canLoop: false },
      editFlags: {
        canUndo: editable, canRedo: editable, canCut: editable && p.hasSelection === true, canCopy: p.hasSelection === true,
        canPaste: editable, canDelete: editable && p.hasSelection === true, canSelectAll: editable ? p.hasValue === true : p.docHasText === true, canEditRichly: false,
      },
    };
    this.emit('context-menu', preventableEvent(), params);
  }

  /** https://www.electronjs.org/docs/latest/api/web-contents#contentssetwindowopenhandlerhandler */
  windowOpenFromPage(loadId: number, details: { url: string; frameName: string; features: string }): void {
    if (loadId !== this.loads || this.destroyed) return;
    const url = protocols.toApp(details.url) ?? details.url;
    const decision = this.openHandler?.({ url, frameName: details.frameName, features: details.features, disposition: 'new-window', referrer: { url: this.url, policy: 'default' } } as { url: string })
      ?? { action: 'allow' };
    if (decision.action !== 'deny') world.problems.push(`a page was allowed to open a window (${url}), which this stand-in does not model`);
  }

  /** The http URL loadURL itself is navigating to: not a page-initiated navigation. */
  private ownNavigation: string | null = null;

  /** https://www.electronjs.org/docs/latest/api/web-contents#event-will-navigate: not for loadURL; preventDefault() cancels. */
  willNavigate(httpUrl: string): boolean {
    if (this.ownNavigation === httpUrl) {
      this.ownNavigation = null;
      return true;
    }
    const event = preventableEvent();
    this.emit('will-navigate', event, protocols.toApp(httpUrl) ?? httpUrl);
    return !event.defaultPrevented;
  }

  private wirePage(page: Page): void {
    owners.set(page, this);
    // window.open is answered in the page (see pageBridgeScript); a window opened another way
    // (a target=_blank link) is not modelled: close it and say so.
    page.on('popup', (popup) => {
      void popup.close();
      world.problems.push(`a page opened a window without window.open (${popup.url()}), which this stand-in does not model`);
    });
    page.on('pageerror', (e) => world.problems.push(`${this.url}: pageerror: ${e.message}`));
    page.on('console', (m) => {
      // Headless Chromium asks for /favicon.ico on its own; Electron's windows do not.
      if (m.type() !== 'error' || m.location().url.endsWith('/favicon.ico')) return;
      world.problems.push(`${this.url}: console: ${m.text()}`);
    });
  }
}

export class BrowserWindowStandin extends StrictEmitter {
  static readonly all: BrowserWindowStandin[] = [];
  readonly id = nextId++;
  readonly webContents: WebContentsStandin;
  private bounds: Rect;
  private visible: boolean;
  private destroyed = false;
  private readyShown = false;
  private minimized = false;
  /** Test-visible state set by the app. */
  ignoreMouseEvents: { ignore: boolean; forward: boolean } = { ignore: false, forward: false };
  alwaysOnTop: { flag: boolean; level: string } = { flag: false, level: 'floating' };
  contentProtection = false;
  visibleOnAllWorkspaces = false;

  // https://www.electronjs.org/docs/latest/api/browser-window#new-browserwindowoptions
  constructor(readonly options: WindowOptions = {}) {
    super('BrowserWindow', ['ready-to-show', 'close', 'closed', 'move', 'resize', 'show', 'hide', 'focus', 'blur']);
    const prefs = options.webPreferences ?? {};
    // Every window of this app must be sandboxed and isolated; the stand-in models only that.
    if (prefs.sandbox === false || prefs.contextIsolation === false || prefs.nodeIntegration === true) {
      throw notImplemented('BrowserWindow without sandbox + contextIsolation');
    }
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.visible = options.show ?? true;
    const context = world.context;
    if (!context) throw new Error('stand-in: BrowserWindow created before app ready');
    const page = context.newPage().then(async (p) => {
      await p.setViewportSize({ width: this.bounds.width, height: this.bounds.height });
      return p;
    });
    this.webContents = strict(new WebContentsStandin(page, prefs.preload), 'webContents');
    this.webContents.on('did-finish-load', () => {
      if (this.readyShown || this.destroyed) return;
      this.readyShown = true;
      this.emit('ready-to-show', preventableEvent());
    });
    BrowserWindowStandin.all.push(this);
    const self = strict(this, 'BrowserWindow');
    appEvents.emit('web-contents-created', preventableEvent(), this.webContents);
    return self;
  }

  // https://www.electronjs.org/docs/latest/api/browser-window#browserwindowgetallwindows
  static getAllWindows(): BrowserWindowStandin[] {
    return BrowserWindowStandin.all.filter((w) => !w.destroyed);
  }

  // https://www.electronjs.org/docs/latest/api/browser-window#winloadurlurl-options
  loadURL(url: string): Promise<void> { return this.webContents.loadURL(url); }
  getTitle(): string { return this.options.title ?? ''; }

  // https://www.electronjs.org/docs/latest/api/browser-window#winshow
  show(): void { this.setVisible(true); this.minimized = false; world.focusedWindow = this; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winshowinactive
  showInactive(): void { this.setVisible(true); }
  // https://www.electronjs.org/docs/latest/api/browser-window#winhide
  hide(): void { this.setVisible(false); }
  // https://www.electronjs.org/docs/latest/api/browser-window#winisvisible
  isVisible(): boolean { return this.visible && !this.destroyed; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winfocus
  focus(): void {
    world.focusedWindow = this;
    void this.webContents.page().then((p) => p.bringToFront()).catch(() => undefined);
  }
  // https://www.electronjs.org/docs/latest/api/browser-window#winisminimized
  isMinimized(): boolean { return this.minimized; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winrestore
  restore(): void { this.minimized = false; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winisdestroyed
  isDestroyed(): boolean { return this.destroyed; }

  // https://www.electronjs.org/docs/latest/api/browser-window#wingetbounds
  getBounds(): Rect { return { ...this.bounds }; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winsetboundsbounds-animate-macos
  setBounds(b: Partial<Rect>): void {
    const next = { ...this.bounds, ...b };
    const moved = next.x !== this.bounds.x || next.y !== this.bounds.y;
    const resized = next.width !== this.bounds.width || next.height !== this.bounds.height;
    this.bounds = next;
    if (resized) void this.webContents.page().then((p) => p.setViewportSize({ width: next.width, height: next.height })).catch(() => undefined);
    if (moved) this.emit('move', preventableEvent());
    if (resized) this.emit('resize', preventableEvent());
  }

  // https://www.electronjs.org/docs/latest/api/browser-window#winsetalwaysontopflag-level-relativelevel
  setAlwaysOnTop(flag: boolean, level = 'floating'): void { this.alwaysOnTop = { flag, level }; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winsetvisibleonallworkspacesvisible-options-macos-linux
  setVisibleOnAllWorkspaces(visible: boolean): void { this.visibleOnAllWorkspaces = visible; }
  // https://www.electronjs.org/docs/latest/api/browser-window#winsetignoremouseeventsignore-options
  setIgnoreMouseEvents(ignore: boolean, options: { forward?: boolean } = {}): void {
    this.ignoreMouseEvents = { ignore, forward: ignore && options.forward === true };
  }
  // https://www.electronjs.org/docs/latest/api/browser-window#winsetcontentprotectionenable-macos-windows
  setContentProtection(enable: boolean): void { this.contentProtection = enable; }

  // https://www.electronjs.org/docs/latest/api/browser-window#winclose: like a click on the close button; 'close' may cancel it.
  close(): void {
    if (this.destroyed) return;
    const event = preventableEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }

  // https://www.electronjs.org/docs/latest/api/browser-window#windestroy: no 'close' event, 'closed' is emitted.
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroy();
    this.emit('closed');
    if (BrowserWindowStandin.getAllWindows().length === 0) appEvents.emit('window-all-closed', preventableEvent());
  }

  private setVisible(on: boolean): void {
    if (this.destroyed || this.visible === on) return;
    this.visible = on;
    this.emit(on ? 'show' : 'hide', preventableEvent());
  }
}
