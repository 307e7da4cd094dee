/**
 * The caption overlay in real Chromium (the built page from out/renderer), driven through a
 * test bridge injected as `window.earshot`, exactly where Electron's preload puts it; and the
 * browser mode over fetch + EventSource against fake /api routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import { errorInfo } from '../../shared/errors.js';
import { DEFAULT_STYLE, STYLE_PRESETS, type OverlayStyle, type StylePresetId } from '../../shared/overlay-style.js';
import { artifactPath, ensureRendererBuilt, launchChromium, serveStatic, watchPage, type StaticServer } from './helpers/chromium.js';

interface TestState { snapshot: CaptionSnapshot; style: OverlayStyle; snapshotCalls: number; clickThroughCalls: boolean[]; hoverCalls: boolean[]; resizeCalls: { width: number; height: number }[] }
type TestWindow = { __test: { state: TestState; emit(channel: string, payload: unknown): void } };

/** Runs in the page before its scripts: the same shape the preload exposes. */
function installTestBridge(init: { snapshot: CaptionSnapshot; style: OverlayStyle }): void {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const state = { snapshot: init.snapshot, style: init.style, snapshotCalls: 0, clickThroughCalls: [] as boolean[], hoverCalls: [] as boolean[], resizeCalls: [] as { width: number; height: number }[] };
  const w = window as unknown as Record<string, unknown>;
  w.__test = {
    state,
    emit(channel: string, payload: unknown) {
      for (const l of listeners.get(channel) ?? []) l(JSON.parse(JSON.stringify(payload)));
    },
  };
  w.earshot = {
    getSnapshot: async () => { state.snapshotCalls++; return JSON.parse(JSON.stringify(state.snapshot)); },
    getStyle: async () => state.style,
    on(channel: string, listener: (p: unknown) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    },
    setClickThrough: async (on: boolean) => { state.clickThroughCalls.push(on); },
    hoverUnlock: (hovering: boolean) => { state.hoverCalls.push(hovering); },
    resize: async (size: { width: number; height: number }) => { state.resizeCalls.push(size); },
  };
}

const seg = (id: string, text: string, final: boolean, start: number): Segment => ({ id, text, final, start, end: start + 1 });
const WORDS = 'the quick brown fox jumps over the lazy dog while seven wizards quietly hex a jovial knight near the old mill'.split(' ');

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
  // Any CSP violation, uncaught error or console error fails the test that caused it.
  expect(problems).toEqual([]);
});

async function openOverlay(opts: {
  style?: Partial<OverlayStyle>;
  snapshot?: CaptionSnapshot;
  reducedMotion?: 'reduce' | 'no-preference';
  clock?: boolean;
  size?: { width: number; height: number };
} = {}): Promise<Page> {
  context = await browser.newContext({ viewport: opts.size ?? { width: 820, height: 240 }, reducedMotion: opts.reducedMotion ?? 'no-preference' });
  const page = await context.newPage();
  problems = watchPage(page).problems;
  if (opts.clock) await page.clock.install({ time: 1_000_000 });
  await page.addInitScript(installTestBridge, { snapshot: opts.snapshot ?? { rev: 0, segments: [] }, style: { ...DEFAULT_STYLE, ...opts.style } });
  await page.goto(`${server.origin}/overlay.html`);
  await page.waitForFunction(() => (window as unknown as TestWindow).__test.state.snapshotCalls > 0 && document.querySelector('.captions') !== null);
  return page;
}

const emit = (page: Page, channel: string, payload: unknown) =>
  page.evaluate(([c, p]) => (window as unknown as TestWindow).__test.emit(c as string, p), [channel, payload] as const);
const lineTexts = (page: Page) => page.$$eval('.captions .line', (els) => els.map((e) => e.textContent ?? ''));
const snapshotCalls = (page: Page) => page.evaluate(() => (window as unknown as TestWindow).__test.state.snapshotCalls);

