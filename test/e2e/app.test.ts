/**
 * The whole desktop app, end to end (issue 7): the real main process (out/main/app/main.js,
 * unmodified) on the Electron stand-in, every window a real Chromium page loaded through the
 * app's own app:// handler, the real preload in a sandbox, IPC through the app's own
 * validation, real capture from PulseAudio and a Fireworks-faithful server on 127.0.0.1.
 *
 * A person's first run: Settings opens by itself, they point it at the audio and the
 * endpoint, paste a key, save; captions appear (partial, then final), they pause and resume,
 * switch the audio source while live, stop (the last sentence stays), open History and
 * export SRT.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { bootStandinApp, closeStandinApp, pickSource, textOf, until, wordsOf, type BootedApp } from './helpers/app-standin.js';
import { nullSink, speechFile, type SpeechFile } from './helpers/app-audio.js';
import { ensurePulse, play, PULSE_RUNTIME_DIR } from './pulse-env.js';

const KEY = 'fw-app-e2e-key-7731';
const SINK_A = `earshot_app_a_${process.pid}`;
const SINK_B = `earshot_app_b_${process.pid}`;
/** ALSA's pulse plugin takes up to ~2 s before the first audio flows after a stream opens. */
const CAPTURE_WARMUP_MS = 2500;

let unavailable: string | null = null;
const cleanups: (() => Promise<void>)[] = [];
let server: FireworksServer;
let app: BootedApp;
let first: SpeechFile;
let whilePaused: SpeechFile;
let afterSwitch: SpeechFile;
const warnings: string[] = [];
let historyListed: string[] = [];
let exported = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function overlayStatus(page: Page): Promise<string> {
  return textOf(page, '.status .label');
}

async function overlayDetail(page: Page, speech: SpeechFile): Promise<string> {
  return `overlay final: "${await wordsOf(page, '.captions .final')}", partial: "${await wordsOf(page, '.captions .partial')}", `
    + `status: ${await wordsOf(page, '.status')}; played: ${JSON.stringify(speech.sentences)}`;
}

beforeAll(async () => {
  unavailable = await ensurePulse();
  if (unavailable) return;
  for (const name of [SINK_A, SINK_B]) {
    const sink = await nullSink(name);
    cleanups.push(sink.unload);
  }
  server = await startFireworksServer({ apiKey: KEY });
  cleanups.push(() => server.close());
  // The app logs through console.warn in this same process: keep what it says.
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => { warnings.push(args.map(String).join(' ')); });
  app = await bootStandinApp({ XDG_RUNTIME_DIR: PULSE_RUNTIME_DIR });
  first = speechFile(app.dir, 'first', [0, 1, 2, 3, 4, 5, 6, 7], 4);
  whilePaused = speechFile(app.dir, 'paused', [8, 9, 10], 3);
  afterSwitch = speechFile(app.dir, 'switched', [11, 12, 13, 14], 4);
}, 60_000);

afterAll(async () => {
  await closeStandinApp(app);
  for (const c of cleanups.reverse()) await c();
  vi.restoreAllMocks();
});

