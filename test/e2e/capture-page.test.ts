/**
 * The hidden capture page (Windows/macOS system audio) in real Chromium. The BUILT page is
 * served with the app:// protocol's own file rules and response headers (its CSP included,
 * on top of the page's meta CSP); Chromium's fake capture device plays a 440 Hz WAV through
 * the real getDisplayMedia; `window.earshot` stands in for the preload's capture bridge and
 * records what crosses it. The PCM that reaches the bridge must be the tone, at the rate and
 * in the format the chunks claim, and main's IPC validator must accept every chunk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPayload } from '../../main/app/ipc-validate.js';
import type { CaptureChunk, CaptureStatus } from '../../shared/ipc-contract.js';
import { writeWav } from '../fakes/wav-writer.js';
import { appProtocolRoute, ensureRendererBuilt, launchChromium, serveStatic, watchPage, type StaticServer } from './helpers/chromium.js';

const TONE_HZ = 440;
const TONE_PEAK = 0.5;
const WAV_RATE = 48_000;

let dir: string;
let server: StaticServer;
let browser: Browser;
const served: string[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  dir = mkdtempSync(join(tmpdir(), 'earshot-capture-page-'));
  const wav = join(dir, 'tone.wav');
  const tone = new Int16Array(WAV_RATE * 10);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(32767 * TONE_PEAK * Math.sin((2 * Math.PI * TONE_HZ * i) / WAV_RATE));
  writeWav(wav, tone, WAV_RATE, 1);
  server = await serveStatic(undefined, appProtocolRoute(undefined, served));
  browser = await launchChromium([
    // The fake device answers getDisplayMedia (audio included) with the WAV, no picker.
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    // Electron's default autoplay policy: the hidden page starts audio without a gesture.
    '--autoplay-policy=no-user-gesture-required',
  ]);
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface CaptureLog {
  chunks: CaptureChunk[];
  statuses: CaptureStatus[];
  /** Every track getDisplayMedia handed the page, video included. */
  tracks: MediaStreamTrack[];
}

/**
 * `window.earshot` as the preload exposes it to the capture page: chunk(), status() and
 * on('capture:command'). Payloads are structured-cloned as IPC would. getDisplayMedia is
 * wrapped only to keep hold of the real tracks it returns.
 */
function installCaptureBridge(): void {
  const w = window as unknown as Record<string, unknown>;
  const log = { chunks: [] as unknown[], statuses: [] as unknown[], tracks: [] as MediaStreamTrack[] };
  const listeners = new Set<(cmd: unknown) => void>();
  w.__log = log;
  w.__command = (cmd: unknown) => { for (const fn of listeners) fn(cmd); };
  const media = navigator.mediaDevices;
  const real = media.getDisplayMedia.bind(media);
  media.getDisplayMedia = async (options?: DisplayMediaStreamOptions) => {
    const stream = await real(options);
    log.tracks.push(...stream.getTracks());
    return stream;
  };
  w.earshot = {
    chunk: (c: unknown) => { log.chunks.push(structuredClone(c)); },
    status: (s: unknown) => { log.statuses.push(structuredClone(s)); },
    on: (channel: string, fn: (cmd: unknown) => void) => {
      if (channel !== 'capture:command') throw new Error(`Unknown channel ${channel}`);
      listeners.add(fn);
      return () => { listeners.delete(fn); };
    },
  };
}

async function openCapturePage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  pages.push(page);
  page.setDefaultTimeout(10_000);
  const { problems } = watchPage(page);
  await page.addInitScript(installCaptureBridge);
  await page.goto(`${server.origin}/capture.html`);
  return { page, problems };
}

const command = (page: Page, action: 'start' | 'stop') =>
  page.evaluate((a) => (window as unknown as { __command(c: unknown): void }).__command({ action: a }), action);

const statuses = (page: Page) => page.evaluate(() => (window as unknown as { __log: CaptureLog }).__log.statuses);

const trackStates = (page: Page) => page.evaluate(() =>
  (window as unknown as { __log: CaptureLog }).__log.tracks.map((t) => `${t.kind}:${t.readyState}`));

async function waitForStatus(page: Page, count: number): Promise<CaptureStatus[]> {
  await page.waitForFunction((n) => (window as unknown as { __log: CaptureLog }).__log.statuses.length >= n, count);
  return statuses(page);
}

/** Waits until the bridge has received `seconds` of audio, then returns every chunk so far. */
async function chunksCovering(page: Page, seconds: number): Promise<CaptureChunk[]> {
  await page.waitForFunction((s) => {
    const chunks = (window as unknown as { __log: CaptureLog }).__log.chunks;
    const frames = chunks.reduce((n, c) => n + c.data.length / c.channels, 0);
    return chunks.length > 0 && frames >= s * chunks[0]!.sampleRate;
  }, seconds);
  const raw = await page.evaluate(() => (window as unknown as { __log: CaptureLog }).__log.chunks.map((c) => ({
    seq: c.seq, sampleRate: c.sampleRate, channels: c.channels, isFloat32: c.data instanceof Float32Array, data: Array.from(c.data),
  })));
  for (const c of raw) expect(c.isFloat32).toBe(true);
  return raw.map((c) => ({ seq: c.seq, sampleRate: c.sampleRate, channels: c.channels, data: Float32Array.from(c.data) }));
}

/** Frequency from zero crossings, interpolated between samples. */
function frequencyOf(x: Float32Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1]! < 0 && x[i]! >= 0) crossings.push(i - 1 + x[i - 1]! / (x[i - 1]! - x[i]!));
  }
  if (crossings.length < 2) return 0;
  return ((crossings.length - 1) * rate) / (crossings.at(-1)! - crossings[0]!);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rms(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / x.length);
}