/** Sends the words one diff at a time, as a provider would; returns the next rev. */
async function speak(page: Page, words: string[], opts: { rev: number; id: string; start: number; final: boolean }): Promise<number> {
  let rev = opts.rev;
  for (let i = 1; i <= words.length; i++) {
    const final = opts.final && i === words.length;
    await emit(page, 'captions:diff', { rev: ++rev, upserts: [seg(opts.id, words.slice(0, i).join(' '), final, opts.start)], removals: [] } satisfies CaptionDiff);
  }
  return rev;
}

describe('caption overlay (Electron bridge)', () => {
  it('applies diffs and shows the last N lines, newest at the bottom, wrapped inside the box', async () => {
    const page = await openOverlay({ style: { lines: 2, fontSize: 40 } });
    let rev = await speak(page, WORDS.slice(0, 12), { rev: 0, id: '1:1', start: 0, final: true });
    rev = await speak(page, WORDS.slice(12), { rev, id: '1:2', start: 5, final: false });
    await expect.poll(() => lineTexts(page).then((l) => l.join(' '))).toMatch(/old mill$/);
    const lines = await lineTexts(page);
    expect(lines).toHaveLength(2);
    // The visible words are exactly the end of what was said, in order.
    const shown = lines.join(' ').split(/\s+/).filter(Boolean);
    expect(shown).toEqual(WORDS.slice(WORDS.length - shown.length));
    expect(shown.length).toBeLessThan(WORDS.length);
    // Every line fits the box: the page's own layout, not the browser, broke the lines.
    const overflow = await page.$$eval('.captions .line', (els) => els.map((e) => e.scrollWidth - e.clientWidth));
    expect(Math.max(...overflow)).toBeLessThanOrEqual(1);

    // A narrower window wraps sooner; a window shorter than the lines cuts the top, not the newest line.
    await page.setViewportSize({ width: 420, height: 90 });
    await expect.poll(() => lineTexts(page).then((l) => l.join(' ').length)).toBeLessThan(lines.join(' ').length);
    const narrow = await lineTexts(page);
    expect(narrow).toHaveLength(2);
    expect(narrow.join(' ').split(/\s+/)).toEqual(WORDS.slice(WORDS.length - narrow.join(' ').split(/\s+/).length));
    expect(Math.max(...await page.$$eval('.captions .line', (els) => els.map((e) => e.scrollWidth - e.clientWidth)))).toBeLessThanOrEqual(1);
    const lastBottom = await page.$eval('.captions .line:last-child', (e) => e.getBoundingClientRect().bottom);
    expect(lastBottom).toBeLessThanOrEqual(90);

    await emit(page, 'style', { ...DEFAULT_STYLE, lines: 1 });
    await expect.poll(() => lineTexts(page)).toHaveLength(1);
    expect((await lineTexts(page))[0]).toMatch(/old mill$/);
    expect(rev).toBe(WORDS.length);
  });

  it('asks for a snapshot when a rev is missing, and shows what it returns', async () => {
    const page = await openOverlay({ snapshot: { rev: 4, segments: [seg('a', 'from the snapshot', true, 0)] } });
    await expect.poll(() => lineTexts(page)).toEqual(['from the snapshot']);
    expect(await snapshotCalls(page)).toBe(1);
    await emit(page, 'captions:diff', { rev: 5, upserts: [seg('b', 'next', false, 1)], removals: [] });
    await expect.poll(() => lineTexts(page)).toEqual(['from the snapshot next']);
    expect(await snapshotCalls(page)).toBe(1);
    await page.evaluate((snap) => { (window as unknown as TestWindow).__test.state.snapshot = snap; },
      { rev: 7, segments: [seg('a', 'from the snapshot', true, 0), seg('b', 'next words', true, 1), seg('c', 'and more', false, 2)] });
    await emit(page, 'captions:diff', { rev: 7, upserts: [seg('c', 'and more', false, 2)], removals: [] });
    await expect.poll(() => snapshotCalls(page)).toBe(2);
    await expect.poll(() => lineTexts(page)).toEqual(['from the snapshot next words and more']);
    await emit(page, 'captions:diff', { rev: 8, upserts: [seg('c', 'and more text', true, 2)], removals: [] });
    await expect.poll(() => lineTexts(page)).toEqual(['from the snapshot next words and more text']);
  });

  it('styles partial text apart from final text, and finished words never move', async () => {
    const page = await openOverlay({ style: { lines: 4, fontSize: 36 } });
    await emit(page, 'captions:diff', { rev: 1, upserts: [seg('a', 'finished words stay exactly where they are', true, 0), seg('b', 'while this', false, 1)], removals: [] });
    await page.waitForSelector('.partial');
    const styles = await page.evaluate(() => {
      const get = (sel: string) => { const s = getComputedStyle(document.querySelector(sel)!); return { color: s.color, opacity: s.opacity }; };
      return { final: get('.final'), partial: get('.partial') };
    });
    expect(styles.final).toEqual({ color: 'rgb(255, 255, 255)', opacity: '1' });
    expect(styles.partial.opacity).toBe('0.7');

    const finalBox = () => page.$eval('.final', (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width]; });
    const [x0, y0, w0] = await finalBox();
    // The tail grows past the line (the box scrolls up once), then shrinks and is rewritten:
    // the final words keep their x and never come back down.
    const tails = ['while this changes', 'while the tail is rewritten again and again until it wraps onto more lines', 'while', 'whale this', ''];
    const ys: number[] = [];
    for (const [i, tail] of tails.entries()) {
      await emit(page, 'captions:diff', { rev: 2 + i, upserts: [seg('b', tail, false, 1)], removals: [] });
      await expect.poll(() => page.$$eval('.partial', (els) => els.map((e) => e.textContent).join(' ').split(/\s+/).filter(Boolean).join(' '))).toBe(tail);
      const [x, y, w] = await finalBox();
      expect([x, w]).toEqual([x0, w0]);
      ys.push(y!);
    }
    expect(ys[0]).toBe(y0);
    expect(ys[1]).toBeLessThan(y0!);
    expect(ys.slice(2)).toEqual([ys[1], ys[1], ys[1]]);
  });

  it('clears after the set silence, then shows new speech alone', async () => {
    const page = await openOverlay({ style: { clearAfterSeconds: 3 }, clock: true });
    await page.clock.pauseAt(1_010_000);
    await emit(page, 'captions:diff', { rev: 1, upserts: [seg('a', 'then silence', true, 0)], removals: [] });
    await page.clock.runFor(100);
    expect(await lineTexts(page)).toEqual(['then silence']);
    await page.clock.runFor(2_500);
    expect(await lineTexts(page)).toEqual(['then silence']);
    await emit(page, 'captions:diff', { rev: 2, upserts: [seg('b', 'more', false, 1)], removals: [] });
    await page.clock.runFor(2_500);
    expect(await lineTexts(page)).toEqual(['then silence more']);
    await page.clock.runFor(600);
    expect(await lineTexts(page)).toEqual([]);
    expect(await page.$eval('.captions', (e) => getComputedStyle(e).visibility)).toBe('hidden');
    await emit(page, 'captions:diff', { rev: 3, upserts: [seg('c', 'new speech', false, 2)], removals: [] });
    await page.clock.runFor(50);
    expect(await lineTexts(page)).toEqual(['new speech']);
  });

  it('announces finished sentences to screen readers, not partials or earlier history', async () => {
    const page = await openOverlay({ snapshot: { rev: 1, segments: [seg('old', 'said before the page opened', true, 0)] } });
    const region = page.locator('[aria-live="polite"][role="log"]');
    await expect.poll(() => lineTexts(page)).toEqual(['said before the page opened']);
    await emit(page, 'captions:diff', { rev: 2, upserts: [seg('a', 'Hello there', false, 1)], removals: [] });
    await emit(page, 'captions:diff', { rev: 3, upserts: [seg('a', 'Hello there, everyone', false, 1)], removals: [] });
    await expect.poll(() => lineTexts(page).then((l) => l.join(' '))).toContain('everyone');
    expect(await region.locator('p').allTextContents()).toEqual([]);
    await emit(page, 'captions:diff', { rev: 4, upserts: [seg('a', 'Hello there, everyone.', true, 1)], removals: [] });
    await emit(page, 'captions:diff', { rev: 5, upserts: [seg('b', 'Second sentence.', true, 2)], removals: [] });
    await expect.poll(() => region.locator('p').allTextContents()).toEqual(['Hello there, everyone.', 'Second sentence.']);
    // The visual captions are hidden from screen readers so nothing is read twice.
    expect(await page.getAttribute('.captions', 'aria-hidden')).toBe('true');
  });

  it('shows status, provider, backlog, actionable errors and the level meter', async () => {
    const page = await openOverlay();
    const status = page.locator('[role="status"]');
    await emit(page, 'status', { kind: 'live', provider: 'fireworks' });
    await expect.poll(() => status.textContent()).toContain('Streaming to Fireworks AI');
    await emit(page, 'status', { kind: 'reconnecting', provider: 'fireworks', attempt: 2, retryInMs: 1500, backlogSeconds: 4, reason: errorInfo('NETWORK') });
    await expect.poll(() => status.textContent()).toContain('4.0 s of audio kept');
    await emit(page, 'status', { kind: 'error', error: errorInfo('AUTH_REFUSED', 'HTTP 401') });
    await expect.poll(() => status.textContent()).toContain('Check the key');
    await emit(page, 'status', { kind: 'paused' });
    await expect.poll(() => status.textContent()).toContain('Paused');
    await emit(page, 'level', { rmsDb: -30, peakDb: -6 });
    await expect.poll(() => page.getAttribute('[role="meter"]', 'aria-valuenow')).toBe('-30');
    await emit(page, 'notice', errorInfo('BACKLOG_OVERFLOW'));
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('oldest audio was dropped');
    // A notice's own sentence is what shows, not the generic line of its code.
    await emit(page, 'notice', errorInfo('NOTICE', 'The shortcut Ctrl+Shift+L (Click-through on / off) is taken by another program.'));
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('Ctrl+Shift+L');
    await emit(page, 'notice', errorInfo('DEVICE_LOST', 'USB headset'));
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('USB headset');
  });

  it('treats caption text as text, never markup', async () => {
    const page = await openOverlay();
    const evil = '<img src=x onerror="document.title=1"> <b>bold</b>';
    await emit(page, 'captions:diff', { rev: 1, upserts: [seg('a', evil, true, 0)], removals: [] });
    await expect.poll(() => lineTexts(page).then((l) => l.join(' '))).toBe(evil);
    expect(await page.$$eval('.captions img, .captions b', (e) => e.length)).toBe(0);
  });

  it('offers a keyboard-reachable Unlock button in click-through mode', async () => {
    const page = await openOverlay();
    expect(await page.$('button.unlock')).toBeNull();
    await emit(page, 'overlay:click-through', true);
    await page.waitForSelector('button.unlock');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className ?? '')).toContain('unlock');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as unknown as TestWindow).__test.state.clickThroughCalls)).toEqual([false]);
  });

  it('resizes the window from its own grip (drag and arrow keys), never in click-through', async () => {
    const page = await openOverlay();
    const size = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
    const box = (await (await page.waitForSelector('button.grip', { state: 'attached' })).boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 100, cy - 20, { steps: 4 });
    await page.mouse.up();
    const calls = () => page.evaluate(() => (window as unknown as TestWindow).__test.state.resizeCalls);
    await expect.poll(async () => (await calls()).at(-1)).toEqual({ width: size.w - 100, height: size.h - 20 });
    await page.focus('button.grip');
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await calls()).at(-1)).toEqual({ width: size.w + 16, height: size.h });
    await emit(page, 'overlay:click-through', true);
    await expect.poll(() => page.$('button.grip')).toBeNull();
  });

  it('tells main when the pointer is over Unlock, so a click-through window can take that click', async () => {
    const page = await openOverlay();
    await emit(page, 'overlay:click-through', true);
    const box = (await (await page.waitForSelector('button.unlock')).boundingBox())!;
    await page.mouse.move(1, 1);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(1, 1);
    await expect.poll(() => page.evaluate(() => (window as unknown as TestWindow).__test.state.hoverCalls)).toEqual([true, false]);
  });

  it('respects reduced motion', async () => {
    const motion = async (reducedMotion: 'reduce' | 'no-preference') => {
      const page = await openOverlay({ reducedMotion });
      await emit(page, 'status', { kind: 'connecting', provider: 'fireworks', attempt: 1 });
      await page.waitForSelector('.tone-busy');
      const r = await page.evaluate(() => ({
        meter: getComputedStyle(document.querySelector('[role="meter"] > div')!).transitionDuration,
        dot: getComputedStyle(document.querySelector('.tone-busy .dot')!).animationName,
      }));
      await context!.close();
      context = null;
      return r;
    };
    expect(await motion('no-preference')).toEqual({ meter: '0.09s', dot: expect.stringMatching(/pulse/) });
    expect(await motion('reduce')).toEqual({ meter: '0s', dot: 'none' });
  });

  const presets: { name: string; preset: StylePresetId; extra?: Partial<OverlayStyle>; color: string; bg: string }[] = [
    { name: 'classic', preset: 'classic', color: 'rgb(255, 255, 255)', bg: 'rgba(0, 0, 0, 0.7)' },
    { name: 'high-contrast', preset: 'high-contrast', color: 'rgb(255, 255, 0)', bg: 'rgb(0, 0, 0)' },
    { name: 'light', preset: 'light', color: 'rgb(17, 17, 17)', bg: 'rgba(255, 255, 255, 0.9)' },
    { name: 'outline', preset: 'classic', extra: { effect: 'outline', backgroundOpacity: 0, fontWeight: 700 }, color: 'rgb(255, 255, 255)', bg: 'rgba(0, 0, 0, 0)' },
  ];
  for (const p of presets) {
    it(`renders the ${p.name} style (screenshot test-artifacts/overlay-${p.name}.png)`, async () => {
      const page = await openOverlay({ style: { ...STYLE_PRESETS[p.preset], ...p.extra, lines: 2, fontSize: 34 } });
      await emit(page, 'status', { kind: 'live', provider: 'fireworks' });
      await emit(page, 'level', { rmsDb: -18, peakDb: -9 });
      await emit(page, 'captions:diff', {
        rev: 1,
        upserts: [seg('a', 'Earshot shows live captions on top of everything.', true, 0), seg('b', 'This part is still being', false, 1)],
        removals: [],
      });
      await expect.poll(() => lineTexts(page).then((l) => l.join(' '))).toBe('Earshot shows live captions on top of everything. This part is still being');
      const computed = await page.evaluate(() => ({
        color: getComputedStyle(document.querySelector('.final')!).color,
        bg: getComputedStyle(document.querySelector('.captions')!).backgroundColor,
        shadow: getComputedStyle(document.querySelector('.captions')!).textShadow,
        fontSize: getComputedStyle(document.querySelector('.captions')!).fontSize,
        page: [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor],
      }));
      expect(computed.color).toBe(p.color);
      expect(computed.bg).toBe(p.bg);
      expect(computed.fontSize).toBe('34px');
      expect(computed.page).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
      expect(computed.shadow === 'none').toBe(p.extra?.effect !== 'outline');
      // A busy backdrop stands in for the video under the transparent window.
      await page.evaluate(() => document.documentElement.style.setProperty('background', 'linear-gradient(120deg, #2a6f97 0%, #f4d35e 45%, #ee964b 70%, #0d3b66 100%)'));
      await page.screenshot({ path: artifactPath(`overlay-${p.name}.png`) });
    });
  }
});

