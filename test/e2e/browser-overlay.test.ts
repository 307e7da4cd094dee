/**
 * The browser overlay end to end: the real `earshot caption` command reads a WAV file of tone
 * speech, streams it to the Fireworks-faithful server and serves the overlay with
 * `--overlay-port 0`; the printed URL is opened in real Chromium. The captions in the page
 * must be the words of the file, in order; the URL's style options must be applied; the
 * token must be required on every route.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { toMultichannel, writeWav } from '../fakes/wav-writer.js';
import { artifactPath, ensureRendererBuilt, launchChromium, watchPage } from './helpers/chromium.js';
import { startCli, type RunningCli } from './helpers/run-cli.js';

const KEY = 'fw-browser-overlay-key-4321';
const STYLE_QUERY = '&preset=high-contrast&fontSize=48&lines=3';

interface PageLog {
  /** "Label · detail" of the status bar, each time it changed. */
  statuses: string[];
  /** The caption lines' text (joined by spaces), each time it changed. */
  captions: string[];
}
type LogWindow = { __log: PageLog };

/** Runs in the page before its own scripts: records every status and caption text it shows. */
function recordPage(): void {
  const log: PageLog = { statuses: [], captions: [] };
  (window as unknown as LogWindow).__log = log;
  const text = (sel: string) => Array.from(document.querySelectorAll(sel), (e) => e.textContent ?? '');
  const record = () => {
    const status = [...text('.status .label'), ...text('.status .detail')].join(' · ');
    if (status && status !== log.statuses[log.statuses.length - 1]) log.statuses.push(status);
    const captions = text('.captions .line').join(' ').split(/\s+/).filter(Boolean).join(' ');
    if (captions !== (log.captions[log.captions.length - 1] ?? '')) log.captions.push(captions);
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
}

const pageLog = (page: Page) => page.evaluate(() => (window as unknown as LogWindow).__log);
const shownWords = (page: Page) =>
  page.$$eval('.captions .line', (els) => els.map((e) => e.textContent ?? '').join(' ').split(/\s+/).filter(Boolean));

/** Where `part` first occurs as a contiguous run inside `whole` at or after `from`, or -1. */
function indexOfRun(whole: readonly string[], part: readonly string[], from = 0): number {
  outer: for (let i = from; i + part.length <= whole.length; i++) {
    for (let j = 0; j < part.length; j++) if (whole[i + j] !== part[j]) continue outer;
    return i;
  }
  return -1;
}

let dir: string;
let speech: ToneSpeech;
let wav: string;
let browser: Browser;
let fireworks: FireworksServer;
let cli: RunningCli | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-browser-overlay-'));
  // About 13 s of speech: at --speed 2 the run lasts long enough to open the page while it is live.
  speech = makeToneSpeech({ words: 16, seed: 29, rate: 48000, leadInMs: 1500 });
  wav = join(dir, 'speech.wav');
  writeWav(wav, toMultichannel(speech.samples, 2), 48000, 2);
  [browser, fireworks] = await Promise.all([
    ensureRendererBuilt().then(() => launchChromium()),
    startFireworksServer({ apiKey: KEY }),
  ]);
});

afterAll(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
  await browser?.close();
  await fireworks?.close();
});

