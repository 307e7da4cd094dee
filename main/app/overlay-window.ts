/**
 * The caption overlay: transparent, frameless, above full-screen video ('screen-saver'
 * level), on every workspace, out of the taskbar, resized by the page's own grip (not by
 * the OS: see `resizable` below), dragged by the page's `-webkit-app-region: drag` area. Its bounds are remembered per display (window-state.ts).
 * Closing hides it: the app lives in the tray.
 */
import { BrowserWindow, screen, type Rectangle } from 'electron';
import { pageUrl } from '../../shared/ipc-contract.js';
import type { OverlayPort } from './app-controller.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';
import { VISIBLE_ON_ALL_WORKSPACES } from './overlay-window-options.js';
import { secureWebPreferences } from './web-preferences.js';
import {
  parseWindowState, recordBounds, rescueBounds, resizeWithin, restoreBounds, MIN_OVERLAY, type DisplayInfo, type WindowState,
} from './window-state.js';

export interface OverlayWindowOptions {
  preload: string;
  devTools: boolean;
  statePath: string;
  /** Called when saving the window state fails (read-only profile, full disk). */
  onError(message: string): void;
}

export interface OverlayWindow {
  window: BrowserWindow;
  port: OverlayPort;
  /** Lets the window really close (app quit). */
  allowClose(): void;
}

const SAVE_DELAY_MS = 400;

function displays(): DisplayInfo[] {
  return screen.getAllDisplays().map((d) => ({ id: d.id, workArea: d.workArea }));
}

export function createOverlayWindow(options: OverlayWindowOptions): OverlayWindow {
  const read = readJsonFile(options.statePath);
  let state: WindowState = parseWindowState(read.kind === 'ok' ? read.value : null);
  const { bounds } = restoreBounds(state, displays(), screen.getPrimaryDisplay().id);

  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_OVERLAY.width,
    minHeight: MIN_OVERLAY.height,
    show: false,
    frame: false,
    transparent: true,
    backgroundColor: '#00000000',
    hasShadow: false,
    // Electron: "Transparent windows are not resizable. Setting resizable to true may make a
    // transparent window stop working on some platforms"
    // (https://www.electronjs.org/docs/latest/tutorial/custom-window-styles#limitations).
    // The page draws its own resize grip instead (overlay:resize).
    resizable: false,
    movable: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    title: 'Earshot captions',
    webPreferences: secureWebPreferences(options.preload, { devTools: options.devTools }),
  });
  // 'screen-saver' is the level that stays above full-screen video on macOS and Windows.
  win.setAlwaysOnTop(true, 'screen-saver');
  win.setVisibleOnAllWorkspaces(true, VISIBLE_ON_ALL_WORKSPACES);
  win.once('ready-to-show', () => win.showInactive());
  void win.loadURL(pageUrl('overlay'));

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const b: Rectangle = win.getBounds();
    state = recordBounds(state, screen.getDisplayMatching(b).id, b);
    try {
      writeJsonFileAtomic(options.statePath, state);
    } catch (err) {
      options.onError(`The overlay position could not be saved: ${(err as Error).message}`);
    }
  };
  const scheduleSave = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DELAY_MS);
  };
  // 'moved'/'resized' exist only on macOS and Windows; the debounced live events work everywhere.
  win.on('move', scheduleSave);
  win.on('resize', scheduleSave);

  const rescue = () => {
    if (win.isDestroyed()) return;
    const fixed = rescueBounds(win.getBounds(), displays());
    if (fixed) win.setBounds(fixed);
  };
  screen.on('display-removed', rescue);
  screen.on('display-metrics-changed', rescue);

  let closing = false;
  win.on('close', (event) => {
    if (closing) return;
    event.preventDefault();
    win.hide();
  });
  win.on('closed', () => {
    clearTimeout(saveTimer);
    screen.off('display-removed', rescue);
    screen.off('display-metrics-changed', rescue);
  });

  const port: OverlayPort = {
    resize: (size) => {
      if (win.isDestroyed()) return;
      const b = win.getBounds();
      win.setBounds(resizeWithin(b, size, screen.getDisplayMatching(b).workArea));
    },
    show: () => { if (!win.isDestroyed()) win.showInactive(); },
    hide: () => { if (!win.isDestroyed()) win.hide(); },
    isVisible: () => !win.isDestroyed() && win.isVisible(),
    // forward: the page still gets mouse-move events, so its unlock handle can light up.
    setClickThrough: (on) => { if (!win.isDestroyed()) win.setIgnoreMouseEvents(on, { forward: true }); },
    setContentProtection: (on) => { if (!win.isDestroyed()) win.setContentProtection(on); },
  };
  return {
    window: win,
    port,
    allowClose: () => {
      closing = true;
      clearTimeout(saveTimer);
      save();
    },
  };
}