describe('caption overlay (browser mode over HTTP)', () => {
  it('loads the snapshot, follows the event stream, takes style from the URL and resyncs after a drop', async () => {
    const token = 'tok-123';
    const streams = new Set<ServerResponse>();
    let snapshot: CaptionSnapshot = { rev: 2, segments: [seg('a', 'hello from the server', true, 0)] };
    let snapshotRequests = 0;
    const api = await serveStatic(undefined, (req: IncomingMessage, res: ServerResponse, url: URL) => {
      if (!url.pathname.startsWith('/api/')) return false;
      if (url.searchParams.get('token') !== token) {
        res.writeHead(403).end();
        return true;
      }
      if (url.pathname === '/api/snapshot') {
        snapshotRequests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snapshot));
        return true;
      }
      if (url.pathname === '/api/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write('retry: 200\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return true;
      }
      return false;
    });
    const send = (event: string, data: unknown) => { for (const s of streams) s.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); };
    try {
      context = await browser.newContext({ viewport: { width: 820, height: 240 } });
      const page = await context.newPage();
      problems = watchPage(page).problems;
      await page.goto(`${api.origin}/overlay.html?token=${token}&preset=high-contrast&fontSize=40&lines=3`);
      await expect.poll(() => lineTexts(page)).toEqual(['hello from the server']);
      await expect.poll(() => streams.size).toBe(1);
      send('captions:diff', { rev: 3, upserts: [seg('b', 'and live', false, 1)], removals: [] });
      await expect.poll(() => lineTexts(page)).toEqual(['hello from the server and live']);
      const look = await page.evaluate(() => ({ color: getComputedStyle(document.querySelector('.final')!).color, size: getComputedStyle(document.querySelector('.captions')!).fontSize }));
      expect(look).toEqual({ color: 'rgb(255, 255, 0)', size: '40px' });
      send('style', { ...DEFAULT_STYLE, fontSize: 20, lines: 1 });
      await expect.poll(() => page.$eval('.captions', (e) => getComputedStyle(e).fontSize)).toBe('40px');
      send('status', { kind: 'live', provider: 'deepgram' });
      await expect.poll(() => page.locator('[role="status"]').textContent()).toContain('Streaming to Deepgram');

      // The stream drops and diffs are missed meanwhile: the page reconnects and fetches a snapshot.
      const before = snapshotRequests;
      snapshot = { rev: 9, segments: [seg('a', 'hello from the server', true, 0), seg('b', 'and live again', true, 1)] };
      for (const s of streams) s.destroy();
      await expect.poll(() => snapshotRequests, { timeout: 5000 }).toBeGreaterThan(before);
      await expect.poll(() => lineTexts(page)).toEqual(['hello from the server and live again']);
      // The drop this test caused is logged by Chromium; nothing else may be.
      problems = problems.filter((p) => !p.includes('ERR_INCOMPLETE_CHUNKED_ENCODING'));
    } finally {
      await api.close();
    }
  });

  it('says so when the token is refused', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    problems = [];
    const api = await serveStatic(undefined, (_req, res, url) => {
      if (!url.pathname.startsWith('/api/')) return false;
      res.writeHead(403).end();
      return true;
    });
    try {
      await page.goto(`${api.origin}/overlay.html?token=wrong`);
      await expect.poll(() => page.locator('[role="status"]').textContent()).toContain('refused this page');
    } finally {
      await api.close();
    }
  });
});
