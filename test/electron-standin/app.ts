/**
 * `app` and `session`: ready, quit (with the documented before-quit → close windows →
 * will-quit → quit order, each cancellable where Electron's is), paths in tmp dirs, and the
 * default session's protocol and permission handlers.
 * https://www.electronjs.org/docs/latest/api/app
 * https://www.electronjs.org/docs/latest/api/session
 */
import { tmpdir } from 'node:os';
import { appEvents } from './app-events.js';
import { BrowserWindowStandin, installBindings } from './browser-window.js';
import { protocolModule, protocols } from './protocol.js';
import { notImplemented, preventableEvent, strict } from './strict.js';
import { world } from './world.js';

let ready = false;
let resolveReady: () => void = () => undefined;
const readyPromise = new Promise<void>((ok) => { resolveReady = ok; });
let resolveQuit: () => void = () => undefined;
export const quitPromise = new Promise<void>((ok) => { resolveQuit = ok; });
let quitDone = false;

/** Called by boot.ts once main.js has run its top level, as Electron does after the main script. */
export async function becomeReady(): Promise<void> {
  const config = world.requireConfig();
  world.browser = await config.launchBrowser();
  world.context = await world.browser.newContext({ viewport: null });
  await installBindings(world.context);
  protocols.ready = true;
  ready = true;
  appEvents.emit('ready', preventableEvent(), {});
  resolveReady();
}

async function shutdown(): Promise<void> {
  if (quitDone) return;
  quitDone = true;
  await protocols.close();
  await world.browser?.close().catch(() => undefined);
  resolveQuit();
}

const appImpl = Object.assign(appEvents, {
  // https://www.electronjs.org/docs/latest/api/app#apprequestsingleinstancelockadditionaldata: the first instance gets it.
  requestSingleInstanceLock: () => true,
  // https://www.electronjs.org/docs/latest/api/app#appwhenready
  whenReady: () => readyPromise,
  // https://www.electronjs.org/docs/latest/api/app#appisready
  isReady: () => ready,
  // https://www.electronjs.org/docs/latest/api/app#appispackaged
  isPackaged: false,
  // https://www.electronjs.org/docs/latest/api/app#appgetpathname
  getPath: (name: string): string => {
    const config = world.requireConfig();
    if (name === 'userData') return config.userData;
    if (name === 'documents') return config.documents;
    // "temp: Temporary directory." (same page)
    if (name === 'temp') return tmpdir();
    throw notImplemented(`app.getPath('${name}')`);
  },
  // https://www.electronjs.org/docs/latest/api/app#appquit: before-quit, then every window is
  // asked to close (a window that cancels 'close' cancels the quit), then will-quit, then quit.
  quit: (): void => {
    if (quitDone) return;
    const before = preventableEvent();
    appEvents.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of BrowserWindowStandin.getAllWindows()) {
      w.close();
      if (!w.isDestroyed()) return;
    }
    const will = preventableEvent();
    appEvents.emit('will-quit', will);
    if (will.defaultPrevented) return;
    appEvents.emit('quit', preventableEvent(), 0);
    void shutdown();
  },
  // https://www.electronjs.org/docs/latest/api/app#appexitexitcode: no events, windows closed at once.
  // The stand-in records the code instead of ending the test process.
  exit: (code = 0): void => {
    world.exitCode = code;
    for (const w of BrowserWindowStandin.getAllWindows()) w.destroy();
    void shutdown();
  },
  commandLine: strict({}, 'app.commandLine'),
});

export const app = strict(appImpl, 'app');

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean;

export const sessionHandlers: { request: PermissionRequestHandler | null; check: PermissionCheckHandler | null } = { request: null, check: null };

const defaultSession = strict({
  protocol: protocolModule('session.protocol', false),
  // https://www.electronjs.org/docs/latest/api/session#sessetpermissionrequesthandlerhandler
  setPermissionRequestHandler: (h: PermissionRequestHandler | null) => { sessionHandlers.request = h; },
  // https://www.electronjs.org/docs/latest/api/session#sessetpermissioncheckhandlerhandler
  setPermissionCheckHandler: (h: PermissionCheckHandler | null) => { sessionHandlers.check = h; },
}, 'session.defaultSession');

// https://www.electronjs.org/docs/latest/api/session#sessiondefaultsession
export const session = strict({
  get defaultSession() {
    if (!ready) throw new Error('session.defaultSession is only available after app ready');
    return defaultSession;
  },
}, 'session');

export const protocol = protocolModule('protocol', true);