describe('Earshot desktop app on the Electron stand-in', () => {
  it('first run → key → captions → pause/resume → switch source → stop → history → SRT', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    const { standin } = app;

    // First run: no key, so the overlay says so and Settings opens by itself.
    const { page: overlay } = await standin.waitForWindow('app://earshot/overlay.html');
    const { window: settingsWindow, page: settings } = await standin.waitForWindow('app://earshot/settings.html');
    expect(settingsWindow.isVisible()).toBe(true);
    await until('the overlay to ask for a key', async () => /add the key in settings/i.test(await textOf(overlay, '.status')));

    // Point Earshot at this test's sink and the local server, keep history; save.
    await pickSource(settings, `device:${SINK_A}.monitor`, standin.world.problems);
    await settings.fill('#endpoint', server.url);
    await settings.getByLabel('Keep a history of final captions on this computer').check();
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await until('settings to be saved', async () => (await textOf(settings, '[data-testid="save-message"]')) === 'Saved.');

    // Paste the key from the clipboard with the keyboard, as a person does, and save it.
    await standin.copyToClipboard(KEY);
    await settings.focus('#api-key');
    await settings.keyboard.press('Control+V');
    expect(await settings.inputValue('#api-key')).toBe(KEY);
    await settings.getByRole('button', { name: 'Save key' }).click();
    await until('the key to be stored', async () => /Key set \(…7731\)/.test(await textOf(settings, '[data-testid="key-state"]')));
    expect(readFileSync(join(app.userData, 'keys.json'), 'utf8')).not.toContain(KEY);

    // Saving the key starts captions.
    await until('the overlay to go live', async () => (await overlayStatus(overlay)) === 'Live', 20_000);
    await sleep(CAPTURE_WARMUP_MS);

    // Speech → partial words while a sentence is open, then final sentences.
    let sawPartial = '';
    const playing = play(first.path, SINK_A);
    const watch = (async () => {
      for (let done = false; !done;) {
        const partial = await textOf(overlay, '.captions .partial').catch(() => '');
        if (partial.trim()) sawPartial = partial;
        done = await Promise.race([playing.then(() => true), sleep(50).then(() => false)]);
      }
    })();
    await playing;
    await watch;
    expect(sawPartial.trim().split(/\s+/).every((w) => first.words.some((x) => x.text === w))).toBe(true);
    expect(sawPartial.trim()).not.toBe('');
    // A sentence is final once the next one has begun; the last stays open while live.
    await until('the first sentence to be final and the last on screen', async () =>
      (await wordsOf(overlay, '.captions .final')).includes(first.sentences[0]!)
      && (await wordsOf(overlay, '.captions')).endsWith(first.sentences.at(-1)!), 10_000, 100, () => overlayDetail(overlay, first));

    // Pause from the tray: nothing played now is captioned.
    standin.trayItem('Pause').click();
    await until('the overlay to show Paused', async () => (await overlayStatus(overlay)) === 'Paused');
    await play(whilePaused.path, SINK_A);
    await sleep(1000);
    const afterPause = await textOf(overlay, '.captions');
    for (const w of whilePaused.words) expect(afterPause).not.toContain(w.text);

    // Resume, then switch the source to sink B while live.
    // KNOWN DEFECT (found by this test): if the old PortAudio stream takes longer than
    // PortAudioSource.close()'s 2 s guard to quit (a loaded machine), the new source lists
    // devices (naudiodon getDevices) while the old stream is still being torn down, and the
    // process dies with SIGSEGV in getDevices, here the test worker, in Electron the main
    // process. Seen about 1 run in 10 with other test processes busy. The CLI runs capture in a
    // child process; the desktop app does not.
    standin.trayItem('Pause').click();
    await until('the overlay to be live again', async () => (await overlayStatus(overlay)) === 'Live');
    standin.trayItem('Audio source', `Monitor of ${SINK_B} (output)`).click();
    await until('settings to hold the new source', async () => (await settings.inputValue('#source')) === `device:${SINK_B}.monitor`);
    await until('the overlay to be live on the new source', async () => (await overlayStatus(overlay)) === 'Live' && server.connections.length >= 2, 20_000);
    await sleep(CAPTURE_WARMUP_MS);
    await play(afterSwitch.path, SINK_B);

    // Stop as soon as the last word is on screen: the last sentence must stay, as final text.
    const lastWord = afterSwitch.words.at(-1)!.text;
    await until('the last word to reach the overlay', async () => (await wordsOf(overlay, '.captions')).endsWith(lastWord), 10_000, 30,
      () => overlayDetail(overlay, afterSwitch));
    standin.trayItem('Stop captions').click();
    await until('the overlay to show Stopped', async () => (await overlayStatus(overlay)) === 'Stopped', 15_000);
    await until('the last sentence to be final after stop', async () => (await wordsOf(overlay, '.captions .final')).endsWith(afterSwitch.sentences.at(-1)!),
      5000, 100, () => overlayDetail(overlay, afterSwitch));
    for (const w of whilePaused.words) expect(await textOf(overlay, '.captions')).not.toContain(w.text);

    // History lists the sentences; export SRT to a path the save dialog returns.
    standin.trayItem('History…').click();
    const { page: history } = await standin.waitForWindow('app://earshot/history.html');
    await until('history to list the last sentence', async () => (await textOf(history, '[data-testid="segment"] .text')).split('\n').includes(afterSwitch.sentences.at(-1)!),
      10_000, 100, async () => `history: ${await wordsOf(history, 'main')}`);
    const listed = (await textOf(history, '[data-testid="segment"] .text')).split('\n');
    const srt = join(app.documents, 'captions.srt');
    standin.queueSaveAnswer({ canceled: false, filePath: srt });
    await history.click('button[data-format="srt"]');
    await until('the SRT file to be written', () => existsSync(srt) && readFileSync(srt, 'utf8').includes(afterSwitch.sentences.at(-1)!));
    exported = readFileSync(srt, 'utf8');
    const cues = exported.trim().split(/\r?\n\r?\n/);
    expect(cues.map((c) => c.split(/\r?\n/).slice(2).join(' '))).toEqual(listed);
    for (const [i, cue] of cues.entries()) {
      const [n, times] = cue.split(/\r?\n/);
      expect(n).toBe(String(i + 1));
      expect(times).toMatch(/^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$/);
    }
    const asked = standin.world.saveDialogs.at(-1);
    expect(asked?.parentTitle).toBe('Earshot history');
    expect(String(asked?.options.defaultPath)).toMatch(new RegExp(`^${app.documents}/earshot-[\\d-]+\\.srt$`));
    historyListed = listed;

    // Nothing went wrong on the way: no refused IPC, no page errors, no protocol violations.
    expect(warnings.filter((w) => /IPC refused/.test(w))).toEqual([]);
    expect(standin.world.problems).toEqual([]);
    expect(server.violations()).toEqual([]);
  }, 120_000);

  // Found by this test: switching the source while live restarts the run, and the new run's
  // first diff (clearing the old captions from the overlay) used to reach the journal as
  // removals, so History and every export lost what was said before the switch.
  it('History and the SRT export keep what was said before the source switch', () => {
    expect(historyListed).toEqual([...first.sentences, ...afterSwitch.sentences]);
    for (const sentence of [...first.sentences, ...afterSwitch.sentences]) expect(exported).toContain(sentence);
  });
});
