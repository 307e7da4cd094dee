/**
 * Boots the real app (out/main/app/main.js, unmodified) in this Node process against the
 * stand-in, and gives the test what a person has: the windows' pages, the tray menu, the
 * clipboard, the save dialog, the shortcuts. This file must be loaded natively (not through
 * vitest's transform) so that main.js and the test share one stand-in instance; vitest.config.ts
 * externalises out/test/electron-standin/ for that.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { becomeReady, quitPromise, sessionHandlers } from './app.js';
import { BrowserWindowStandin } from './browser-window.js';
import { ipcMainImpl } from './ipc-main.js';
import { protocols } from './protocol.js';
import { preventableEvent } from './strict.js';
import { clipboard, clipboardSettled, MenuItemStandin, MenuStandin, secrets, shortcuts, TrayStandin } from './system.js';
import { world, type StandinConfig } from './world.js';

export { world };
export type { BrowserWindowStandin, MenuItemStandin };

let booted = false;

export async function bootApp(config: StandinConfig): Promise<void> {
  if (booted) throw new Error('stand-in: one app per process (start one test file per boot)');
  booted = true;
  world.config = config;
  register(new URL('./hooks.js', import.meta.url).href);
  await import(pathToFileURL(config.mainScript).href);
  await becomeReady();
}

/**
 * app.quit() as the tray's Quit does, resolving once the app has really quit. An app that has
 * not quit after `timeoutMs` is ended with app.exit() and the call rejects (a quit that hangs is a bug).
 */
export async function quitApp(timeoutMs = 20_000): Promise<void> {
  const { app } = await import('./app.js');
  app.quit();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((ok) => { timer = setTimeout(() => ok('timeout'), timeoutMs); });
  const r = await Promise.race([quitPromise, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') {
    app.exit(1);
    await quitPromise;
    throw new Error(`stand-in: the app did not quit within ${timeoutMs} ms of app.quit()`);
  }
}

export function windows(): BrowserWindowStandin[] {
  return BrowserWindowStandin.getAllWindows();
}

/** The open window showing an app page (e.g. 'app://earshot/settings.html') once it has loaded. */
export async function waitForWindow(appUrl: string, timeoutMs = 20_000): Promise<{ window: BrowserWindowStandin; page: Page }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = windows().find((x) => x.webContents.getURL() === appUrl && !x.webContents.isLoading());
    if (w) return { window: w, page: await w.webContents.page() };
    if (Date.now() > deadline) throw new Error(`no loaded window for ${appUrl}; open: ${windows().map((x) => x.webContents.getURL()).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function trayMenu(): MenuStandin {
  const tray = TrayStandin.all.find((t) => !t.isDestroyed());
  if (!tray?.contextMenu) throw new Error('stand-in: the app has no tray menu');
  return tray.contextMenu;
}

export function trayTooltip(): string {
  return TrayStandin.all.find((t) => !t.isDestroyed())?.tooltip ?? '';
}

/** Finds a tray item by its label path, e.g. ['Audio source', 'Sink B (output)']; a RegExp matches a label. */
export function trayItem(...path: (string | RegExp)[]): MenuItemStandin {
  let menu: MenuStandin | undefined = trayMenu();
  let item: MenuItemStandin | undefined;
  for (const step of path) {
    item = menu?.items.find((i) => (typeof step === 'string' ? i.label === step : step.test(i.label)));
    if (!item) throw new Error(`stand-in: no tray item ${String(step)} in [${menu?.items.map((i) => i.label).join(' | ')}]`);
    menu = item.submenu;
  }
  return item!;
}

/** A person copies text from elsewhere: it lands on the clipboard every page pastes from. */
export async function copyToClipboard(text: string): Promise<void> {
  clipboard.writeText(text);
  await clipboardSettled();
}

export function queueSaveAnswer(answer: { canceled: boolean; filePath?: string }): void {
  world.saveAnswers.push(answer);
}

export function queueOpenAnswer(answer: { canceled: boolean; filePaths?: string[] }): void {
  world.openAnswers.push(answer);
}

/**
 * A person starts Earshot again while it runs: https://www.electronjs.org/docs/latest/api/app#event-second-instance
 * is emitted in this (the first) instance with the second one's argv and working directory.
 */
export async function launchSecondInstance(argv: string[] = [process.execPath, '.'], workingDirectory = process.cwd()): Promise<void> {
  const { appEvents } = await import('./app-events.js');
  appEvents.emit('second-instance', preventableEvent(), argv, workingDirectory, {});
}

/** The menus the app popped up (context menus), newest last. */
export function popups(): { menu: MenuStandin; options: Record<string, unknown> }[] {
  return MenuStandin.popups;
}

export const standin = { protocols, shortcuts, secrets, sessionHandlers, ipcMain: ipcMainImpl, applicationMenu: () => MenuStandin.applicationMenu };
