/**
 * A meeting in the whole desktop app (issue 8): the real main process on the Electron
 * stand-in, real Chromium pages, real capture of two PulseAudio streams and a
 * Fireworks-faithful server on 127.0.0.1.
 *
 * A PulseAudio daemon of this test's own (its default sink and source are changed, so the
 * shared daemon is never touched) with two null sinks: "mic" is the default source (through
 * its monitor), so it is what the app opens as the microphone; "sys" is the default output,
 * so its monitor is system audio. Different tone speech is played into each at the same time.
 *
 * Settings → "Microphone + system audio" → the overlay shows "You" lines with the
 * microphone's words and "Others" lines with the system's, each in its colour, and the status
 * names both streams; History shows the labels and its SRT export starts cues with "You:" and
 * "Others:".
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeKeptWav } from '../../main/audio/kept-audio.js';
import { STYLE_PRESETS } from '../../shared/overlay-style.js';
import { VOCABULARY } from '../fakes/tone-asr.js';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { bootStandinApp, closeStandinApp, textOf, until, wordsOf, type BootedApp } from './helpers/app-standin.js';
import { speechFile, type SpeechFile } from './helpers/app-audio.js';
import { artifactPath } from './helpers/chromium.js';
import { PrivatePulse } from './helpers/private-pulse.js';

const KEY = 'fw-meeting-e2e-key-8812';
const SYS = `earshot_mtg_sys_${process.pid}`;
const MIC = `earshot_mtg_mic_${process.pid}`;
/** ALSA's pulse plugin takes up to ~2 s before the first audio flows after a stream opens. */
const CAPTURE_WARMUP_MS = 2500;

