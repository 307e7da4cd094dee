/**
 * The setup of the window tests (settings, history): one Chromium and one static server for
 * the built renderer per file, and pages opened with a fake `window.earshot` installed
 * before any page script runs, as the preload would. The fake records its calls in
 * `window.__calls`.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, serveStatic, watchPage, type StaticServer } from './chromium.js';

export interface BridgeWindow {
  page: Page;
  /** Page errors and console errors, as they happen. */
  problems: string[];
  /** Every call the page made on the fake bridge so far. */
  calls: () => Promise<unknown[][]>;
}

export type OpenBridgeWindow = <A>(
  file: string,
  viewport: { width: number; height: number },
  installBridge: (arg: A) => void,
  arg: A,
) => Promise<BridgeWindow>;

/** Registers the file's beforeAll/afterAll and returns how to open a page of the renderer. */
export function useBridgeWindows(): OpenBridgeWindow {
  let browser: Browser;
  let server: StaticServer;
  beforeAll(async () => {
    await ensureRendererBuilt();
    server = await serveStatic();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return async (file, viewport, installBridge, arg) => {
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(5000);
    const { problems } = watchPage(page);
    // Playwright types the script's argument as Unboxed<A>, which a generic A cannot meet.
    await page.addInitScript(installBridge as (arg: unknown) => void, arg as unknown);
    await page.goto(`${server.origin}/${file}`);
    return { page, problems, calls: () => page.evaluate(() => (window as unknown as { __calls: unknown[][] }).__calls) };
  };
}
