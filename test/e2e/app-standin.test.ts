/**
 * The Electron stand-in itself (test/electron-standin), with the real app booted on it: what
 * the whole-app scenarios rely on. Every window loads through the app's own protocol handler
 * (its CSP and path rules), the preload runs sandboxed, values cross by structured clone, an
 * API the stand-in does not implement throws, and the context-menu/Menu roles work as
 * documented (for the text-field context menu being added to main/app).
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/app/app-protocol.js';
import { ROOT } from './helpers/chromium.js';
import { bootStandinApp, closeStandinApp, until, type BootedApp } from './helpers/app-standin.js';

/** Status of a GET sent with the path exactly as written (fetch would normalise dot segments). */
function rawStatus(url: string): Promise<number> {
  const u = new URL(url);
  const path = url.slice(u.origin.length);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
  });
}

type ElectronStandin = typeof import('../electron-standin/electron.js');

let app: BootedApp;
let electron: ElectronStandin;

beforeAll(async () => {
  app = await bootStandinApp();
  electron = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'out/test/electron-standin/electron.js')).href)) as ElectronStandin;
}, 60_000);

afterAll(async () => {
  await closeStandinApp(app);
});

describe('Electron stand-in', () => {
  it('serves every page and asset through the app\'s protocol handler, with its headers', async () => {
    const { page } = await app.standin.waitForWindow('app://earshot/settings.html');
    const requested = app.standin.standin.protocols.requested();
    expect(requested.map((r) => r.url)).toContain('app://earshot/settings.html');
    expect(requested.some((r) => /^app:\/\/earshot\/assets\/.+\.js$/.test(r.url) && r.status === 200)).toBe(true);
    const httpOrigin = new URL(page.url()).origin;
    const r = await fetch(`${httpOrigin}/overlay.html`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    // The app's path rules answer, not the stand-in: nothing outside the renderer folder.
    // Dot segments are resolved by URL parsing (as in Chromium), so this asks for out/renderer/main/app/main.js.
    expect(await rawStatus(`${httpOrigin}/%2e%2e/main/app/main.js`)).toBe(404);
    expect([400, 403]).toContain(await rawStatus(`${httpOrigin}/..%2fmain%2fapp%2fmain.js`));
    expect((await fetch(`${httpOrigin}/settings.html`, { method: 'POST', body: 'x' })).status).toBe(405);
    // The page sees its CSP: an inline script is refused.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.head.append(s);
      return (window as unknown as { __inline?: number }).__inline === 1;
    });
    expect(ran).toBe(false);
  });

  it('gives each page only its own bridge, made in a sandboxed preload', async () => {
    const { page: settings } = await app.standin.waitForWindow('app://earshot/settings.html');
    const { page: overlay } = await app.standin.waitForWindow('app://earshot/overlay.html');
    expect(await settings.evaluate(() => Object.keys((window as unknown as { earshot: object }).earshot).sort()))
      .toEqual(['clearKey', 'endPreview', 'get', 'listDevices', 'on', 'previewStyle', 'save', 'setKey', 'testLevel']);
    expect(await overlay.evaluate(() => Object.keys((window as unknown as { earshot: object }).earshot).sort()))
      .toEqual(['getSnapshot', 'getStyle', 'hoverUnlock', 'on', 'resize', 'setClickThrough']);
    expect(await overlay.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    // A preload that requires anything but 'electron' fails as a sandboxed one does.
    const preload = join(app.dir, 'bad-preload.cjs');
    writeFileSync(preload, "require('node:fs');");
    const win = new electron.BrowserWindow({ show: false, webPreferences: { preload, sandbox: true, contextIsolation: true } });
    await win.loadURL('app://earshot/overlay.html');
    // (The page then finds no bridge and tries its browser-overlay fallback, which the CSP blocks.)
    expect(app.standin.world.problems.splice(0)).toContainEqual(expect.stringMatching(/Unable to load preload script .*cannot require\('node:fs'\)/));
    expect(await (await win.webContents.page()).evaluate(() => 'earshot' in window)).toBe(false);
    win.destroy();
  });

  it('structured-clones every crossing: a payload Electron could not send fails', async () => {
    const { page } = await app.standin.waitForWindow('app://earshot/settings.html');
    const view = await page.evaluate(async () => (window as unknown as { earshot: { get(): Promise<{ settings: { provider: string } }> } }).earshot.get());
    expect(view.settings.provider).toBe('fireworks');
    const err = await page.evaluate(async () => {
      const bridge = (window as unknown as { earshot: { save(s: unknown): Promise<unknown> } }).earshot;
      try { await bridge.save({ provider: 'fireworks', style: { fontFamily: () => 'x' } }); return 'sent'; } catch (e) { return String(e); }
    });
    expect(err).toMatch(/could not be cloned/);
  });

  it('refuses what it does not implement, loudly', () => {
    expect(() => (electron.app as unknown as Record<string, unknown>).setAppUserModelId).toThrow('stand-in: app.setAppUserModelId not implemented');
    expect(() => (electron.desktopCapturer as unknown as Record<string, unknown>).getSources).toThrow('stand-in: desktopCapturer.getSources not implemented');
    expect(() => electron.app.on('open-url' as 'ready', () => undefined)).toThrow("stand-in: app event 'open-url' not implemented");
    expect(() => electron.Menu.buildFromTemplate([{ role: 'toggleDevTools' }])).toThrow("stand-in: MenuItem role 'toggleDevTools' not implemented");
  });

  it('runs the app\'s navigation and window-open guards on what a page tries', async () => {
    const { page } = await app.standin.waitForWindow('app://earshot/settings.html');
    const before = page.url();
    const logged: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => { logged.push(a.map(String).join(' ')); };
    try {
      await page.evaluate(() => { location.href = 'https://example.invalid/phish'; });
      await until('the navigation to be refused', () => logged.some((l) => l.includes('blocked navigation to https://example.invalid/phish')));
      await page.evaluate(() => { window.open('https://example.invalid/popup'); });
      await until('window.open to be refused', () => logged.some((l) => l.includes('blocked window.open(https://example.invalid/popup)')));
    } finally {
      console.warn = warn;
    }
    expect(page.url()).toBe(before);
    expect(page.context().pages().some((p) => p.url().includes('example.invalid'))).toBe(false);
    app.standin.world.problems.splice(0);
  });

  it('delivers a second launch to the running app, which brings Settings back', async () => {
    const { window } = await app.standin.waitForWindow('app://earshot/settings.html');
    window.close();
    expect(window.isDestroyed()).toBe(true);
    await app.standin.launchSecondInstance();
    const again = await app.standin.waitForWindow('app://earshot/settings.html');
    expect(again.window).not.toBe(window);
    expect(again.window.isVisible()).toBe(true);
  });

  it('emits context-menu for a right-click in a text field; a popped-up Paste item pastes', async () => {
    const { window, page } = await app.standin.waitForWindow('app://earshot/settings.html');
    const seen: { isEditable: boolean; formControlType: string; editFlags: { canPaste: boolean } }[] = [];
    window.webContents.on('context-menu', (_e, params) => {
      seen.push(params);
      electron.Menu.buildFromTemplate([{ role: 'selectAll' }, { role: 'paste' }]).popup({ window });
    });
    await app.standin.copyToClipboard('pasted-by-menu');
    await page.click('#endpoint', { button: 'right' });
    await until('the context-menu event', () => seen.length > 0);
    expect(seen[0]).toMatchObject({ isEditable: true, formControlType: 'input-url', editFlags: { canPaste: true } });
    const menu = app.standin.popups().at(-1)!.menu;
    expect(menu.items.map((i) => i.label)).toEqual(['Select All', 'Paste']);
    menu.items[1]!.click(undefined, window);
    await window.webContents.editsDone();
    expect(await page.inputValue('#endpoint')).toBe('pasted-by-menu');
  });
});