describe('capture page in Chromium, under the app protocol headers', () => {
  it('loads the worklet as a same-origin file and delivers the played tone to the bridge', async () => {
    const { page, problems } = await openCapturePage();
    await command(page, 'start');
    const [started] = await waitForStatus(page, 1);
    expect(started, `capture did not start: ${JSON.stringify(started)}`).toMatchObject({ state: 'started', channels: 2 });
    if (started?.state !== 'started') return;
    expect(served.some((p) => /\/assets\/pcm-tap\.worklet-[\w-]+\.js$/.test(p)), `worklet fetched from the app: ${served.join(' ')}`).toBe(true);
    expect(await trackStates(page)).toEqual(expect.arrayContaining(['video:ended', 'audio:live']));

    const chunks = await chunksCovering(page, 1.5);
    const rate = started.sampleRate;
    chunks.forEach((c, i) => {
      expect(checkPayload('capture:chunk', c)).toMatchObject({ ok: true });
      expect(c).toMatchObject({ seq: i, sampleRate: rate, channels: 2 });
      // The worklet's ~20 ms blocks.
      expect(c.data.length).toBe(2 * Math.round(rate / 50));
    });

    // Interleaved stereo; the mono tone is upmixed into both channels.
    const frames = chunks.reduce((n, c) => n + c.data.length / 2, 0);
    const left = new Float32Array(frames);
    let at = 0;
    let unequal = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.data.length; i += 2) {
        if (c.data[i + 1] !== c.data[i]) unequal++;
        left[at++] = c.data[i]!;
      }
    }
    expect(unequal).toBe(0);
    const onset = left.findIndex((v) => Math.abs(v) > TONE_PEAK / 4);
    expect(onset, 'the tone reaches the bridge').toBeGreaterThanOrEqual(0);
    // 100 ms windows judged one by one and summed up by their median: a loaded machine may
    // glitch a window or two (the fake device or the audio thread missing a deadline), but
    // a wrong rate claim or processed audio shifts every window.
    const windows: Array<{ hz: number; level: number }> = [];
    const step = Math.round(rate / 10);
    for (let at = onset; at + step <= left.length; at += step) {
      const w = left.subarray(at, at + step);
      windows.push({ hz: frequencyOf(w, rate), level: rms(w) });
    }
    expect(windows.length).toBeGreaterThanOrEqual(10);
    const hz = median(windows.map((w) => w.hz));
    const level = median(windows.map((w) => w.level));
    const clean = windows.filter((w) => Math.abs(w.hz - TONE_HZ) < 2).length;
    console.info(`capture page: ${rate} Hz, ${chunks.length} chunks, tone from frame ${onset}, median ${hz.toFixed(2)} Hz, rms ${level.toFixed(3)}, ${clean}/${windows.length} windows clean`);
    // Measured against the rate the chunks claim: a wrong claim (44.1 vs 48 kHz) is off by 8 %.
    expect(Math.abs(hz - TONE_HZ)).toBeLessThan(1);
    expect(clean).toBeGreaterThan(windows.length / 2);
    // Level unchanged: no gain control or noise suppression between the system and us.
    expect(level).toBeGreaterThan(0.9 * TONE_PEAK / Math.SQRT2);
    expect(level).toBeLessThan(1.1 * TONE_PEAK / Math.SQRT2);
    expect(problems).toEqual([]);
  });

  it('stops every track on stop, and a new start begins a fresh sequence', async () => {
    const { page, problems } = await openCapturePage();
    await command(page, 'start');
    await waitForStatus(page, 1);
    await chunksCovering(page, 0.1);
    await command(page, 'stop');
    expect(await waitForStatus(page, 2)).toEqual([expect.objectContaining({ state: 'started' }), { state: 'stopped' }]);
    expect((await trackStates(page)).every((t) => t.endsWith(':ended'))).toBe(true);

    await page.evaluate(() => { (window as unknown as { __log: CaptureLog }).__log.chunks.length = 0; });
    await command(page, 'start');
    expect((await waitForStatus(page, 3))[2]).toMatchObject({ state: 'started' });
    expect((await chunksCovering(page, 0.1))[0]?.seq).toBe(0);
    expect(problems).toEqual([]);
  });

  it('closes a capture that finishes opening after a stop, without reporting it started', async () => {
    const { page } = await openCapturePage();
    await page.evaluate(() => {
      const w = window as unknown as { __command(c: unknown): void };
      w.__command({ action: 'start' });
      w.__command({ action: 'stop' });
    });
    await page.waitForFunction(() => {
      const { tracks } = (window as unknown as { __log: CaptureLog }).__log;
      return tracks.length > 0 && tracks.every((t) => t.readyState === 'ended');
    });
    expect(await statuses(page)).toEqual([]);
  });

  it('reports stopped when the system ends the audio track', async () => {
    const { page } = await openCapturePage();
    await command(page, 'start');
    await waitForStatus(page, 1);
    // What Chromium fires when the OS takes the capture away (display gone, permission revoked).
    await page.evaluate(() => {
      const audio = (window as unknown as { __log: CaptureLog }).__log.tracks.find((t) => t.kind === 'audio');
      audio?.dispatchEvent(new Event('ended'));
    });
    expect(await waitForStatus(page, 2)).toEqual([expect.objectContaining({ state: 'started' }), { state: 'stopped' }]);
    expect((await trackStates(page)).every((t) => t.endsWith(':ended'))).toBe(true);
  });
});
