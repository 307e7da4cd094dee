/**
 * The stand-in for the 'electron' module in the main process. Only what main/app uses is
 * here; every object refuses unknown properties (strict.ts). An import of a name that is
 * not exported fails when main.js links, which is as loud.
 */
import { app, protocol, session } from './app.js';
import { BrowserWindowStandin } from './browser-window.js';
import { ipcMain } from './ipc-main.js';
import { strict } from './strict.js';
import {
  clipboard, desktopCapturer, dialog, globalShortcut, MenuItemStandin, MenuStandin, nativeImage, safeStorage, screen, TrayStandin,
} from './system.js';

export const BrowserWindow = strict(BrowserWindowStandin, 'BrowserWindow');
export const Menu = strict(MenuStandin, 'Menu');
export const MenuItem = strict(MenuItemStandin, 'MenuItem');
export const Tray = strict(TrayStandin, 'Tray');
export { app, clipboard, desktopCapturer, dialog, globalShortcut, ipcMain, nativeImage, protocol, safeStorage, screen, session };

export default strict({
  app, BrowserWindow, clipboard, desktopCapturer, dialog, globalShortcut, ipcMain, Menu, MenuItem, nativeImage, protocol, safeStorage, screen, session, Tray,
}, 'electron');
