/**
 * Improve transcript, end to end in the desktop app (issue 9): the real main process on the
 * Electron stand-in keeps a session's audio (only because Settings says so), captions it live
 * from PulseAudio through the Fireworks-faithful streaming server, then History sends the
 * kept audio to the Fireworks-faithful pre-recorded server, shows the improved text with
 * speakers next to the live captions, keeps it on request, and exports it with speakers.
 * Then Transcribe a recording… from the tray, through the (stand-in) open-file dialog.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { startPrerecordedServer, type PrerecordedServer } from '../fakes/prerecorded-server.js';
import { nullSink, speechFile, type SpeechFile } from './helpers/app-audio.js';
import { bootStandinApp, closeStandinApp, pickSource, textOf, until, wordsOf, type BootedApp } from './helpers/app-standin.js';
import { ensurePulse, play, PULSE_RUNTIME_DIR } from './pulse-env.js';

const KEY = 'fw-app-improve-key-2468';
const SINK = `earshot_improve_${process.pid}`;
const CAPTURE_WARMUP_MS = 2500;

let unavailable: string | null = null;
const cleanups: (() => Promise<void>)[] = [];
let live: FireworksServer;
let files: PrerecordedServer;
let app: BootedApp;
let speech: SpeechFile;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  unavailable = await ensurePulse();
  if (unavailable) return;
  cleanups.push((await nullSink(SINK)).unload);
  live = await startFireworksServer({ apiKey: KEY });
  cleanups.push(() => live.close());
  files = await startPrerecordedServer({ key: KEY });
  cleanups.push(() => files.close());
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  app = await bootStandinApp({ XDG_RUNTIME_DIR: PULSE_RUNTIME_DIR });
  speech = speechFile(app.dir, 'meeting', [2, 4, 6, 8, 10, 12, 14, 16], 4);
}, 60_000);

afterAll(async () => {
  await closeStandinApp(app);
  for (const c of cleanups.reverse()) await c();
  vi.restoreAllMocks();
});

describe('Improve transcript in the desktop app', () => {
  it('kept audio → improved text with speakers in History → kept → exported with speakers; the audio is deleted', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    const { standin } = app;
    const { page: overlay } = await standin.waitForWindow('app://earshot/overlay.html');
    const { page: settings } = await standin.waitForWindow('app://earshot/settings.html');
    await pickSource(settings, `device:${SINK}.monitor`, standin.world.problems);
    await settings.fill('#endpoint', live.url);
    await settings.fill('#fileEndpoint', files.url);
    await settings.getByLabel('Keep a history of final captions on this computer').check();
    await settings.getByLabel('Keep the meeting audio to improve the transcript afterwards').check();
    expect(await textOf(settings, '#keepAudio-hint')).toMatch(/Nothing is uploaded until you press Improve transcript/);
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await until('settings to be saved', async () => (await textOf(settings, '[data-testid="save-message"]')) === 'Saved.');
    await standin.copyToClipboard(KEY);
    await settings.focus('#api-key');
    await settings.keyboard.press('Control+V');
    await settings.getByRole('button', { name: 'Save key' }).click();
    await until('the overlay to go live', async () => (await textOf(overlay, '.status .label')) === 'Live', 20_000);
    await sleep(CAPTURE_WARMUP_MS);
    await play(speech.path, SINK);
    await until('the last word on screen', async () => (await wordsOf(overlay, '.captions')).endsWith(speech.words.at(-1)!.text), 15_000, 50);
    standin.trayItem('Stop captions').click();
    await until('the overlay to show Stopped', async () => (await textOf(overlay, '.status .label')) === 'Stopped', 15_000);
    // The session's audio is on disk; nothing has been uploaded.
    expect(readdirSync(join(app.userData, 'kept-audio'))).toHaveLength(1);
    expect(files.requests).toHaveLength(0);

    standin.trayItem('History…').click();
    const { page: history } = await standin.waitForWindow('app://earshot/history.html');
    await history.getByTestId('improve').click();
    const choice = history.getByTestId('improved-choice');
    await until('the improved transcript to be shown', async () => (await choice.count()) > 0, 30_000, 100, () => wordsOf(history, '[data-testid="transcribe-status"]'));
    const improvedText = await wordsOf(history, '[data-testid="improved-text"]');
    expect(improvedText).toMatch(/Speaker A:/);
    expect(improvedText).toMatch(/Speaker B:/);
    for (const w of speech.words) expect(improvedText).toContain(w.text);
    expect(files.requests[0]!.fields).toMatchObject({ model: 'whisper-v3', diarize: 'true', response_format: 'verbose_json' });
    await choice.getByRole('button', { name: 'Keep the improved transcript' }).click();
    await until('history to show the improved run', async () => /Improved transcript/.test(await wordsOf(history, 'main')) && (await history.getByTestId('improved-choice').count()) === 0);
    expect(await wordsOf(history, '[data-testid="segment"] .text')).toMatch(/^Speaker A: /);
    // The audio was deleted once the choice was made (the person did not ask to keep it).
    await until('the kept audio to be deleted', () => !existsSync(join(app.userData, 'kept-audio')) || readdirSync(join(app.userData, 'kept-audio')).length === 0);

    const vtt = join(app.documents, 'improved.vtt');
    standin.queueSaveAnswer({ canceled: false, filePath: vtt });
    await history.click('button[data-format="vtt"]');
    await until('the WebVTT file to be written', () => existsSync(vtt));
    const text = readFileSync(vtt, 'utf8');
    expect(text).toContain('<v Speaker A>');
    expect(text).toContain('<v Speaker B>');
  }, 150_000);

  it('Transcribe a recording… from the tray: the file dialog, progress in History, the result as a History entry', async (ctx) => {
    if (unavailable) { ctx.skip(); return; }
    const { standin } = app;
    const recording = speechFile(app.dir, 'recording', [1, 3, 5, 7, 9, 11], 3);
    standin.queueOpenAnswer({ canceled: false, filePaths: [recording.path] });
    standin.trayItem('Transcribe a recording…').click();
    const { page: history } = await standin.waitForWindow('app://earshot/history.html');
    await until('the transcript to be added', async () => /recording\.wav: \d+ captions? added, 2 speakers/.test(await wordsOf(history, '[data-testid="transcribe-status"]')),
      30_000, 100, () => wordsOf(history, '[data-testid="transcribe-status"]'));
    const asked = standin.world.openDialogs.at(-1)!;
    expect(asked.parentTitle).toBe('Earshot history');
    expect(asked.options.properties).toEqual(['openFile']);
    await until('History to list the recording', async () => /recording\.wav \(transcribed\)/.test(await wordsOf(history, 'main')));
    const listed = await wordsOf(history, '[data-testid="segment"] .text');
    for (const w of recording.words) expect(listed).toContain(w.text);
    expect(files.requests.at(-1)!.file?.filename).toBe('recording.wav');
  }, 60_000);
});
