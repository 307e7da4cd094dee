/**
 * The caption overlay during a meeting (two sources at once), in real Chromium: the built page
 * from out/renderer with a test bridge where Electron's preload puts `window.earshot`.
 * Each line carries its label and its side's colour (both switchable), a line never mixes the
 * two sides, the status bar names each stream and the echo-suppressed count, and each side has
 * its own level meter.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Segment } from '../../shared/captions.js';
import { errorInfo } from '../../shared/errors.js';
import { DEFAULT_STYLE, STYLE_PRESETS, type OverlayStyle } from '../../shared/overlay-style.js';
import type { ConnectionStatus } from '../../shared/status.js';
import { artifactPath, ensureRendererBuilt, launchChromium, serveStatic, watchPage, type StaticServer } from './helpers/chromium.js';

type TestWindow = { __test: { emit(channel: string, payload: unknown): void } };

/** Runs in the page before its scripts: the shape the preload exposes. */
function installTestBridge(style: OverlayStyle): void {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const w = window as unknown as Record<string, unknown>;
  w.__test = { emit: (c: string, p: unknown) => { for (const l of listeners.get(c) ?? []) l(JSON.parse(JSON.stringify(p))); } };
  w.earshot = {
    getSnapshot: async () => ({ rev: 0, segments: [] }),
    getStyle: async () => style,
    on(channel: string, listener: (p: unknown) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    },
    setClickThrough: async () => {},
    hoverUnlock: () => {},
    resize: async () => {},
  };
}

const you = (id: string, text: string, final: boolean, start: number): Segment => ({ id: `0:${id}`, text, final, start, end: start + 1, source: 'mic', label: 'You' });
const others = (id: string, text: string, final: boolean, start: number): Segment => ({ id: `1:${id}`, text, final, start, end: start + 1, source: 'system', label: 'Others' });
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

let browser: Browser;
let server: StaticServer;
let context: BrowserContext | null = null;
let problems: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  [browser, server] = await Promise.all([launchChromium(), serveStatic()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await context?.close();
  context = null;
  expect(problems).toEqual([]);
});

async function openOverlay(style: Partial<OverlayStyle> = {}): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 820, height: 300 } });
  const page = await context.newPage();
  problems = watchPage(page).problems;
  await page.addInitScript(installTestBridge, { ...DEFAULT_STYLE, lines: 5, ...style });
  await page.goto(`${server.origin}/overlay.html`);
  await page.waitForSelector('.captions', { state: 'attached' });
  return page;
}

const emit = (page: Page, channel: string, payload: unknown) =>
  page.evaluate(([c, p]) => (window as unknown as TestWindow).__test.emit(c as string, p), [channel, payload] as const);
const lines = (page: Page) => page.$$eval('.captions .line', (els) => els.map((e) => ({
  label: e.getAttribute('data-label'),
  who: e.querySelector('.who')?.textContent ?? null,
  text: Array.from(e.querySelectorAll('.final, .partial'), (s) => s.textContent).join(''),
  color: getComputedStyle(e.querySelector('.final') ?? e).color,
  partialColor: e.querySelector('.partial') ? getComputedStyle(e.querySelector('.partial')!).color : null,
  overflow: e.scrollWidth - e.clientWidth,
})));