const pulse = new PrivatePulse(SYS);
let unavailable: string | null = null;
let server: FireworksServer;
let app: BootedApp | undefined;
let mine: SpeechFile;
let theirs: SpeechFile;
const warnings: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (c: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16)).join(', ')})`;

/** The words of every overlay line with this label, in order. */
async function lineWords(page: Page, label: string): Promise<string> {
  return (await page.$$eval(`.captions .line[data-label="${label}"]`, (els) => els.map((e) => {
    const who = e.querySelector('.who')?.textContent ?? '';
    return (e.textContent ?? '').slice(who.length);
  }).join(' '))).replace(/\s+/g, ' ').trim();
}

beforeAll(async () => {
  try {
    await pulse.start();
    await pulse.run('pactl', ['load-module', 'module-null-sink', `sink_name=${MIC}`, `sink_properties=device.description=${MIC}`]);
    await pulse.run('pactl', ['set-default-sink', SYS]);
    await pulse.run('pactl', ['set-default-source', `${MIC}.monitor`]);
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
    return;
  }
  // The app (and PortAudio in it) reach this daemon only.
  for (const [k, v] of Object.entries(pulse.env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  server = await startFireworksServer({ apiKey: KEY });
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => { warnings.push(args.map(String).join(' ')); });
  app = await bootStandinApp();
  // Two sentences each (a caption is final once the next one has begun), no word shared.
  mine = speechFile(app.dir, 'mine', [0, 1, 2, 3, 4, 5], 3);
  theirs = speechFile(app.dir, 'theirs', [14, 15, 16, 17, 18, 19], 3);
}, 60_000);

afterAll(async () => {
  await closeStandinApp(app);
  await server?.close();
  await pulse.dispose();
  vi.restoreAllMocks();
});

describe('a meeting in the desktop app', () => {
  it('Microphone + system audio: labelled, coloured lines per side, status per stream, SRT with You:/Others:', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    const { standin } = app!;
    const { page: overlay } = await standin.waitForWindow('app://earshot/overlay.html');
    const { page: settings } = await standin.waitForWindow('app://earshot/settings.html');

    // The option and its cost are said where it is chosen.
    await settings.selectOption('#source', 'mic+system');
    expect(await wordsOf(settings, '[data-testid="meeting-cost"]')).toMatch(/Two connections: twice the provider minutes\./);
    expect(await settings.inputValue('#micLabel')).toBe('You');
    expect(await settings.inputValue('#systemLabel')).toBe('Others');
    // Labels are renamable and checked as typed: two equal labels would hide who said what.
    await settings.fill('#systemLabel', 'you');
    expect(await wordsOf(settings, '[data-error-for="systemLabel"]')).toBe('The two labels must differ (both are "You").');
    await settings.fill('#systemLabel', 'Others');
    expect(await settings.$('[data-error-for="systemLabel"]')).toBeNull();
    // Kept audio is both sides mixed into one track, and Settings says what that means.
    await settings.getByLabel('Keep the meeting audio to improve the transcript afterwards').check();
    expect(await wordsOf(settings, '[data-testid="keep-audio-meeting"]')).toMatch(/both sides are kept mixed into one track/);
    await settings.fill('#endpoint', server.url);
    // Room for both sides' sentences at once.
    await settings.fill('#style-lines', '6');
    await settings.getByLabel('Keep a history of final captions on this computer').check();
    await settings.screenshot({ path: artifactPath('settings-meeting.png'), fullPage: true });
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await until('settings to be saved', async () => (await textOf(settings, '[data-testid="save-message"]')) === 'Saved.');
    await settings.fill('#api-key', KEY);
    await settings.getByRole('button', { name: 'Save key' }).click();

    // Two connections, one per side; the status names both.
    await until('both streams to be live', async () => /^You: Live · Others: Live/.test(await wordsOf(overlay, '.status .detail')) && server.connections.length === 2,
      20_000, 100, async () => `status: ${await wordsOf(overlay, '.status')}; connections: ${server.connections.length}`);
    expect(await textOf(overlay, '.status .label')).toBe('Live');
    await sleep(CAPTURE_WARMUP_MS);
    // One meter per side once audio flows.
    await until('a meter per stream', async () => JSON.stringify(await overlay.$$eval('.bar [role="meter"]', (els) => els.map((e) => e.getAttribute('aria-label'))))
      === JSON.stringify(['Audio level: You', 'Audio level: Others']), 5000);

    // Both sides talk at once.
    await Promise.all([
      pulse.run('paplay', [`--device=${MIC}`, '--latency-msec=1000', mine.path], 30_000),
      pulse.play(theirs.path),
    ]);
    const detail = async () => `You: "${await lineWords(overlay, 'You')}", Others: "${await lineWords(overlay, 'Others')}", all: "${await wordsOf(overlay, '.captions')}"`;
    await until('each side\'s words under its own label', async () => (await lineWords(overlay, 'You')).endsWith(mine.text) && (await lineWords(overlay, 'Others')).endsWith(theirs.text),
      15_000, 100, detail);
    expect(await lineWords(overlay, 'You')).toBe(mine.text);
    expect(await lineWords(overlay, 'Others')).toBe(theirs.text);
    // Each line shows its label and its side's colour; no line mixes the two.
    const lines = await overlay.$$eval('.captions .line', (els) => els.map((e) => ({ label: e.getAttribute('data-label'), who: e.querySelector('.who')?.textContent ?? '', color: getComputedStyle(e.querySelector('.final') ?? e).color })));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.who).toBe(`${l.label}: `);
      expect(l.color).toBe(hex(l.label === 'You' ? STYLE_PRESETS.classic.micColor : STYLE_PRESETS.classic.systemColor));
    }

    // Stop; History shows who said each line; SRT cues start with the label.
    standin.trayItem('Stop captions').click();
    await until('the overlay to show Stopped', async () => (await textOf(overlay, '.status .label')) === 'Stopped', 15_000);
    standin.trayItem('History…').click();
    const { page: history } = await standin.waitForWindow('app://earshot/history.html');
    await until('history to list both sides', async () => (await textOf(history, '[data-testid="who"]')).includes('Others:') && (await textOf(history, '[data-testid="who"]')).includes('You:'),
      10_000, 100, async () => `history: ${await wordsOf(history, 'main')}`);
    // The session's audio was kept as one track holding both sides: History offers to improve it,
    // and the track carries the tone words of each side at their own frequencies.
    await until('History to offer Improve transcript', async () => (await history.getByTestId('improve').count()) > 0, 10_000);
    const keptRoot = join(app!.userData, 'kept-audio');
    const [id] = readdirSync(keptRoot);
    const wav = join(app!.dir, 'kept.wav');
    await writeKeptWav(keptRoot, id!, wav);
    const bytes = readFileSync(wav);
    const kept = Int16Array.from({ length: (bytes.length - 44) / 2 }, (_, i) => bytes.readInt16LE(44 + 2 * i));
    const strength = (freq: number) => goertzel(kept, freq, 16000);
    const side = (speech: SpeechFile) => Math.min(...[...new Set(speech.words.map((w) => w.text))].map((w) => strength(VOCABULARY.find((v) => v.text === w)!.freq)));
    const absent = strength(VOCABULARY[9]!.freq); // a word neither side said
    expect(side(mine)).toBeGreaterThan(20 * absent);
    expect(side(theirs)).toBeGreaterThan(20 * absent);

    const srt = join(app!.documents, 'meeting.srt');
    standin.queueSaveAnswer({ canceled: false, filePath: srt });
    await history.click('button[data-format="srt"]');
    await until('the SRT file to be written', () => existsSync(srt) && readFileSync(srt, 'utf8').trim() !== '');
    const cues = readFileSync(srt, 'utf8').trim().split(/\r?\n\r?\n/).map((c) => c.split(/\r?\n/).slice(2).join(' '));
    const said = (who: string) => cues.filter((c) => c.startsWith(`${who}: `)).map((c) => c.slice(who.length + 2)).join(' ');
    expect(cues.every((c) => /^(You|Others): /.test(c))).toBe(true);
    expect(said('You')).toBe(mine.text);
    expect(said('Others')).toBe(theirs.text);

    expect(warnings.filter((w) => /IPC refused/.test(w))).toEqual([]);
    expect(standin.world.problems).toEqual([]);
    expect(server.violations()).toEqual([]);
  }, 60_000);
});

/** Power of one frequency over the whole signal (Goertzel). */
function goertzel(x: Int16Array, freq: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / x.length;
}