describe('earshot caption --overlay-port (browser overlay)', () => {
  it('serves the live captions to Chromium with the URL style, and refuses requests without the token', async () => {
    cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', fireworks.url, '--api-key', KEY, '--speed', '2', '--overlay-port', '0']);
    const line = await cli.waitFor(/\[earshot\] overlay: http:\/\/\S+/, 20_000, 'stderr');
    const url = new URL(line.slice(line.indexOf('http')));
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/overlay');
    const token = url.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(16);
    const origin = url.origin;

    // The token is required on the page, the snapshot and the event stream: wrong or missing is 403.
    for (const path of ['/overlay', '/api/snapshot', '/api/events']) {
      for (const query of ['', '?token=', `?token=${token.slice(0, -1)}x`, `?token=${token}x`]) {
        const res = await fetch(`${origin}${path}${query}`);
        expect(res.status, `${path}${query}`).toBe(403);
        expect(await res.text()).toMatch(/token/);
      }
    }
    // ...and the right token opens them (so the 403s above are about the token, not the route).
    const snap = await fetch(`${origin}/api/snapshot?token=${encodeURIComponent(token)}`);
    expect(snap.status).toBe(200);
    expect(await snap.json()).toHaveProperty('segments');
    const events = await fetch(`${origin}/api/events?token=${encodeURIComponent(token)}`);
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await events.body?.cancel();

    const context = await browser.newContext({ viewport: { width: 960, height: 300 } });
    try {
      // A browser with a wrong or missing token gets the refusal, not the page.
      const refused = await context.newPage();
      for (const bad of [`${origin}/overlay?token=nope-nope-nope`, `${origin}/overlay`]) {
        const res = await refused.goto(bad);
        expect(res?.status(), bad).toBe(403);
        expect(await refused.locator('body').textContent()).toMatch(/Forbidden/);
      }
      await refused.close();

      const page = await context.newPage();
      const { problems } = watchPage(page);
      await page.addInitScript(recordPage);
      const res = await page.goto(`${url.href}${STYLE_QUERY}`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);

      // Captions arrive while the run is live; keep a picture of the page as an artefact.
      await page.waitForFunction(() => document.querySelectorAll('.captions .line span').length > 0 &&
        (document.querySelector('.captions')?.textContent ?? '').trim().split(/\s+/).length >= 6, undefined, { timeout: 20_000 });
      await page.screenshot({ path: artifactPath('browser-overlay.png') });

      // The style from the URL: high contrast (yellow on opaque black), 48 px, at most 3 lines.
      const style = await page.$eval('.captions', (e) => {
        const s = getComputedStyle(e);
        return { fontSize: s.fontSize, color: s.color, background: s.backgroundColor };
      });
      expect(style).toEqual({ fontSize: '48px', color: 'rgb(255, 255, 0)', background: 'rgb(0, 0, 0)' });

      const result = await cli.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain(KEY);

      // After the file ends, the page holds the end of the speech, every word final.
      const last = speech.words.slice(-3).map((w) => w.text);
      await expect.poll(() => shownWords(page), { timeout: 5_000 }).toEqual(expect.arrayContaining(last));
      const words = speech.text.split(' ');
      const shown = await shownWords(page);
      expect(shown).toEqual(words.slice(words.length - shown.length));
      expect(shown.length).toBeGreaterThanOrEqual(4);
      expect(await page.$$eval('.captions .partial', (els) => els.map((e) => e.textContent).join('').trim())).toBe('');
      expect(await page.$$('.captions .line')).toHaveLength(3);
      const finalColor = await page.$eval('.captions .final', (e) => getComputedStyle(e).color);
      expect(finalColor).toBe('rgb(255, 255, 0)');
      await page.screenshot({ path: artifactPath('browser-overlay-final.png') });
      // The screen-reader log got the finished sentences, ending with the last one.
      const announced = (await page.locator('[role="log"][aria-live="polite"] p').allTextContents()).join(' ').trim();
      expect(announced.length).toBeGreaterThan(0);
      expect(speech.text.endsWith(announced)).toBe(true);

      const log = await pageLog(page);
      // The page said it was live and streaming while the run was on.
      expect(log.statuses.some((s) => /^Live · Streaming to Fireworks/.test(s)), log.statuses.join('\n')).toBe(true);
      // Everything the page ever showed is a run of the file's words, and it only moved forward:
      // nothing invented, doubled or out of order, and the last word was reached.
      let previous = 0;
      for (const text of log.captions.filter(Boolean)) {
        const at = indexOfRun(words, text.split(' '), previous);
        expect(at, `"${text}" is not a run of "${speech.text}" at or after word ${previous}`).toBeGreaterThanOrEqual(0);
        previous = at;
      }
      expect(log.captions[log.captions.length - 1]!.endsWith(words[words.length - 1]!)).toBe(true);
      // The run ending closes the feed (the page then reports the lost link): anything else is a problem.
      expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|Failed to load resource|EventSource/.test(p))).toEqual([]);
      expect(fireworks.violations()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
