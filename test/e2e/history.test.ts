/**
 * The history window in real Chromium with a fake bridge: final segments with times, search
 * that filters the list, copy, and export that asks main for the right format with the
 * search the person sees.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Segment } from '../../shared/captions.js';
import { useBridgeWindows, type BridgeWindow } from './helpers/bridge-window.js';
import { artifactPath } from './helpers/chromium.js';

const openWindow = useBridgeWindows();

const SEGMENTS: Segment[] = [
  { id: '0/1:0', text: 'Welcome to the quarterly review.', start: 1.2, end: 3.4, final: true },
  { id: '0/1:1', text: 'Revenue grew by twelve percent.', start: 4, end: 6.5, final: true },
  { id: '0/1:2', text: 'Café opening is planned for spring.', start: 65, end: 68, final: true },
  { id: '1/1:0', text: 'Second meeting: the review continues.', start: 3725, end: 3728, final: true },
  { id: '2/1', text: 'From the recording.', start: 3730, end: 3731, final: true, speaker: 'Speaker A' },
];

function installFakeBridge(opts: { segments: Segment[]; enabled: boolean }): void {
  const w = window as unknown as Record<string, unknown>;
  const calls: unknown[][] = [];
  w.__calls = calls;
  const progress = new Set<(p: unknown) => void>();
  let cancel: (() => void) | undefined;
  w.earshot = {
    get: async () => ({
      enabled: opts.enabled, segments: opts.segments, skippedLines: 0,
      runs: [{ startedAt: '2025-01-02T10:00:00.000Z', firstIndex: 0, audio: { id: 's-1', seconds: 125 } }, { startedAt: '2025-01-02T11:00:00.000Z', firstIndex: 3 },
        { startedAt: '2025-01-02T12:00:00.000Z', firstIndex: 4, title: 'standup.flac (transcribed)' }],
    }),
    transcriptionStatus: async () => ({ state: 'idle' }),
    improve: async (audio: string) => {
      calls.push(['improve', audio]);
      return { state: 'improved', file: 'kept audio', audio, speakers: 2, segments: [
        { id: 'i1', text: 'Welcome to the quarterly review.', start: 1.2, end: 3.4, final: true, speaker: 'Speaker A' },
        { id: 'i2', text: 'Revenue grew by 12 percent.', start: 4, end: 6.5, final: true, speaker: 'Speaker B' },
      ] };
    },
    resolveImproved: async (choice: unknown) => { calls.push(['resolve', choice]); },
    cancelTranscription: async () => { calls.push(['cancel']); cancel?.(); },
    // Plays what main pushes while a file goes up: upload progress, the wait, then the end.
    transcribeFile: (r: { translate: boolean; diarize: boolean }) => new Promise((resolve) => {
      calls.push(['transcribe', r.translate, r.diarize]);
      const push = (p: unknown) => { for (const l of progress) l(p); };
      push({ state: 'choosing' });
      push({ state: 'uploading', file: 'standup.flac', sent: 3 * 1024 * 1024, total: 12 * 1024 * 1024 });
      const hold = setTimeout(() => {
        push({ state: 'transcribing', file: 'standup.flac' });
      }, 50);
      cancel = () => { clearTimeout(hold); const end = { state: 'cancelled', file: 'standup.flac' }; push(end); resolve(end); };
      (w as Record<string, unknown>).__finish = () => { const end = { state: 'done', file: 'standup.flac', segments: 7, speakers: 2, language: 'en' }; push(end); resolve(end); };
    }),
    exportAs: async (r: { format: string; query: string }) => {
      calls.push(['export', r.format, r.query]);
      return r.format === 'json' ? { ok: false, cancelled: true } : { ok: true, path: `/home/me/Documents/earshot.${r.format}`, segments: 2 };
    },
    copy: async (text: string) => { calls.push(['copy', text]); },
    on: (channel: string, l: (p: unknown) => void) => {
      if (channel !== 'transcribe:progress') return () => {};
      progress.add(l);
      return () => progress.delete(l);
    },
  };
}

async function openHistory(enabled = true): Promise<BridgeWindow> {
  const w = await openWindow('history.html', { width: 800, height: 700 }, installFakeBridge, { segments: SEGMENTS, enabled });
  await w.page.getByTestId('segment').first().waitFor();
  return w;
}

const texts = (page: Page) => page.locator('[data-testid="segment"] .text').allTextContents();

describe('history window', () => {
  it('transcribes a recording: options, upload progress, the wait, cancel, and the result', async () => {
    const { page } = await openHistory();
    const status = page.getByTestId('transcribe-status');
    await page.getByLabel('Translate to English').check();
    expect(await page.getByLabel('Label speakers').isDisabled()).toBe(true); // translations have no speakers
    await page.getByTestId('transcribe-start').click();
    await expect.poll(() => status.textContent()).toMatch(/Transcribing standup\.flac… \d+ s/);
    await page.getByTestId('transcribe-cancel').click();
    await expect.poll(() => status.textContent()).toContain('Cancelled standup.flac; nothing was added.');
    await page.getByLabel('Translate to English').uncheck();
    await page.getByTestId('transcribe-start').click();
    await expect.poll(() => status.textContent()).toMatch(/Transcribing/);
    await page.evaluate(() => (window as unknown as { __finish(): void }).__finish());
    await expect.poll(() => status.textContent()).toContain('standup.flac: 7 captions added, 2 speakers, language en.');
    const calls = await page.evaluate(() => (window as unknown as { __calls: unknown[][] }).__calls);
    expect(calls.filter((c) => c[0] !== 'copy' && c[0] !== 'export')).toEqual([['transcribe', true, false], ['cancel'], ['transcribe', false, true]]);
    // The transcribed run is titled, and its speakers are shown.
    expect(await page.locator('.run').allTextContents()).toContainEqual(expect.stringContaining('standup.flac (transcribed)'));
    expect(await page.locator('[data-testid="segment"] .text').last().textContent()).toBe('Speaker A: From the recording.');
    await page.close();
  });

  it('improves a session from its kept audio: both versions side by side, the person keeps one', async () => {
    const { page, calls } = await openHistory();
    await page.getByTestId('improve').click();
    const choice = page.getByTestId('improved-choice');
    await choice.waitFor();
    expect(await choice.getByTestId('improved-text').innerText()).toMatch(/Speaker A: Welcome.*\n.*Speaker B: Revenue grew by 12 percent\./s);
    expect(await choice.locator('ol').first().innerText()).toContain('Revenue grew by twelve percent.'); // the live version of that session
    await choice.getByLabel('Also keep the audio file').check();
    await choice.getByRole('button', { name: 'Keep the improved transcript' }).click();
    await expect.poll(async () => (await calls()).filter((c) => c[0] === 'improve' || c[0] === 'resolve')).toEqual([
      ['improve', 's-1'], ['resolve', { audio: 's-1', keep: 'improved', keepAudio: true }],
    ]);
    await expect.poll(() => page.getByTestId('improved-choice').count()).toBe(0);
    await page.close();
  });

  it('lists final segments with their times', async () => {
    const { page, problems } = await openHistory();
    expect(await texts(page)).toEqual(SEGMENTS.map((s) => (s.speaker ? `${s.speaker}: ${s.text}` : s.text)));
    expect(await page.locator('[data-testid="segment"] time').allTextContents()).toEqual(['0:01', '0:04', '1:05', '1:02:05', '1:02:10']);
    expect(await page.getByTestId('count').textContent()).toMatch(/5 of 5 captions/);
    expect(await page.getByTestId('history-off').count()).toBe(0);
    await page.screenshot({ path: artifactPath('history.png'), fullPage: true });
    expect(problems.filter((p) => !/404 \(Not Found\)/.test(p))).toEqual([]);
    await page.close();
  });

  it('filters as the person types, ignoring case and accents', async () => {
    const { page } = await openHistory();
    await page.fill('#search', 'REVIEW');
    await expect.poll(() => texts(page)).toEqual(['Welcome to the quarterly review.', 'Second meeting: the review continues.']);
    expect(await page.getByTestId('count').textContent()).toMatch(/2 of 5 captions match/);
    await page.fill('#search', 'cafe spring');
    await expect.poll(() => texts(page)).toEqual(['Café opening is planned for spring.']);
    await page.fill('#search', 'nothing like this');
    await expect.poll(() => texts(page)).toEqual([]);
    expect(await page.locator('button[data-format="srt"]').isDisabled()).toBe(true);
    await page.fill('#search', '');
    await expect.poll(() => texts(page)).toHaveLength(5);
    await page.close();
  });

  it('exports each format through main, with the search shown', async () => {
    const { page, calls } = await openHistory();
    await page.fill('#search', 'review');
    for (const [format, label] of [['srt', 'SRT'], ['vtt', 'WebVTT'], ['txt', 'Text']] as const) {
      await page.getByRole('button', { name: label, exact: true }).click();
      await expect.poll(() => page.getByTestId('history-message').textContent()).toBe(`Saved 2 captions to /home/me/Documents/earshot.${format}`);
    }
    await page.getByRole('button', { name: 'JSON', exact: true }).click(); // the person cancels the dialog
    await expect.poll(async () => (await calls()).filter((c) => c[0] === 'export')).toEqual([
      ['export', 'srt', 'review'], ['export', 'vtt', 'review'], ['export', 'txt', 'review'], ['export', 'json', 'review'],
    ]);
    await expect.poll(() => page.getByTestId('history-message').count()).toBe(0);
    await page.close();
  });

  it('copies what is shown, with times, or one caption', async () => {
    const { page, calls } = await openHistory();
    await page.fill('#search', 'revenue');
    await page.getByRole('button', { name: 'Copy shown' }).click();
    await page.getByRole('button', { name: /^Copy “Revenue/ }).click();
    await expect.poll(async () => (await calls()).filter((c) => c[0] === 'copy')).toEqual([
      ['copy', '[0:04] Revenue grew by twelve percent.'],
      ['copy', 'Revenue grew by twelve percent.'],
    ]);
    await page.close();
  });

  it('says when history is off and nothing is stored', async () => {
    const { page } = await openHistory(false);
    expect(await page.getByTestId('history-off').textContent()).toMatch(/nothing is saved to disk/);
    await page.close();
  });
});