describe('caption overlay in a meeting', () => {
  it('labels and colours each line by side, never mixing them; both are switchable', async () => {
    const page = await openOverlay({ fontSize: 36 });
    // Both talk at once: the microphone's open sentence started before the others' finished one.
    await emit(page, 'captions:diff', { rev: 1, upserts: [others('1', 'the report is ready for review today', true, 0)], removals: [] });
    await emit(page, 'captions:diff', { rev: 2, upserts: [you('1', 'thanks I will read it', false, 1.5)], removals: [] });
    await emit(page, 'captions:diff', { rev: 3, upserts: [others('2', 'any questions', true, 2)], removals: [] });
    const sides = async () => (await lines(page)).reduce<string[]>((out, l) => {
      // Consecutive lines of one side, joined: [side: words, side: words, …].
      const last = out.at(-1);
      if (last?.startsWith(`${l.label}: `)) out[out.length - 1] = `${last} ${l.text}`;
      else out.push(`${l.label}: ${l.text}`);
      return out;
    }, []);
    await expect.poll(sides).toEqual(['Others: the report is ready for review today any questions', 'You: thanks I will read it']);
    for (const l of await lines(page)) {
      expect(l.who).toBe(`${l.label}: `);
      expect(l.color).toBe(rgb(l.label === 'You' ? STYLE_PRESETS.classic.micColor : STYLE_PRESETS.classic.systemColor));
      expect(l.overflow).toBeLessThanOrEqual(1);
    }
    // An unfinished line keeps its side's colour (dimmed by opacity).
    expect((await lines(page)).at(-1)!.partialColor).toBe(rgb(STYLE_PRESETS.classic.micColor));
    await page.screenshot({ path: artifactPath('overlay-meeting.png') });

    // Labels off: no label, the words remain one side per line; colours off: the text colour.
    await emit(page, 'style', { ...DEFAULT_STYLE, lines: 5, fontSize: 36, showLabels: false, colorByStream: false });
    await expect.poll(async () => (await lines(page)).every((l) => l.who === null)).toBe(true);
    expect(await sides()).toEqual(['Others: the report is ready for review today any questions', 'You: thanks I will read it']);
    expect(new Set((await lines(page)).map((l) => l.color))).toEqual(new Set([rgb(DEFAULT_STYLE.textColor)]));
    // Labels on again, colours still off.
    await emit(page, 'style', { ...DEFAULT_STYLE, lines: 5, fontSize: 36, showLabels: true, colorByStream: false });
    await expect.poll(async () => (await lines(page)).every((l) => l.who === `${l.label}: `)).toBe(true);
  });

  it('the status bar names each stream, the echo-suppressed count and a meter per side', async () => {
    const page = await openOverlay();
    const status: ConnectionStatus = {
      kind: 'streams',
      echoSuppressed: 3,
      streams: [
        { label: 'You', source: 'mic', status: { kind: 'live', provider: 'fireworks' } },
        { label: 'Others', source: 'system', status: { kind: 'reconnecting', provider: 'fireworks', attempt: 2, retryInMs: 1500, backlogSeconds: 2, reason: errorInfo('NETWORK', 'ECONNRESET') } },
      ],
    };
    await emit(page, 'status', status);
    const bar = page.locator('.status');
    await expect.poll(() => bar.textContent()).toContain('Others: Reconnecting');
    const detail = await page.locator('.status .detail').textContent();
    expect(detail).toMatch(/^You: Live · Others: Reconnecting to Fireworks AI in 1\.5 s; 2\.0 s of audio kept\. .*ECONNRESET.* · echo suppressed: 3$/);
    await emit(page, 'level', { rmsDb: -20, peakDb: -5, stream: { index: 0, label: 'You' } });
    await emit(page, 'level', { rmsDb: -45, peakDb: -30, stream: { index: 1, label: 'Others' } });
    await expect.poll(() => page.$$eval('.bar [role="meter"]', (els) => els.map((e) => `${e.getAttribute('aria-label')}=${e.getAttribute('aria-valuenow')}`)))
      .toEqual(['Audio level: You=-20', 'Audio level: Others=-45']);
    // The bar stays inside the window, wrapping rather than overflowing.
    const box = await page.$eval('.bar', (e) => ({ right: e.getBoundingClientRect().right, width: window.innerWidth }));
    expect(box.right).toBeLessThanOrEqual(box.width);
    await page.screenshot({ path: artifactPath('overlay-meeting-status.png') });
    // Back to one source: one meter again.
    await emit(page, 'level', { rmsDb: -30, peakDb: -10 });
    await expect.poll(() => page.$$eval('.bar [role="meter"]', (els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(['Audio level']);
  });

  it('reads finished lines out with who said them', async () => {
    const page = await openOverlay();
    await emit(page, 'captions:diff', { rev: 1, upserts: [others('1', 'can you hear me', true, 0), you('1', 'yes loud and clear', true, 1)], removals: [] });
    await expect.poll(() => page.$$eval('[role="log"] p', (els) => els.map((e) => e.textContent))).toEqual(['Others: can you hear me', 'You: yes loud and clear']);
  });
});
