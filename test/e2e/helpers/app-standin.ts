/**
 * Boots the real desktop app (out/main/app/main.js) against the Electron stand-in
 * (test/electron-standin), one app per test file: userData and Documents in a tmp dir, every
 * window a page of the Debian Chromium. Returns the stand-in's test controls.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium, ROOT } from './chromium.js';
import { sh } from '../pulse-env.js';

export type Standin = typeof import('../../electron-standin/boot.js');

export interface BootedApp {
  standin: Standin;
  dir: string;
  userData: string;
  documents: string;
}

export async function bootStandinApp(env: Record<string, string> = {}): Promise<BootedApp> {
  Object.assign(process.env, env);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-app-'));
  const userData = join(dir, 'userData');
  const documents = join(dir, 'Documents');
  mkdirSync(userData);
  mkdirSync(documents);
  // Loaded natively (vitest.config.ts externalises it), so main.js and this test share the stand-in.
  const url = pathToFileURL(join(ROOT, 'out/test/electron-standin/boot.js')).href;
  const standin = (await import(/* @vite-ignore */ url)) as Standin;
  await standin.bootApp({ userData, documents, launchBrowser: launchChromium, mainScript: join(ROOT, 'out/main/app/main.js') });
  return { standin, dir, userData, documents };
}

/** Quits the app as the tray's Quit does (failing if it hangs) and removes its tmp dir. */
export async function closeStandinApp(app: BootedApp | undefined): Promise<void> {
  if (!app) return;
  try {
    await app.standin.quitApp();
  } finally {
    rmSync(app.dir, { recursive: true, force: true });
  }
}

/** Text of every element matching a selector, joined by newlines ('' when none). */
export function textOf(page: Page, selector: string): Promise<string> {
  return page.$$eval(selector, (els) => els.map((e) => (e as HTMLElement).innerText).join('\n'));
}

/** The same, with every run of white space (line breaks of the caption layout too) made one space. */
export async function wordsOf(page: Page, selector: string): Promise<string> {
  return (await textOf(page, selector)).replace(/\s+/g, ' ').trim();
}

/** Polls until fn returns a truthy value; the last value is in the error otherwise. */
export async function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 100, detail?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const more = detail ? `; ${await detail().catch((e: unknown) => String(e))}` : '';
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}${lastErr ? `, error: ${String(lastErr)}` : ''}${more}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Chooses an audio source in the Settings window. A device that is not listed yet (the list
 * was read while the machine was busy) is looked for again with the page's Refresh button,
 * as a person would.
 */
export async function pickSource(settings: Page, value: string, problems: readonly string[] = [], timeoutMs = 30_000): Promise<void> {
  const option = `#source option[value="${value}"]`;
  await until(`the source ${value} to be listed`, async () => {
    if (await settings.$(option)) return true;
    await settings.getByRole('button', { name: 'Refresh', exact: true }).click();
    await settings.waitForSelector(option, { state: 'attached', timeout: 2000 }).catch(() => undefined);
    return !!(await settings.$(option));
  }, timeoutMs, 100, async () => `listed: ${await wordsOf(settings, '#source')}; field says: ${await wordsOf(settings, '.field:has(#source)')}; `
    + `bridge: ${await settings.evaluate(() => typeof (window as unknown as { earshot?: unknown }).earshot)}; problems: ${JSON.stringify(problems)}; `
    + `save message: ${await wordsOf(settings, '[data-testid="save-message"]')}; `
    + `pactl sources now: ${await sh('pactl', ['list', 'short', 'sources']).catch((e: unknown) => String(e))}`);
  await settings.selectOption('#source', value);
}
